"""Repository functions on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.core import Reason
from shopguard.storage.models import (
    Camera,
    Event,
    EventStatus,
    EvidenceKind,
    EvidenceObject,
    ReviewStatus,
    StoreKind,
)
from shopguard.storage.repository import (
    EventFilter,
    add_evidence,
    add_review,
    close_event,
    create_event,
    get_event,
    list_events,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _seed(s: Session) -> list[str]:
    """Ten events: cameras a/b alternating, one minute apart, scores 0.0 … 0.9."""
    ids = []
    for i in range(10):
        event = create_event(
            s,
            camera_id="cam-a" if i % 2 == 0 else "cam-b",
            track_id=i,
            started_at=T0 + timedelta(minutes=i),
            peak_score=i / 10,
        )
        ids.append(event.id)
    return ids


def test_create_and_get_keeps_reasons_and_creates_camera(
    db_sessions: sessionmaker[Session],
) -> None:
    reason = Reason("hand_to_waist", "right hand at waistband for 2.1 s", 3.0, 5.1, 0.4)
    with db_sessions.begin() as s:
        event = create_event(
            s,
            camera_id="door-1",
            track_id=7,
            started_at=T0,
            peak_score=0.91,
            peak_t=4.2,
            reasons=[reason, {"code": "exit", "text": "left by exit", "t_start": 6, "t_end": 7}],
            model_version="gru-1",
        )
        event_id = event.id
    with db_sessions() as s:
        got = get_event(s, event_id)
        assert got is not None
        assert (got.camera_id, got.track_id, got.peak_score, got.model_version) == (
            "door-1",
            7,
            pytest.approx(0.91),
            "gru-1",
        )
        assert got.reasons[0] == {
            "code": "hand_to_waist",
            "text": "right hand at waistband for 2.1 s",
            "t_start": 3.0,
            "t_end": 5.1,
            "weight": 0.4,
        }
        assert got.reasons[1]["weight"] == 0.0
        assert got.status is EventStatus.OPEN and got.review_status is ReviewStatus.NEW
        assert s.get(Camera, "door-1") is not None
        assert get_event(s, "missing") is None


def test_create_rejects_bad_input(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions() as s:
        with pytest.raises(ValueError, match="peak_score"):
            create_event(s, camera_id="c", track_id=1, started_at=T0, peak_score=1.5)
        with pytest.raises(TypeError):
            create_event(s, camera_id="c", track_id=1, started_at=T0, reasons=[{"code": "x"}])
        with pytest.raises(ValueError, match="slug"):
            create_event(s, camera_id="Bad Id", track_id=1, started_at=T0)


def test_list_filters_and_pages(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as s:
        ids = _seed(s)
        close_event(s, s.get_one(Event, ids[0]), T0 + timedelta(hours=1))
    with db_sessions() as s:
        page = list_events(s, limit=3)
        assert page.total == 10
        assert [e.id for e in page.items] == ids[::-1][:3]
        assert [e.id for e in list_events(s, limit=3, offset=9).items] == [ids[0]]
        assert list_events(s, EventFilter(camera_ids=["cam-b"])).total == 5
        assert list_events(s, EventFilter(camera_ids=[])).total == 0
        window = EventFilter(since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=5))
        assert [e.track_id for e in list_events(s, window).items] == [4, 3, 2]
        assert list_events(s, EventFilter(min_score=0.75)).total == 2
        assert [e.id for e in list_events(s, EventFilter(status=EventStatus.CLOSED)).items] == [
            ids[0]
        ]
        both = EventFilter(camera_ids=["cam-a"], min_score=0.5)
        assert [e.track_id for e in list_events(s, both).items] == [8, 6]


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (501, 0), (10, -1)])
def test_list_rejects_bad_paging(
    db_sessions: sessionmaker[Session], limit: int, offset: int
) -> None:
    with db_sessions() as s, pytest.raises(ValueError):
        list_events(s, limit=limit, offset=offset)


def test_reviews_set_review_status(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as s:
        event_id = create_event(s, camera_id="c", track_id=1, started_at=T0).id
        add_review(s, event_id=event_id, decision=ReviewStatus.ESCALATED, note="check")
        add_review(s, event_id=event_id, decision=ReviewStatus.CONFIRMED, note="seen it")
    with db_sessions() as s:
        event = get_event(s, event_id)
        assert event is not None
        assert event.review_status is ReviewStatus.CONFIRMED
        assert [r.decision for r in event.reviews] == ["escalated", "confirmed"]
        filt = EventFilter(review_status=ReviewStatus.CONFIRMED)
        assert [e.id for e in list_events(s, filt).items] == [event_id]


def test_review_rejects_bad_input(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions() as s:
        event_id = create_event(s, camera_id="c", track_id=1, started_at=T0).id
        with pytest.raises(LookupError):
            add_review(s, event_id="nope", decision=ReviewStatus.CONFIRMED)
        with pytest.raises(ValueError):
            add_review(s, event_id=event_id, decision=ReviewStatus.NEW)
        with pytest.raises(ValueError):
            add_review(s, event_id=event_id, decision="maybe")  # type: ignore[arg-type]


def test_evidence_rows_belong_to_event_and_go_with_it(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as s:
        event_id = create_event(s, camera_id="c", track_id=1, started_at=T0).id
        add_evidence(
            s,
            event_id=event_id,
            kind=EvidenceKind.CLIP,
            store=StoreKind.LOCAL,
            key="c/clip.mp4",
            size=10,
            sha256="0" * 64,
            uploaded=True,
        )
    with db_sessions.begin() as s:
        event = get_event(s, event_id)
        assert event is not None
        assert [(e.kind, e.key, e.size) for e in event.evidence] == [("clip", "c/clip.mp4", 10)]
        s.delete(event)
    with db_sessions() as s:
        assert s.scalar(select(func.count(EvidenceObject.id))) == 0
