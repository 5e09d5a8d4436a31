"""``api_route``: registers a view together with what the OpenAPI document says about it.

Each view declares its access level, request body and query models and its response
model in one place. The decorator validates the request (422 with field messages),
passes ``body=``/``query=`` to the view and serialises a returned pydantic model; the
app's ``before_request`` enforces ``access``; ``openapi.py`` builds the document from
the same declarations, so the documentation cannot drift from the code.

Example:
    >>> bp = Blueprint("things", __name__)  # doctest: +SKIP
    >>> @api_route(bp, "/things/<int:thing_id>", "GET", "Get a thing", access="view",
    ...            response=ThingOut)  # doctest: +SKIP
    ... def get_thing(thing_id: int) -> ThingOut: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from shopguard.service.errors import ApiError, invalid

#: public: anyone; view: any signed-in user; review: reviewer or admin; admin: admin only.
Access = Literal["public", "view", "review", "admin"]
ACCESS_LEVELS: tuple[Access, ...] = ("public", "view", "review", "admin")


@dataclass(frozen=True, slots=True)
class Operation:
    """What the OpenAPI document says about one route and method."""

    summary: str
    access: Access
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    #: The response's media type, or several when a query parameter chooses one.
    produces: str | tuple[str, ...] = "application/json"
    description: str = ""
    errors: tuple[int, ...] = ()


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    """The ``Operation`` a view was registered with (``None``: not an API route)."""
    return getattr(view, "operation", None)


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:  # also keeps cross-site HTML forms (text/plain) out
        raise ApiError(415, "send the body as application/json",
                       fields={"body": "expected Content-Type: application/json"})
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "the request body is not valid JSON", fields={"body": "invalid JSON"})
    if not isinstance(data, dict):
        raise ApiError(422, "the request body must be a JSON object",
                       fields={"body": "expected an object"})
    return data


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON body validated by ``model`` (400 malformed, 422 invalid)."""
    try:
        return model.model_validate(_json_body())
    except ValidationError as exc:
        raise invalid(exc) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string validated by ``model`` (first value of each parameter)."""
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as exc:
        raise invalid(exc, status=400) from None


def to_response(result: Any, status: int) -> Any:
    """Serialise a view's return value: models and lists of models as JSON."""
    if isinstance(result, BaseModel):
        response = jsonify(result.model_dump(mode="json", by_alias=True))
    elif result is None:
        return Response(status=204)
    elif isinstance(result, Response | tuple | str):
        return result
    else:
        response = jsonify(result)
    response.status_code = status
    return response


def api_route(
    bp: Blueprint,
    rule: str,
    method: str,
    summary: str,
    *,
    access: Access,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    produces: str | tuple[str, ...] = "application/json",
    errors: tuple[int, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` on ``bp`` for ``method rule`` and record its ``Operation``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            return to_response(view(**kwargs), status)

        wrapper.operation = Operation(  # type: ignore[attr-defined]
            summary=summary,
            access=access,
            tag=bp.name,
            body=body,
            query=query,
            response=response,
            status=status,
            produces=produces,
            description=(view.__doc__ or "").strip(),
            errors=errors,
        )
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[method])
        return wrapper

    return decorate
