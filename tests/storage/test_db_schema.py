"""Migrations, engine settings and column types on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.db import (
    current_revision,
    downgrade,
    head_revision,
    init_db,
    make_engine,
)
from shopguard.storage.models import (
    AlertDelivery,
    Base,
    Camera,
    Event,
    EventStatus,
    utcnow,
)


def test_migrations_reach_head_and_match_models(db_engine: Engine) -> None:
    assert current_revision(db_engine) == head_revision()
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_downgrade_empties(db_url: str) -> None:
    engine = init_db(db_url)
    init_db(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    with engine.connect() as connection:
        assert not engine.dialect.has_table(connection, "events")
    init_db(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert (connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_timestamps_come_back_aware_utc(db_sessions: sessionmaker[Session]) -> None:
    plus2 = timezone(timedelta(hours=2))
    started = datetime(2024, 5, 1, 14, 30, 15, 123456, tzinfo=plus2)
    with db_sessions.begin() as s:
        s.add(Camera(id="door-1", name="Door"))
        s.add(Event(id="e1", camera_id="door-1", track_id=1, started_at=started))
    with db_sessions() as s:
        event = s.get(Event, "e1")
        assert event is not None
        assert event.started_at == started
        assert event.started_at.utcoffset() == timedelta(0)
        assert event.started_at.hour == 12
        assert event.created_at.tzinfo is not None
        assert event.status is EventStatus.OPEN


def test_naive_datetimes_are_refused(db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db_sessions.begin() as s:
        s.add(Camera(id="door-1", name="Door"))
        s.add(Event(camera_id="door-1", track_id=1, started_at=datetime(2024, 5, 1)))


def test_database_rejects_unknown_status(
    db_engine: Engine, db_sessions: sessionmaker[Session]
) -> None:
    with db_sessions.begin() as s:
        s.add(Camera(id="door-1", name="Door"))
    with pytest.raises(IntegrityError), db_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (id, camera_id, track_id, status, review_status, started_at,"
                " peak_score, peak_t, reasons, model_version, created_at, updated_at) VALUES"
                " ('x', 'door-1', 1, 'bogus', 'new', CURRENT_TIMESTAMP, 0, 0, '[]', '',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )


def test_events_need_a_known_camera(db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), db_sessions.begin() as s:
        s.add(Event(camera_id="nowhere", track_id=1, started_at=utcnow()))


def test_idempotency_key_is_unique(db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), db_sessions.begin() as s:
        s.add(AlertDelivery(channel="sms", idempotency_key="k"))
        s.add(AlertDelivery(channel="sms", idempotency_key="k"))


@pytest.mark.parametrize("bad", ["", "Door 1", "../x", "a" * 65, "-lead"])
def test_camera_id_must_be_a_slug(bad: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        Camera(id=bad, name="x")
