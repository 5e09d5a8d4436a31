"""Persists a camera's events and evidence, and enqueues their alerts in the same commit.

The event row and its outbox rows are written in one transaction, so an event is never
stored without its alerts (nor an alert sent for an event that was rolled back). The
service process is told afterwards (``notify``) so it can wake the outbox sender and
push the change to the dashboard.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.outbox import enqueue
from shopguard.config import ServiceConfig
from shopguard.events.evidence import EvidenceReady
from shopguard.events.manager import ActiveEvent, EventUpdate
from shopguard.service.channel_source import ChannelSource
from shopguard.service.wiring import build_archive, open_database
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.models import Event, EventStatus, EvidenceKind
from shopguard.storage.repository import create_event, get_event, reasons_to_json

log = logging.getLogger(__name__)

Notify = Callable[..., None]


def wall_time(t: float) -> datetime:
    """A live source's capture time (Unix seconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(t, UTC)


def event_summary(event: Event) -> dict[str, Any]:
    """What the dashboard's live feed needs to show an event change."""
    return {
        "id": event.id,
        "camera_id": event.camera_id,
        "track_id": event.track_id,
        "status": event.status.value,
        "review_status": event.review_status.value,
        "started_at": event.started_at.isoformat(),
        "ended_at": event.ended_at.isoformat() if event.ended_at else None,
        "peak_score": event.peak_score,
        "reasons": event.reasons,
        "model_version": event.model_version,
    }


class DatabaseEventSink:
    """``EventSink`` of the service: database + outbox + evidence archive.

    Database errors (locked, connection lost) are retried by the caller's next update:
    a failed write is logged, counted in ``errors`` and kept in ``pending`` to retry.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        archive: EvidenceArchive,
        channels_for: Callable[[float | None], list[str]],
        notify: Notify | None = None,
    ):
        self.sessions, self.archive, self.channels_for = sessions, archive, channels_for
        self.notify = notify or (lambda *a, **k: None)
        self.errors = 0
        self._pending: list[EventUpdate | EvidenceReady] = []
        # Updates come from the pipeline thread, evidence from the evidence writer thread.
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: ServiceConfig, notify: Notify | None = None) -> DatabaseEventSink:
        """The sink a worker process uses, built from the service configuration."""
        source = ChannelSource(config.data_dir, config.alerts)
        return cls(open_database(config), build_archive(config), source.channels_for, notify)

    def on_updates(self, updates: list[EventUpdate]) -> None:
        self._drain(updates)

    def on_evidence(self, item: EvidenceReady) -> None:
        self._drain([item])

    def close(self) -> None:
        """Last attempt at anything still pending (shutdown)."""
        self._drain([])
        if self._pending:
            log.error("%d event changes could not be stored", len(self._pending))

    def _drain(self, new: Sequence[EventUpdate | EvidenceReady]) -> None:
        """Store ``new`` after anything still pending, in order; stop at a database error
        (the rest is retried with the next call)."""
        with self._lock:
            self._pending.extend(new)
            while self._pending:
                item = self._pending[0]
                try:
                    if isinstance(item, EventUpdate):
                        self._store_update(item)
                    else:
                        self._store_evidence(item)
                except SQLAlchemyError as exc:
                    self.errors += 1
                    log.warning("database write failed, will retry: %s", exc)
                    return
                except OSError as exc:  # the evidence file is gone or unreadable
                    self.errors += 1
                    log.error("cannot archive %s: %s", getattr(item, "path", item), exc)
                self._pending.pop(0)

    def _store_update(self, update: EventUpdate) -> None:
        ev = update.event
        with self.sessions.begin() as session:
            row = get_event(session, ev.id)
            if row is None:
                row = create_event(
                    session,
                    event_id=ev.id,
                    camera_id=ev.camera_id,
                    track_id=ev.track_id,
                    started_at=wall_time(ev.t_start),
                    peak_score=ev.peak_score,
                    peak_t=ev.peak_t,
                    reasons=ev.reasons,
                    model_version=_model_version(ev),
                )
                enqueue(session, row, self.channels_for(ev.peak_score))
            self._apply(row, ev)
            summary = event_summary(row)
        self.notify("event", event_kind=f"event.{update.kind}", data=summary)

    @staticmethod
    def _apply(row: Event, ev: ActiveEvent) -> None:
        row.peak_score = max(row.peak_score, ev.peak_score)
        row.peak_t = ev.peak_t
        row.reasons = reasons_to_json(ev.reasons)
        row.score_timeline = [[round(t, 3), round(s, 4)] for t, s in ev.scores]
        if ev.closed:
            row.status = EventStatus.CLOSED
            row.ended_at = wall_time(ev.t_end)

    def _store_evidence(self, item: EvidenceReady) -> None:
        with self.sessions.begin() as session:
            row = get_event(session, item.event_id)
            if row is None:
                log.error("evidence for unknown event %s: %s", item.event_id, item.path)
                return
            row_camera = row.camera_id
            kind = EvidenceKind(item.kind)
            existing = [e for e in row.evidence if e.kind == kind]
            for old in existing:  # a newer snapshot of a higher peak replaces the old one
                self.archive.delete(session, old)
            self.archive.add(session, row, kind, item.path)
            if kind == EvidenceKind.CLIP:
                row.clip_t0 = item.t_start
        item.path.unlink(missing_ok=True)
        self.notify("evidence", event_kind="event.evidence",
                    data={"id": item.event_id, "camera_id": row_camera, "kind": item.kind})


def _model_version(ev: ActiveEvent) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(ev.model_versions.items()))[:100]
