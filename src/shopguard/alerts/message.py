"""What an alert carries (the stored payload) and how it reads (subject, text, link).

The payload is plain JSON, written into the outbox row when the alert is enqueued, so
a delivery retried hours later still says what was true at the time.

Example:
    >>> p = notice_payload(Notice("door-1", "offline", "no frames for 60 s",
    ...                           datetime(2024, 5, 1, 12, tzinfo=UTC)))
    >>> MessageFormat("https://shop.example").render(p).subject
    'ShopGuard: camera door-1 offline'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shopguard.storage.evidence.archive import evidence_key
from shopguard.storage.models import Event, EvidenceKind

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Notice:
    """A camera-health alert, not tied to an event (e.g. a camera went offline).

    ``key`` makes the notice idempotent; by default camera, status and second.
    """

    camera_id: str
    status: str
    text: str
    at: datetime
    key: str = ""

    def idempotency_base(self) -> str:
        return self.key or f"notice.{self.camera_id}.{self.status}.{int(self.at.timestamp())}"


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """The human-readable form of a payload."""

    subject: str
    text: str
    link: str | None


def event_payload(event: Event) -> dict[str, Any]:
    """The payload of an event alert: camera, time, score, top reasons, snapshot key.

    ``snapshot_key`` is the stored snapshot's key, or the key a ``.jpg`` snapshot of this
    event will get from ``EvidenceArchive.add`` (it may not be stored yet).
    """
    snapshots = [e.key for e in event.evidence if e.kind == EvidenceKind.SNAPSHOT]
    # Usually stored just after the alert is queued, under this deterministic key.
    snapshot_key = snapshots[0] if snapshots else evidence_key(event, EvidenceKind.SNAPSHOT, ".jpg")
    camera = event.camera
    return {
        "v": SCHEMA_VERSION,
        "kind": "event",
        "event_id": event.id,
        "camera_id": event.camera_id,
        "camera_name": camera.name if camera is not None else event.camera_id,
        "at": event.started_at.isoformat(),
        "score": round(float(event.peak_score), 4),
        "reason": event.reasons[0]["text"] if event.reasons else "",
        "reasons": [{"code": r["code"], "text": r["text"]} for r in event.reasons[:3]],
        "model_version": event.model_version,
        "snapshot_key": snapshot_key,
    }


def notice_payload(notice: Notice) -> dict[str, Any]:
    """The payload of a camera-health notice."""
    return {
        "v": SCHEMA_VERSION,
        "kind": "camera_health",
        "camera_id": notice.camera_id,
        "camera_name": notice.camera_id,
        "status": notice.status,
        "text": notice.text,
        "at": notice.at.isoformat(),
    }


def probe_payload(channel: str, at: datetime | None = None) -> dict[str, Any]:
    """The payload ``shopguard alerts test`` sends."""
    return {
        "v": SCHEMA_VERSION,
        "kind": "test",
        "camera_id": "test",
        "camera_name": "test",
        "text": f"Test alert from ShopGuard on channel {channel!r}.",
        "at": (at or datetime.now(UTC)).isoformat(),
    }


def _when(iso: str, tz: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S %Z")


@dataclass(frozen=True, slots=True)
class MessageFormat:
    """How payloads read: dashboard ``base_url`` for links, time zone ``tz`` for times."""

    base_url: str = "http://localhost:8080"
    tz: str = "UTC"

    def render(self, payload: Mapping[str, Any]) -> AlertMessage:
        """Subject, text and dashboard link of a payload."""
        return render(payload, self.base_url, self.tz)


def render(payload: Mapping[str, Any], base_url: str, tz: str = "UTC") -> AlertMessage:
    """Subject, text and dashboard link of a payload (``tz``: time zone of the text)."""
    camera = payload.get("camera_name") or payload.get("camera_id", "?")
    when = _when(payload["at"], tz)
    if payload["kind"] == "event":
        link = f"{base_url.rstrip('/')}/events/{payload['event_id']}"
        reason = payload.get("reason") or "suspicious behaviour"
        text = (
            f"ShopGuard alert at {camera}, {when}: {reason} "
            f"(score {payload['score']:.2f}). Review: {link}"
        )
        return AlertMessage(f"ShopGuard: suspicious behaviour at {camera}", text, link)
    if payload["kind"] == "camera_health":
        link = f"{base_url.rstrip('/')}/cameras/{payload['camera_id']}"
        text = f"ShopGuard camera {camera} is {payload['status']} since {when}: {payload['text']}"
        return AlertMessage(f"ShopGuard: camera {camera} {payload['status']}", text, link)
    return AlertMessage("ShopGuard: test alert", f"{payload['text']} ({when})", None)
