"""JSON errors with one shape for every failure of an ``/api`` route.

``{"error": {"code": "not_found", "message": "no event 'x'", "fields": {}}}``; ``fields``
maps a request field (``polygon.3``, ``config.url``) to what is wrong with it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from shopguard.config import MAX_LISTED_ERRORS

log = logging.getLogger(__name__)

#: HTTP status → default error code.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """Raise from a view to answer with a JSON error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or CODES.get(status, f"http_{status}")
        self.fields = fields or {}
        self.headers = headers or {}


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Pydantic errors as ``{"a.b.0": "message"}`` (first message per field, at most
    ``MAX_LISTED_ERRORS`` fields)."""
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"])
        key = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "body")
        fields.setdefault(key, err["msg"].removeprefix("Value error, "))
        if len(fields) == MAX_LISTED_ERRORS:
            break
    return fields


def invalid(exc: ValidationError, prefix: str = "", status: int = 422) -> ApiError:
    """The 422 for a pydantic ``ValidationError``."""
    fields = field_errors(exc, prefix)
    names = ", ".join(list(fields)[:5])
    more = exc.error_count() - len(fields)
    extra = f" (and {more} more errors)" if more > 0 else ""
    return ApiError(status, f"invalid request: {names}{extra}", fields=fields)


def error_response(err: ApiError) -> Response:
    body: dict[str, Any] = {"code": err.code, "message": err.message, "fields": err.fields}
    response = jsonify({"error": body})
    response.status_code = err.status
    response.headers.update(err.headers)
    return response


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/metrics"


def install_error_handlers(app: Flask) -> None:
    """JSON errors for API paths (HTML stays HTML for the dashboard's own paths)."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not _is_api(request.path):
            return exc
        status = exc.code or 500
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after")}
        message = exc.description or exc.name
        return error_response(ApiError(status, message, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(ApiError(500, "internal server error"))
