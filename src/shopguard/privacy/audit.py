"""The audit trail: who viewed, exported, reviewed or erased personal data, when and from where.

Rows are only ever added (``record``); the database refuses UPDATE and DELETE on the
``audit_log`` table (triggers, migration 0002) and no API changes it. ``record`` adds the
row to the caller's session, so an action and its audit row commit together.

Example:
    >>> from shopguard.storage.db import init_db, session_factory
    >>> sessions = session_factory(init_db("sqlite:///:memory:"))
    >>> with sessions.begin() as s:
    ...     _ = record(s, Actor(1, "alice", "10.0.0.5"), AuditAction.VIEW_EVENT,
    ...                target_type="event", target_id="e1", camera_id="door-1")
    >>> with sessions() as s:
    ...     [(e.username, e.action) for e in s.scalars(select_entries(AuditFilter()))]
    [('alice', 'view_event')]
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shopguard.storage.models import AuditEntry


class AuditAction(enum.StrEnum):
    """What was done. New actions may be added; stored as plain text."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    VIEW_EVENT = "view_event"
    VIEW_CLIP = "view_clip"
    DOWNLOAD_SNAPSHOT = "download_snapshot"
    VIEW_POSES = "view_poses"
    REVIEW = "review"
    DELETE_EVIDENCE = "delete_evidence"
    SUBJECT_SEARCH = "subject_search"
    EXPORT = "export"
    ERASE = "erase"
    EXPORT_AUDIT = "export_audit"
    EVIDENCE_REFUSED = "evidence_refused"
    MODEL_REGISTER = "model.register"
    MODEL_PROMOTE = "model.promote"
    MODEL_ROLLBACK = "model.rollback"
    MODEL_THRESHOLDS = "model.thresholds"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted and from where; ``user_id`` is ``None`` for the system and the CLI."""

    user_id: int | None
    username: str
    ip: str = ""
    user_agent: str = ""


#: Automatic deletions (retention) are recorded under this name.
RETENTION = Actor(None, "system:retention", "local")

#: Columns of the CSV export, in order (also the keys of the JSON export).
COLUMNS = ("id", "at", "user_id", "username", "action", "target_type", "target_id",
           "camera_id", "ip", "user_agent", "detail")


def record(
    session: Session,
    actor: Actor,
    action: AuditAction | str,
    *,
    target_type: str = "",
    target_id: str = "",
    camera_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit row to ``session`` (flushed; the caller commits)."""
    entry = AuditEntry(
        user_id=actor.user_id,
        username=actor.username[:100],
        action=str(action)[:32],
        target_type=target_type[:32],
        target_id=target_id[:200],
        camera_id=camera_id,
        ip=actor.ip[:64],
        user_agent=actor.user_agent[:300],
        detail=detail or {},
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which rows to list; ``None`` fields do not filter. ``since`` inclusive, ``until``
    exclusive; ``before_id`` pages backwards (newest first)."""

    username: str | None = None
    action: str | None = None
    target_id: str | None = None
    camera_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None


def select_entries(f: AuditFilter) -> Select[Any]:
    """Matching rows, newest first."""
    stmt = select(AuditEntry)
    if f.username is not None:
        stmt = stmt.where(AuditEntry.username == f.username)
    if f.action is not None:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == f.target_id)
    if f.camera_id is not None:
        stmt = stmt.where(AuditEntry.camera_id == f.camera_id)
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < f.until)
    if f.before_id is not None:
        stmt = stmt.where(AuditEntry.id < f.before_id)
    return stmt.order_by(AuditEntry.id.desc())


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    """One row as JSON-ready data (keys: ``COLUMNS``)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "user_id": entry.user_id,
        "username": entry.username,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "camera_id": entry.camera_id,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "detail": entry.detail,
    }


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The rows as CSV text, header first, one chunk per row (``detail`` as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in entries:
        row = as_dict(entry)
        row["detail"] = json.dumps(row["detail"], separators=(",", ":"), sort_keys=True)
        writer.writerow([_safe_cell(row[c]) for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():  # the header of an empty export
        yield buffer.getvalue()


def json_chunks(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The rows as one JSON array, streamed."""
    yield "["
    for i, entry in enumerate(entries):
        yield ("," if i else "") + json.dumps(as_dict(entry), separators=(",", ":"))
    yield "]\n"


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
