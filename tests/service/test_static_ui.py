"""The dashboard's files: client-side routes get index.html, API paths never do."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from shopguard.service.app import create_app
from shopguard.service.context import ServiceContext


def test_not_built_page(app: Flask) -> None:
    response = app.test_client().get("/events/123")
    assert response.status_code == 200 and b"make demo" in response.data


def test_built_dashboard_is_served_without_sign_in(ctx: ServiceContext) -> None:
    static: Path = ctx.settings.static_dir
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>ShopGuard UI</html>")
    (static / "assets" / "app-1234.js").write_text("console.log(1)")
    client = create_app(ctx).test_client()
    for path in ("/", "/events/abc", "/cameras/door-1/zones"):
        response = client.get(path)
        assert response.status_code == 200 and b"ShopGuard UI" in response.data, path
    asset = client.get("/assets/app-1234.js")
    assert asset.data == b"console.log(1)" and "immutable" in asset.headers["Cache-Control"]
    assert client.get("/api/unknown").json["error"]["code"] == "not_found"
    assert client.get("/api").status_code == 404
    traversal = client.get("/assets/../../shopguard.db")
    assert b"SQLite" not in traversal.data
