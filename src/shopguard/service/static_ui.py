"""The built dashboard: its files, and ``index.html`` for any other non-API path (the
dashboard routes on the client). Without a build, a page saying how to make one."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ShopGuard</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>ShopGuard</h1>
<p>The API is running, but the dashboard has not been built.
Run <code>make demo</code> (or <code>make web</code>) in the source tree and reload.</p>
<p>The API is described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
"""


def static_blueprint(static_dir: Path) -> Blueprint:
    """Routes serving ``static_dir`` (public: the dashboard's own sign-in page is here)."""
    bp = Blueprint("ui", __name__)
    root = static_dir.resolve()

    def ui(path: str = "") -> Response:
        if path == "api" or path.startswith("api/"):
            abort(404)
        if not (root / "index.html").is_file():
            return Response(NOT_BUILT, mimetype="text/html")
        if path and (root / path).is_file():
            response = send_from_directory(root, path)  # rejects traversal itself
            if path.startswith("assets/"):  # hashed names: cache for a year
                response.cache_control.max_age = 31536000
                response.cache_control.immutable = True
            return response
        response = send_from_directory(root, "index.html")
        response.cache_control.no_cache = True
        return response

    ui.public = True  # type: ignore[attr-defined]
    bp.add_url_rule("/", endpoint="index", view_func=ui, methods=["GET"])
    bp.add_url_rule("/<path:path>", endpoint="path", view_func=ui, methods=["GET"])
    return bp
