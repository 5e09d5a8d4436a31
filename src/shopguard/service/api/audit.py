"""``/api/audit``: the audit trail, for admins only: list (filters, pages) and export.

There is no route that changes or deletes audit rows, and the database refuses to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from flask import Blueprint, Response, stream_with_context
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select

from shopguard.privacy.audit import (
    AuditAction,
    AuditFilter,
    as_dict,
    csv_lines,
    json_chunks,
    select_entries,
)
from shopguard.service.audit import audit
from shopguard.service.auth import ctx, db
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shopguard.service.routes import api_route

bp = Blueprint("audit", __name__, url_prefix="/api/audit")

ACTIONS_DOC = "e.g. " + ", ".join(a.value for a in AuditAction)


class AuditOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None = Field(description="null for the system and the command line")
    username: str = Field(description="as it was when the row was written")
    action: str = Field(description=ACTIONS_DOC)
    target_type: str = Field(description="event, camera, user, audit_log, ...")
    target_id: str
    camera_id: str | None
    ip: str
    user_agent: str
    detail: dict[str, Any]


class AuditFilters(BaseModel):
    user: str | None = Field(default=None, description="username")
    action: str | None = Field(default=None, description=ACTIONS_DOC)
    target: str | None = Field(default=None, description="target id, e.g. an event id")
    camera: str | None = Field(default=None, description="camera id")
    since: datetime | None = Field(default=None, description="at or after (ISO-8601)")
    until: datetime | None = Field(default=None, description="before (ISO-8601)")

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """Times without a zone are UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def audit_filter(self, before_id: int | None = None) -> AuditFilter:
        return AuditFilter(username=self.user, action=self.action, target_id=self.target,
                           camera_id=self.camera, since=self.since, until=self.until,
                           before_id=before_id)


class AuditQuery(AuditFilters, PageQuery):
    pass


class AuditExportQuery(AuditFilters):
    format: Literal["csv", "json"] = Field(default="csv", description="csv or json")


def _before(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    value = decode_cursor(cursor)
    if not isinstance(value, dict) or not isinstance(value.get("before"), int):
        raise ApiError(400, "malformed cursor", fields={"cursor": "not an audit cursor"})
    return int(value["before"])


@api_route(bp, "", "GET", "List the audit trail", access="admin", query=AuditQuery,
           response=Page[AuditOut])
def list_(query: AuditQuery) -> Page[AuditOut]:
    """Newest first; ``next`` is a cursor that stays valid while rows are added."""
    matching = select_entries(query.audit_filter())
    total = db().scalar(select(func.count()).select_from(matching.order_by(None).subquery()))
    stmt = select_entries(query.audit_filter(_before(query.cursor))).limit(query.limit + 1)
    if query.cursor is None and query.offset:
        stmt = stmt.offset(query.offset)
    rows = list(db().scalars(stmt))
    items = [AuditOut.model_validate(as_dict(r)) for r in rows[: query.limit]]
    more = len(rows) > query.limit
    nxt = encode_cursor({"before": items[-1].id}) if more else None
    return Page[AuditOut](items=items, total=total or 0, next=nxt)


@api_route(bp, "/export", "GET", "Export the audit trail (CSV or JSON)", access="admin",
           query=AuditExportQuery, produces=("text/csv", "application/json"))
def export(query: AuditExportQuery) -> Response:
    """Every matching row, newest first, as a download (``format=json``: one JSON array).
    The export itself is recorded in the audit trail."""
    audit(AuditAction.EXPORT_AUDIT, target_type="audit_log",
          detail=query.model_dump(mode="json", exclude_none=True))
    sessions, stmt = ctx().sessions, select_entries(query.audit_filter())

    def rows() -> Any:
        with sessions() as session:
            yield from session.scalars(stmt.execution_options(yield_per=500))

    chunks = csv_lines(rows()) if query.format == "csv" else json_chunks(rows())
    mimetype = "text/csv" if query.format == "csv" else "application/json"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="shopguard-audit-{stamp}.{query.format}"')
    response.headers["Cache-Control"] = "no-store"
    return response
