"""Evidence retention: by age, and by free disk space on the local store.

Rules, in order:

1. Evidence older than ``max_age_days`` is deleted, unless its event is *protected*
   (review status ``confirmed`` or ``escalated``).
2. If the local store's disk has less than ``min_free_bytes`` free:
   a. local copies of objects already verified in the remote store are dropped, oldest
      first (the evidence itself survives remotely, so this applies to every event);
   b. then unprotected evidence of closed events is deleted, oldest first,
   each step stopping as soon as free space is back above the floor.

Evidence of a confirmed or escalated incident is never deleted automatically. Every
deletion is written to the audit log (``delete_evidence`` by ``system:retention``) in the
same transaction.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.privacy.audit import RETENTION, AuditAction, record
from shopguard.storage.background import WakeableLoop
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.models import Event, EventStatus, EvidenceObject, ReviewStatus, utcnow

log = logging.getLogger(__name__)

PROTECTED = (ReviewStatus.CONFIRMED, ReviewStatus.ESCALATED)

FreeBytes = Callable[[Path], int]


def disk_free_bytes(path: Path) -> int:
    """Free bytes on the file system holding ``path``."""
    return shutil.disk_usage(path).free


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """``None`` turns a rule off."""

    max_age_days: float | None = 30.0
    min_free_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.max_age_days is not None and self.max_age_days <= 0:
            raise ValueError(f"max_age_days must be > 0, got {self.max_age_days}")
        if self.min_free_bytes is not None and self.min_free_bytes < 0:
            raise ValueError(f"min_free_bytes must be ≥ 0, got {self.min_free_bytes}")


@dataclass(frozen=True, slots=True)
class Removed:
    """One object removed: ``why`` is ``age``, ``disk`` (deleted) or ``disk-local-copy``."""

    evidence_id: int
    event_id: str
    key: str
    size: int
    why: str


@dataclass(slots=True)
class RetentionReport:
    """What one retention run removed, and whether free space is still under the floor."""

    removed: list[Removed] = field(default_factory=list)
    below_floor: bool = False

    @property
    def deleted(self) -> list[Removed]:
        """Evidence deleted outright (rows and every copy)."""
        return [r for r in self.removed if r.why != "disk-local-copy"]

    @property
    def freed_bytes(self) -> int:
        return sum(r.size for r in self.removed)


def _unprotected(query: Select[Any]) -> Select[Any]:
    return query.join(Event, Event.id == EvidenceObject.event_id).where(
        Event.review_status.not_in(PROTECTED)
    )


def apply_retention(
    sessions: sessionmaker[Session],
    archive: EvidenceArchive,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    free_bytes: FreeBytes = disk_free_bytes,
) -> RetentionReport:
    """Apply ``policy`` to all evidence; each object is removed in its own transaction.

    ``free_bytes`` reports free space for a directory (tests pass a fake one).
    """
    report = RetentionReport()
    if policy.max_age_days is not None:
        cutoff = (now or utcnow()) - timedelta(days=policy.max_age_days)
        query = _unprotected(select(EvidenceObject.id)).where(EvidenceObject.created_at < cutoff)
        _remove(sessions, archive, query, "age", report, lambda: False)

    floor = policy.min_free_bytes
    if floor is None:
        return report

    def above_floor() -> bool:
        return free_bytes(archive.local.root) >= floor

    if above_floor():
        return report
    oldest = (EvidenceObject.created_at, EvidenceObject.id)
    cached = select(EvidenceObject.id).where(EvidenceObject.uploaded).order_by(*oldest)
    if archive.remote is not None:
        cached = cached.where(EvidenceObject.store == archive.remote.kind)
        _remove(sessions, archive, cached, "disk-local-copy", report, above_floor)
    if not above_floor():
        closed = _unprotected(select(EvidenceObject.id)).where(Event.status == EventStatus.CLOSED)
        _remove(sessions, archive, closed.order_by(*oldest), "disk", report, above_floor)
    report.below_floor = not above_floor()
    if report.below_floor:
        log.warning("evidence disk still under %d free bytes: the rest is protected", floor)
    return report


def _remove(
    sessions: sessionmaker[Session],
    archive: EvidenceArchive,
    query: Select[Any],
    why: str,
    report: RetentionReport,
    done: Callable[[], bool],
) -> None:
    with sessions() as s:
        ids = list(s.scalars(query))
    for evidence_id in ids:
        if done():
            return
        with sessions.begin() as s:
            row = s.get(EvidenceObject, evidence_id)
            if row is None:
                continue
            removed = Removed(row.id, row.event_id, row.key, row.size, why)
            if why == "disk-local-copy":
                if not archive.has_local_copy(row) or not archive.drop_local_copy(row):
                    continue
            else:
                record(s, RETENTION, AuditAction.DELETE_EVIDENCE, target_type="event",
                       target_id=row.event_id, camera_id=row.event.camera_id,
                       detail={"kind": row.kind.value, "size": row.size, "why": why})
                archive.delete(s, row)
        report.removed.append(removed)
        log.info("retention removed %s (%s, %d bytes)", removed.key, why, removed.size)


class RetentionWorker:
    """Runs ``apply_retention`` every ``interval_s`` in a background thread."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        archive: EvidenceArchive,
        policy: RetentionPolicy,
        *,
        interval_s: float = 3600.0,
    ):
        self.last_report = RetentionReport()
        self._run = lambda: apply_retention(sessions, archive, policy)
        self._loop = WakeableLoop("evidence-retention", self._step, idle_s=interval_s)

    def _step(self) -> float | None:
        self.last_report = self._run()
        return None

    def start(self) -> None:
        self._loop.start()

    def wake(self) -> None:
        """Run now (e.g. when a writer sees the disk filling up)."""
        self._loop.wake()

    def stop(self) -> None:
        self._loop.stop()
