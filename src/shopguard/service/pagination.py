"""Pages of list results: ``{"items": [...], "total": n, "next": cursor | null}``.

A request asks for ``limit`` items and either an opaque ``cursor`` (the previous page's
``next``) or an ``offset``. Cursors are base64url JSON so a resource can keep a position
(events: the last item's start time and id, stable while new events arrive) or an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shopguard.service.errors import ApiError

T = TypeVar("T")
MAX_LIMIT = 200


class PageQuery(BaseModel):
    """Paging parameters every list accepts."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")
    offset: int | None = Field(default=None, ge=0, description="skip this many (no cursor)")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="items matching the filters, on all pages")
    next: str | None = Field(description="cursor of the next page; null on the last")


def encode_cursor(value: Any) -> str:
    """An opaque cursor holding ``value`` (JSON data)."""
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Any:
    """The value of a cursor; a 400 naming ``cursor`` if it was not made by this API."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        raise ApiError(400, "malformed cursor", fields={"cursor": "not a cursor"}) from None


def start_offset(query: PageQuery) -> int:
    """Where an offset-paged list starts: the cursor's offset, else ``offset``, else 0."""
    if query.cursor is None:
        return query.offset or 0
    value = decode_cursor(query.cursor)
    if not isinstance(value, dict) or not isinstance(value.get("offset"), int) \
            or value["offset"] < 0:
        raise ApiError(400, "malformed cursor", fields={"cursor": "not a cursor of this list"})
    return int(value["offset"])


def offset_page(session: Session, stmt: Select[Any], query: PageQuery) -> tuple[list[Any], int,
                                                                                str | None]:
    """Rows of ``stmt`` (already ordered) for this page, the total and the next cursor."""
    offset = start_offset(query)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(query.limit).offset(offset)))
    end = offset + len(rows)
    return rows, total, encode_cursor({"offset": end}) if end < total else None
