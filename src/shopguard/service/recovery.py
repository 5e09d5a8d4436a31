"""What a camera worker does first: clean up after a predecessor that died (``kill -9``,
out of memory, power loss) before it could close its events or store its evidence.

* Events of the camera still ``open`` are closed: ``ended_at`` is the last time the
  event was written, and a system note (a review entry without a user that keeps the
  review status) says why. Their alerts were committed with the event, so none is lost.
* Finished evidence files left in the camera's spool (``<event id>.mp4``/``.jpg``: the
  worker died between writing and storing them) are adopted into the archive when their
  event exists and has no evidence of that kind yet, else removed.
* Partial clips (``*.part``: an MP4 without its index, which no player can open) are
  removed.

Only the camera's own worker calls this, after the supervisor saw the previous worker
exit, so nothing else writes these rows or files at the same time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.models import Event, EventStatus, EvidenceKind, Review

log = logging.getLogger(__name__)

INTERRUPTED_NOTE = (
    "Closed automatically: the camera's worker stopped unexpectedly while this event was "
    "open. The clip, if any, ends where recording stopped."
)
KINDS = {".mp4": EvidenceKind.CLIP, ".jpg": EvidenceKind.SNAPSHOT}


@dataclass(slots=True)
class RecoveryReport:
    """Ids of the events closed, and the spool files adopted or removed."""

    closed: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.closed or self.adopted or self.removed)


def close_interrupted_events(session: Session, camera_id: str) -> list[str]:
    """Close the camera's open events with a system note; returns their ids."""
    rows = session.scalars(
        select(Event).where(Event.camera_id == camera_id, Event.status == EventStatus.OPEN)
    ).all()
    for row in rows:
        row.status = EventStatus.CLOSED
        row.ended_at = max(row.updated_at or row.started_at, row.started_at)
        session.add(Review(event_id=row.id, user_id=None, decision=row.review_status,
                           note=INTERRUPTED_NOTE))
    return [row.id for row in rows]


def _adopt(session: Session, archive: EvidenceArchive, path: Path) -> bool:
    """Store a finished spool file as its event's evidence; ``False`` if not wanted."""
    kind = KINDS.get(path.suffix.lower())
    event = session.get(Event, path.stem) if kind is not None else None
    if event is None or kind is None or any(e.kind == kind for e in event.evidence):
        return False
    archive.add(session, event, kind, path)
    return True


def recover_camera(
    sessions: sessionmaker[Session], archive: EvidenceArchive, camera_id: str, spool: Path
) -> RecoveryReport:
    """Close the camera's interrupted events and clean its spool directory."""
    report = RecoveryReport()
    with sessions.begin() as session:
        report.closed = close_interrupted_events(session, camera_id)
    files = sorted(spool.iterdir()) if spool.is_dir() else []
    for path in files:
        if not path.is_file() or path.is_symlink():
            continue
        if path.suffix != ".part":
            with sessions.begin() as session:
                adopted = _adopt(session, archive, path)
            if adopted:
                report.adopted.append(path.name)
                path.unlink(missing_ok=True)
                continue
        path.unlink(missing_ok=True)
        report.removed.append(path.name)
    if not report.empty:
        log.warning("%s: recovered after an unclean stop: closed events %s, adopted %s, "
                    "removed %s", camera_id, report.closed, report.adopted, report.removed)
    return report
