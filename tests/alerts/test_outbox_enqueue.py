"""enqueue: outbox rows written in the caller's transaction, once per event and channel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.message import Notice
from shopguard.alerts.outbox import enqueue, idempotency_key
from shopguard.storage.models import AlertDelivery, DeliveryStatus, utcnow
from shopguard.storage.repository import create_event

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(select(func.count(AlertDelivery.id))) or 0


def test_rows_commit_with_the_event(db_sessions: sessionmaker[Session]) -> None:
    woken: list[int] = []
    with db_sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=T0, peak_score=0.9)
        rows = enqueue(s, event, ["sms", "webhook"], on_commit=lambda: woken.append(1))
        assert woken == []  # not before the commit
    assert woken == [1]
    assert [r.idempotency_key for r in rows] == [f"{event.id}.sms", f"{event.id}.webhook"]
    with db_sessions() as s:
        stored = s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).all()
        assert [(r.channel, r.event_id, r.status, r.attempts) for r in stored] == [
            ("sms", event.id, DeliveryStatus.PENDING, 0),
            ("webhook", event.id, DeliveryStatus.PENDING, 0),
        ]
        assert stored[0].payload["event_id"] == event.id
        assert stored[0].payload["score"] == 0.9
        assert stored[0].next_attempt_at <= utcnow()


def test_rollback_leaves_neither_event_nor_alert(db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), db_sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=T0)
        enqueue(s, event, ["sms"])
        raise RuntimeError("worker crashed before commit")
    assert _count(db_sessions) == 0


def test_enqueue_is_idempotent_per_event_and_channel(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=T0)
        assert len(enqueue(s, event, ["sms", "sms", "email"])) == 2
    with db_sessions.begin() as s:
        woken: list[int] = []
        again = enqueue(
            s, s.merge(event), ["sms", "email", "mqtt"], on_commit=lambda: woken.append(1)
        )
        assert [r.channel for r in again] == ["mqtt"]
        assert enqueue(s, event, []) == []
    assert woken == [1] and _count(db_sessions) == 3


def test_notices_have_no_event(db_sessions: sessionmaker[Session]) -> None:
    notice = Notice("door-1", "offline", "no frames for 60 s", T0)
    with db_sessions.begin() as s:
        [row] = enqueue(s, notice, ["mqtt"])
    assert row.event_id is None
    assert row.idempotency_key == idempotency_key(notice, "mqtt")
    assert row.idempotency_key == f"notice.door-1.offline.{int(T0.timestamp())}.mqtt"
    assert row.payload["kind"] == "camera_health"
