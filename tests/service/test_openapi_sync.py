"""The OpenAPI document matches the app's routes, and docs/openapi.json matches both."""

from __future__ import annotations

import json
from pathlib import Path

from api_helpers import Api
from flask import Flask

from shopguard.service.openapi import openapi_path, render_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
IGNORED = {"HEAD", "OPTIONS"}


def _routes(app: Flask) -> set[tuple[str, str]]:
    """Every (path, method) the app serves under /api, /metrics and /ml (WML scoring)."""
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/metrics", "/ml/"))
        for method in (rule.methods or set()) - IGNORED
    }


def test_document_lists_exactly_the_routes(app: Flask, admin: Api) -> None:
    doc = admin.get("/api/openapi.json").json
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert documented == _routes(app)
    assert doc["openapi"] == "3.1.0"


def test_every_reference_resolves(admin: Api) -> None:
    doc = admin.get("/api/openapi.json").json
    schemas = doc["components"]["schemas"]
    text = json.dumps(doc)
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs and refs <= set(schemas)


def test_operations_declare_access_and_errors(admin: Api) -> None:
    doc = admin.get("/api/openapi.json").json
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op["x-access"] in ("public", "view", "review", "admin"), (path, method)
            if op["x-access"] != "public":
                assert {"401", "403"} <= set(op["responses"]), (path, method)
            else:
                assert op["security"] == [], (path, method)
    assert doc["paths"]["/api/health"]["get"]["x-access"] == "public"
    assert doc["paths"]["/api/users"]["post"]["x-access"] == "admin"


def test_committed_document_is_current() -> None:
    """Regenerate with: python -m shopguard.service.openapi > docs/openapi.json"""
    assert json.loads(DOC.read_text()) == json.loads(render_document())
