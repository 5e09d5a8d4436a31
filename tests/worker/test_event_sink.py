"""Events, their outbox rows and their evidence reach the database together."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.config import parse_alerts_config
from shopguard.core import Reason
from shopguard.events.evidence import EvidenceReady
from shopguard.events.manager import ActiveEvent, EventUpdate
from shopguard.service.event_sink import DatabaseEventSink
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.evidence.local import LocalEvidenceStore
from shopguard.storage.models import AlertDelivery, Event, EventStatus, EvidenceObject

T0 = 1_750_000_000.0
ALERTS = parse_alerts_config(
    {
        "channels": [
            {"type": "webhook", "name": "hook", "url": "http://127.0.0.1:9/x", "secret": "s"},
            {"type": "webhook", "name": "vip", "url": "http://127.0.0.1:9/y", "secret": "s",
             "min_score": 0.95},
        ]
    }
)


def _event(**changes: object) -> ActiveEvent:
    base = dict(
        id="4b0c2f7e-0000-4000-8000-000000000001", camera_id="door", track_id=3,
        t_start=T0, t_opened=T0 + 1, t_end=T0 + 1, peak_score=0.8, peak_t=T0 + 1,
        peak_box=(1.0, 2.0, 3.0, 4.0),
        reasons=(Reason("model", "concealment-like movement", T0, T0 + 1, 0.8),),
        model_versions={"behavior": "lstm-1", "pose": "yolo11n-pose"},
    )
    return ActiveEvent(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture
def sink(db_sessions: sessionmaker[Session], tmp_path: Path) -> tuple[DatabaseEventSink, list]:
    notes: list = []
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    sink = DatabaseEventSink(
        db_sessions, archive, ALERTS.channels_for, lambda *a, **k: notes.append(k)
    )
    return sink, notes


def test_open_writes_event_and_its_deliveries_together(
    sink: tuple[DatabaseEventSink, list], db_sessions: sessionmaker[Session]
) -> None:
    s, notes = sink
    s.on_updates([EventUpdate("opened", _event())])
    with db_sessions() as session:
        event = session.scalars(select(Event)).one()
        deliveries = session.scalars(select(AlertDelivery)).all()
        assert event.status == EventStatus.OPEN and event.track_id == 3
        assert event.started_at.timestamp() == pytest.approx(T0)
        assert "behavior=lstm-1" in event.model_version
        assert [d.channel for d in deliveries] == ["hook"]  # vip needs score ≥ 0.95
        assert deliveries[0].idempotency_key == f"{event.id}.hook"
    assert notes[0]["event_kind"] == "event.opened" and notes[0]["data"]["id"] == event.id


def test_updates_raise_the_peak_and_close(
    sink: tuple[DatabaseEventSink, list], db_sessions: sessionmaker[Session]
) -> None:
    s, notes = sink
    s.on_updates([EventUpdate("opened", _event())])
    s.on_updates([EventUpdate("updated", _event(peak_score=0.97, peak_t=T0 + 3,
                                                scores=((T0, 0.8), (T0 + 3, 0.97))))])
    s.on_updates([EventUpdate("closed", _event(peak_score=0.97, t_end=T0 + 9,
                                               close_reason="quiet",
                                               scores=((T0, 0.8), (T0 + 3, 0.97), (T0 + 6, 0.2))))])
    with db_sessions() as session:
        event = session.scalars(select(Event)).one()
        assert event.peak_score == pytest.approx(0.97)
        assert event.status == EventStatus.CLOSED
        assert event.score_timeline == [[T0, 0.8], [T0 + 3, 0.97], [T0 + 6, 0.2]]
        assert event.ended_at is not None and event.ended_at.timestamp() == pytest.approx(T0 + 9)
        # One alert per event and channel: later updates enqueue nothing new.
        assert session.scalars(select(AlertDelivery)).all().__len__() == 1
    assert [n["event_kind"] for n in notes] == ["event.opened", "event.updated", "event.closed"]


def test_evidence_is_archived_and_a_new_snapshot_replaces_the_old(
    sink: tuple[DatabaseEventSink, list], db_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    s, _ = sink
    s.on_updates([EventUpdate("opened", _event())])
    for content in (b"first", b"second!"):
        snap = tmp_path / "snap.jpg"
        snap.write_bytes(content)
        s.on_evidence(EvidenceReady(_event().id, "snapshot", snap, T0, T0))
        assert not snap.exists()  # moved into the archive
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 100)
    s.on_evidence(EvidenceReady(_event().id, "clip", clip, T0 - 5, T0 + 10))
    with db_sessions() as session:
        rows = {r.kind.value: r for r in session.scalars(select(EvidenceObject))}
        assert set(rows) == {"snapshot", "clip"}
        assert rows["snapshot"].size == len(b"second!") and rows["clip"].size == 100
        assert s.archive.local.read(rows["snapshot"].key) == b"second!"
        assert session.scalars(select(Event)).one().clip_t0 == pytest.approx(T0 - 5)
