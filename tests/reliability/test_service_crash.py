"""SIGKILL of the whole service while an event is open and its alerts are being sent:
the workers do not outlive it, and after a restart every pending delivery goes out (each
receiver de-duplicating on the idempotency key sees it once), the event is closed, and
the database passes its integrity and foreign-key checks."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psutil
import pytest
from service_harness import received_keys, service_config, wait_until
from service_process import ServiceProcess
from sqlalchemy import func, select

from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.service.recovery import INTERRUPTED_NOTE
from shopguard.service.wiring import open_database
from shopguard.storage.models import (
    AlertDelivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventStatus,
    Review,
)
from shopguard.storage.testing import free_port

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_service_killed_with_pending_deliveries_and_an_open_event(
    tmp_path: Path, people_mp4: Path, alarm_model: Path, http_recorder: HttpRecorder
) -> None:
    http_recorder.default = Reply(delay_s=6.0)  # the receiver is slow: sends are in flight
    config = service_config(
        tmp_path, [{"id": "aisle", "url": str(people_mp4), "loop": True}],
        f"{http_recorder.url}/hook", alarm_model, server={"port": free_port()},
    )
    sessions = open_database(config, migrate=True)
    service = ServiceProcess(config, tmp_path)
    service.start()
    service.wait_ready()
    try:
        def in_flight() -> list[str]:
            with sessions() as s:
                open_events = s.scalars(select(Event.id).where(
                    Event.status == EventStatus.OPEN)).all()
                claimed = s.scalars(select(AlertDelivery.idempotency_key).where(
                    AlertDelivery.status == DeliveryStatus.PENDING,
                    AlertDelivery.attempts >= 1)).all()
            return list(open_events) if open_events and claimed else []

        open_ids = wait_until(in_flight, 150, "an open event with its alert in flight")
        assert http_recorder.wait_for(1, 10)
        workers = service.workers()
        assert workers, service.log()[-2000:]
        service.kill()
        _gone, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, "camera workers outlived the killed service"

        http_recorder.default = Reply()  # the receiver is fine again
        restarted = time.monotonic()
        service.start()
        service.wait_ready()

        def all_sent() -> bool:
            with sessions() as s:
                return s.scalar(select(func.count()).select_from(AlertDelivery).where(
                    AlertDelivery.status != DeliveryStatus.SENT)) == 0
        wait_until(all_sent, 90, "every delivery to be sent")
        assert time.monotonic() - restarted < 120  # not after the 300 s lease

        def closed() -> bool:
            with sessions() as s:
                rows = [s.get_one(Event, i) for i in open_ids]
                return all(r.status == EventStatus.CLOSED and r.ended_at for r in rows)
        wait_until(closed, 60, "the interrupted events to be closed")
        workers = service.workers()
    finally:
        exit_code = service.stop()
    assert exit_code == 0, service.log()[-3000:]
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, "camera workers outlived the stopped service"

    with sessions() as s:
        keys = set(s.scalars(select(AlertDelivery.idempotency_key)))
        ok_attempts = dict(s.execute(
            select(DeliveryAttempt.delivery_id, func.count()).where(DeliveryAttempt.ok)
            .group_by(DeliveryAttempt.delivery_id)).all())
        deliveries = s.scalars(select(AlertDelivery.id)).all()
        notes = s.scalars(select(Review.note).where(Review.event_id.in_(open_ids))).all()
    received = received_keys(http_recorder)
    assert keys <= set(received)  # nothing lost
    assert set(received) <= keys | {""}  # nothing invented
    assert all(ok_attempts.get(d) == 1 for d in deliveries)  # acknowledged once each
    # closed either by the orphaned worker on its way out (it saw the service gone and
    # stopped cleanly) or, had it died too, by the next worker with a note
    assert set(notes) <= {INTERRUPTED_NOTE}

    db = sqlite3.connect(config.data_dir / "shopguard.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
