"""Alert payloads and how they read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.message import (
    MessageFormat,
    Notice,
    event_payload,
    notice_payload,
    probe_payload,
)
from shopguard.core import Reason
from shopguard.storage.models import Camera, EvidenceKind, StoreKind
from shopguard.storage.repository import add_evidence, create_event

T0 = datetime(2024, 5, 1, 12, 0, 15, tzinfo=UTC)


def test_event_payload_and_text(sqlite_sessions: sessionmaker[Session]) -> None:
    with sqlite_sessions.begin() as s:
        s.add(Camera(id="door-1", name="Front door"))
        event = create_event(
            s,
            camera_id="door-1",
            track_id=4,
            started_at=T0,
            peak_score=0.876,
            reasons=[
                Reason("conceal", "right hand at waistband for 2.1 s", 1, 3.1, 0.5),
                Reason("exit", "walked to exit", 4, 5, 0.2),
            ],
            model_version="gru-3",
        )
        add_evidence(
            s,
            event_id=event.id,
            kind=EvidenceKind.SNAPSHOT,
            store=StoreKind.LOCAL,
            key="door-1/snap.jpg",
            size=3,
            sha256="0" * 64,
            uploaded=True,
        )
        s.refresh(event)
        payload = event_payload(event)
    assert payload == {
        "v": 1,
        "kind": "event",
        "event_id": event.id,
        "camera_id": "door-1",
        "camera_name": "Front door",
        "at": "2024-05-01T12:00:15+00:00",
        "score": 0.876,
        "reason": "right hand at waistband for 2.1 s",
        "reasons": [
            {"code": "conceal", "text": "right hand at waistband for 2.1 s"},
            {"code": "exit", "text": "walked to exit"},
        ],
        "model_version": "gru-3",
        "snapshot_key": "door-1/snap.jpg",
    }
    message = MessageFormat("https://guard.example/", "Europe/Berlin").render(payload)
    assert message.link == f"https://guard.example/events/{event.id}"
    assert message.subject == "ShopGuard: suspicious behaviour at Front door"
    assert message.text == (
        "ShopGuard alert at Front door, 2024-05-01 14:00:15 CEST: right hand at waistband "
        f"for 2.1 s (score 0.88). Review: https://guard.example/events/{event.id}"
    )


def test_event_without_reasons_reads_generically(sqlite_sessions: sessionmaker[Session]) -> None:
    with sqlite_sessions.begin() as s:
        payload = event_payload(create_event(s, camera_id="c", track_id=1, started_at=T0))
    assert payload["reason"] == ""
    assert payload["snapshot_key"] == f"c/2024/05/01/{payload['event_id']}/snapshot.jpg"
    assert "suspicious behaviour (score 0.00)" in MessageFormat().render(payload).text


def test_notice_and_probe_payloads() -> None:
    notice = Notice("door-1", "offline", "no frames for 60 s", T0)
    assert notice.idempotency_base() == f"notice.door-1.offline.{int(T0.timestamp())}"
    assert Notice("door-1", "offline", "x", T0, key="k").idempotency_base() == "k"
    message = MessageFormat("https://g.example").render(notice_payload(notice))
    assert message.subject == "ShopGuard: camera door-1 offline"
    assert message.link == "https://g.example/cameras/door-1"
    assert "is offline since 2024-05-01 12:00:15 UTC: no frames for 60 s" in message.text
    probe = MessageFormat().render(probe_payload("sms", T0))
    assert probe.link is None and "channel 'sms'" in probe.text
