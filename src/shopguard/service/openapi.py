"""The OpenAPI 3.1 document, built from the app's routes and their pydantic models.

Every route registered with ``api_route`` carries an ``Operation``; this module walks
``app.url_map`` and turns each into a path item, with the request, query and response
models as JSON Schema components. ``python -m shopguard.service.openapi`` prints the
document (``docs/openapi.json`` is that output; a test keeps it current).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from shopguard import __version__
from shopguard.service.errors import CODES
from shopguard.service.routes import Operation, api_route, operation_of
from shopguard.service.sessions import COOKIE_NAME, CSRF_HEADER

bp = Blueprint("openapi", __name__, url_prefix="/api")

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
_IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
BINARY = {"type": "string", "format": "binary"}


class OpenApiDocument(BaseModel):
    """The top level of an OpenAPI 3.1 document (what ``GET /api/openapi.json`` returns)."""

    model_config = ConfigDict(extra="allow")

    openapi: str = Field(pattern=r"^3\.1\.\d+$")
    info: dict[str, Any]
    servers: list[dict[str, Any]]
    security: list[dict[str, list[str]]]
    paths: dict[str, dict[str, Any]] = Field(description="path → method → operation")
    components: dict[str, Any]


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. not_found, csrf")
    message: str
    fields: dict[str, str] = Field(description="request field → what is wrong with it")


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/a/<int:id>`` → ``/a/{id}``."""
    return _PARAM.sub(lambda m: "{" + m.group("name") + "}", rule)


def api_operations(app: Flask) -> list[tuple[str, str, str, Operation]]:
    """``(rule, method, endpoint, operation)`` of every documented route, sorted."""
    found = []
    for rule in app.url_map.iter_rules():
        op = operation_of(app.view_functions.get(rule.endpoint))
        if op is None:
            continue
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            found.append((rule.rule, method, rule.endpoint, op))
    return sorted(found, key=lambda item: (item[0], item[1]))


def _schemas(ops: list[Operation]) -> tuple[dict[Any, Any], dict[str, Any]]:
    wanted: list[tuple[Any, Any]] = [(ErrorOut, "serialization")]
    for op in ops:
        wanted += [(m, "validation") for m in (op.body, op.query) if m is not None]
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    return refs, top.get("$defs", {})


def _path_params(rule: str) -> list[dict[str, Any]]:
    return [
        {"name": m.group("name"), "in": "path", "required": True,
         "schema": {"type": "integer"} if m.group("conv") == "int" else {"type": "string"}}
        for m in _PARAM.finditer(rule)
    ]


def _query_params(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": {k: v for k, v in prop.items() if k != "description"}}
        if "description" in prop:
            param["description"] = prop["description"]
        params.append(param)
    return params


def _error(status: int) -> dict[str, Any]:
    return {"description": CODES.get(status, "error").replace("_", " "),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}}}


def _operation(rule: str, endpoint: str, op: Operation, refs: dict[Any, Any],
               defs: dict[str, Any]) -> dict[str, Any]:
    params = _path_params(rule)
    if op.query is not None:
        name = refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[1]
        params += _query_params(defs[name])
    body: dict[str, Any] = {"description": "success"}
    types = (op.produces,) if isinstance(op.produces, str) else op.produces
    if op.response is not None:
        body["content"] = {t: {"schema": refs[(op.response, "serialization")]} for t in types}
    elif op.status != 204:  # JSON without a model may be any JSON; other types are bytes
        body["content"] = {t: {"schema": {} if t == "application/json" else BINARY}
                           for t in types}
    responses: dict[str, Any] = {str(op.status): body}
    errors = set(op.errors) | {500}
    if op.access != "public":
        errors |= {401, 403}
    if op.body is not None:
        errors |= {400, 413, 415, 422}
    if op.query is not None:
        errors.add(400)
    responses |= {str(s): _error(s) for s in sorted(errors)}
    result: dict[str, Any] = {
        "operationId": endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "x-access": op.access,
        "responses": responses,
    }
    if op.description:
        result["description"] = op.description
    if params:
        result["parameters"] = params
    if op.body is not None:
        result["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(op.body, "validation")]}}}
    if op.access == "public":
        result["security"] = []
    return result


def build_document(app: Flask, version: str = __version__) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s documented routes."""
    found = api_operations(app)
    refs, defs = _schemas([op for *_, op in found])
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, endpoint, op in found:
        paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(
            rule, endpoint, op, refs, defs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ShopGuard API",
            "version": version,
            "description": "See docs/api.md. Access levels (x-access): public, view (any "
                           "signed-in user), review (reviewer, admin), admin. Cookie-"
                           f"authenticated writes need the {CSRF_HEADER} header.",
            "license": {"name": "AGPL-3.0-only", "identifier": "AGPL-3.0-only"},
        },
        "servers": [{"url": "/"}],
        "security": [{"cookieAuth": []}, {"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME},
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "API token (sg_…) from POST /api/tokens"},
            },
        },
    }


@api_route(bp, "/openapi.json", "GET", "This API description (OpenAPI 3.1)", access="view",
           response=OpenApiDocument)
def openapi_json() -> dict[str, Any]:
    return build_document(current_app)


def render_document() -> str:
    """The document as committed in ``docs/openapi.json`` (routes only; no service needed)."""
    from sqlalchemy.orm import sessionmaker

    from shopguard.service.app import create_app
    from shopguard.service.context import ApiSettings, ServiceContext
    from shopguard.service.hub import LiveHub
    from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore

    with tempfile.TemporaryDirectory() as tmp:
        ctx = ServiceContext(
            sessions=sessionmaker(),
            evidence=EvidenceArchive(LocalEvidenceStore(Path(tmp))),
            hub=LiveHub(),
            settings=ApiSettings(secret_key=os.urandom(32), static_dir=Path(tmp)),
        )
        return json.dumps(build_document(create_app(ctx)), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_document())
