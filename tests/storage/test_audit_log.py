"""The audit log on real SQLite and PostgreSQL: rows are added and read, never changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.privacy.audit import (
    Actor,
    AuditAction,
    AuditFilter,
    csv_lines,
    json_chunks,
    record,
    select_entries,
)
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import AuditEntry, EvidenceKind
from shopguard.storage.repository import create_event
from shopguard.storage.retention import RetentionPolicy, apply_retention

ALICE = Actor(1, "alice", "10.0.0.5", "Firefox")


def _add(sessions: sessionmaker[Session], action: AuditAction, target: str = "e1",
         camera: str = "door-1", actor: Actor = ALICE) -> int:
    with sessions.begin() as s:
        return record(s, actor, action, target_type="event", target_id=target,
                      camera_id=camera, detail={"k": 1}).id


def test_rows_are_recorded_and_filtered(db_sessions: sessionmaker[Session]) -> None:
    first = _add(db_sessions, AuditAction.VIEW_EVENT)
    _add(db_sessions, AuditAction.VIEW_CLIP, target="e2", camera="till")
    _add(db_sessions, AuditAction.REVIEW, actor=Actor(2, "rita"))
    with db_sessions() as s:
        def actions(f: AuditFilter) -> list[str]:
            return [e.action for e in s.scalars(select_entries(f))]

        assert actions(AuditFilter()) == ["review", "view_clip", "view_event"]  # newest first
        assert actions(AuditFilter(username="rita")) == ["review"]
        assert actions(AuditFilter(camera_id="till")) == ["view_clip"]
        assert actions(AuditFilter(target_id="e1")) == ["review", "view_event"]
        assert actions(AuditFilter(action="view_event")) == ["view_event"]
        assert actions(AuditFilter(before_id=first + 1)) == ["view_event"]
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        assert actions(AuditFilter(since=tomorrow)) == []
        entry = s.get(AuditEntry, first)
        assert entry is not None
        assert (entry.user_id, entry.username, entry.ip, entry.user_agent) == \
            (1, "alice", "10.0.0.5", "Firefox")
        assert entry.detail == {"k": 1} and entry.at.tzinfo is not None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET username = 'mallory'",
    "DELETE FROM audit_log",
    "UPDATE audit_log SET action = 'nothing' WHERE id = 1",
])
def test_database_refuses_changes(db_engine: Engine, db_sessions: sessionmaker[Session],
                                  statement: str) -> None:
    _add(db_sessions, AuditAction.VIEW_EVENT)
    with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as connection:
        connection.execute(text(statement))
    with db_sessions() as s:
        rows = list(s.scalars(select(AuditEntry)))
        assert [(r.username, r.action) for r in rows] == [("alice", "view_event")]


def test_orm_changes_are_refused_too(db_sessions: sessionmaker[Session]) -> None:
    entry_id = _add(db_sessions, AuditAction.VIEW_EVENT)
    with pytest.raises(DBAPIError, match="append-only"), db_sessions.begin() as s:
        entry = s.get(AuditEntry, entry_id)
        assert entry is not None
        entry.username = "mallory"
    with pytest.raises(DBAPIError, match="append-only"), db_sessions.begin() as s:
        s.execute(delete(AuditEntry))
    with pytest.raises(DBAPIError, match="append-only"), db_sessions.begin() as s:
        s.execute(update(AuditEntry).values(ip="0.0.0.0"))
    with db_sessions() as s:
        assert s.scalar(select(AuditEntry.username)) == "alice"


def test_postgres_refuses_truncate(db_engine: Engine, db_sessions: sessionmaker[Session]) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _add(db_sessions, AuditAction.VIEW_EVENT)
    with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))


def test_exports_escape_formulas(sqlite_sessions: sessionmaker[Session]) -> None:
    _add(sqlite_sessions, AuditAction.LOGIN_FAILED, target="=HYPERLINK(\"x\")")
    with sqlite_sessions() as s:
        rows = list(s.scalars(select_entries(AuditFilter())))
        text_csv = "".join(csv_lines(rows))
        text_json = "".join(json_chunks(rows))
    lines = text_csv.splitlines()
    assert lines[0].startswith("id,at,user_id,username,action")
    assert "'=HYPERLINK" in lines[1] and ",login_failed," in lines[1]
    assert '"target_id":"=HYPERLINK(\\"x\\")"' in text_json
    assert "".join(csv_lines([])).strip() == lines[0]


def test_retention_deletions_are_audited(sqlite_sessions: sessionmaker[Session],
                                         tmp_path: Path) -> None:
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"x" * 100)
    with sqlite_sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1,
                             started_at=datetime(2026, 1, 1, tzinfo=UTC))
        row = archive.add(s, event, EvidenceKind.CLIP, clip)
        row.created_at = datetime(2026, 1, 1, tzinfo=UTC)
        event_id = event.id
    report = apply_retention(sqlite_sessions, archive, RetentionPolicy(max_age_days=30),
                             now=datetime(2026, 3, 1, tzinfo=UTC))
    assert len(report.deleted) == 1
    with sqlite_sessions() as s:
        entry = s.scalars(select_entries(AuditFilter(action="delete_evidence"))).one()
    assert (entry.username, entry.target_id, entry.camera_id) == \
        ("system:retention", event_id, "door-1")
    assert entry.detail == {"kind": "clip", "size": 100, "why": "age"}
