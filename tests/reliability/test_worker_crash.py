"""A camera worker killed with SIGKILL in the middle of an event: the supervisor restarts
it, the new worker closes the interrupted event with a note and cleans the spool, and the
event's alert (committed with the event) is delivered once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from service_harness import received_keys, running_service, service_config, wait_until
from sqlalchemy import select

from shopguard.alerts.testing import HttpRecorder
from shopguard.events.evidence_files import part_path
from shopguard.service.recovery import INTERRUPTED_NOTE, recover_camera
from shopguard.service.wiring import build_archive, open_database
from shopguard.storage.models import (
    AlertDelivery,
    DeliveryStatus,
    Event,
    EventStatus,
    EvidenceKind,
    Review,
)
from shopguard.storage.repository import create_event


def test_recovery_closes_open_events_adopts_finished_files_and_drops_partial_ones(
    tmp_path: Path, alarm_model: Path
) -> None:
    config = service_config(tmp_path, [{"id": "aisle", "url": "x.mp4"}], None, alarm_model)
    sessions, archive = open_database(config, migrate=True), build_archive(config)
    from shopguard.storage.models import utcnow

    with sessions.begin() as s:
        open_id = create_event(s, camera_id="aisle", track_id=1, started_at=utcnow()).id
        other = create_event(s, camera_id="till", track_id=2, started_at=utcnow()).id
    spool = config.data_dir / "spool" / "aisle"
    spool.mkdir(parents=True)
    (spool / f"{open_id}.jpg").write_bytes(b"\xff\xd8snapshot\xff\xd9")  # stored? no: adopt
    part_path(spool / f"{open_id}.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom")  # no index
    (spool / "0000-unknown-event.mp4").write_bytes(b"clip of nothing")

    report = recover_camera(sessions, archive, "aisle", spool)

    assert report.closed == [open_id]
    assert report.adopted == [f"{open_id}.jpg"]
    assert sorted(report.removed) == sorted(["0000-unknown-event.mp4", f"{open_id}.mp4.part"])
    assert list(spool.iterdir()) == []
    with sessions() as s:
        row = s.get_one(Event, open_id)
        assert row.status == EventStatus.CLOSED and row.ended_at is not None
        assert [e.kind for e in row.evidence] == [EvidenceKind.SNAPSHOT]
        assert archive.read_key(row.evidence[0].key).startswith(b"\xff\xd8")
        notes = s.scalars(select(Review.note).where(Review.event_id == open_id)).all()
        assert notes == [INTERRUPTED_NOTE]
        assert s.get_one(Event, other).status == EventStatus.OPEN  # another camera's event
    assert recover_camera(sessions, archive, "aisle", spool).empty  # idempotent


@pytest.mark.slow
@pytest.mark.integration
def test_worker_killed_mid_event(
    tmp_path: Path, people_mp4: Path, alarm_model: Path, http_recorder: HttpRecorder
) -> None:
    config = service_config(
        tmp_path, [{"id": "aisle", "url": str(people_mp4), "loop": True}],
        f"{http_recorder.url}/hook", alarm_model,
    )
    spool = config.data_dir / "spool" / "aisle"
    with running_service(config) as service:

        def recording_event() -> str | None:
            with service.sessions() as s:
                ids = s.scalars(select(Event.id).where(Event.status == EventStatus.OPEN)).all()
            return next((i for i in ids if part_path(spool / f"{i}.mp4").exists()), None)

        event_id = wait_until(recording_event, 120, "an open event with a clip being written")
        pid = service.supervisor.pid("aisle")
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: service.supervisor.pid("aisle") not in (None, pid), 30, "a restart")

        def closed() -> Event | None:
            with service.sessions() as s:
                row = s.get_one(Event, event_id)
                return row if row.status == EventStatus.CLOSED else None

        row = wait_until(closed, 60, "the interrupted event to be closed")
        assert row.ended_at is not None and row.ended_at >= row.started_at
        assert not part_path(spool / f"{event_id}.mp4").exists()
        key = f"{event_id}.desk"
        wait_until(lambda: received_keys(http_recorder)[key] >= 1, 30, "the event's alert")
        with service.sessions() as s:
            notes = s.scalars(select(Review.note).where(Review.event_id == event_id)).all()
            delivery = s.scalars(select(AlertDelivery).where(
                AlertDelivery.idempotency_key == key)).one()
        assert notes == [INTERRUPTED_NOTE]
        assert delivery.status == DeliveryStatus.SENT
        assert service.supervisor.health()["aisle"]["restarts"] >= 1
    assert received_keys(http_recorder)[key] == 1
