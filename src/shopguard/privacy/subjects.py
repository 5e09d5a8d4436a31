"""Data-subject requests: find, export or erase every event of one camera in a time window.

A person asks "what do you hold about me? I was at the door between 14:00 and 14:30":
``search`` lists the events of that camera overlapping the window, ``export_zip`` writes
them (evidence files and metadata) into one ZIP archive, and ``erase`` deletes them
everywhere: the evidence objects in every store (local spool and object storage), the
event rows with their reviews, their alert deliveries, and the derived pose data: pose
evidence, missed-theft reports and the camera's track-log segments of the window.

Each call writes audit rows through ``actor``. The erasure's rows say what was erased (event
ids, object counts and bytes) and by whom, never the erased content (no pictures, reasons,
scores or notes). Open events (still being recorded) are not erased; they are reported so
the request can be repeated once they close.

Example:
    >>> q = SubjectQuery("door-1", datetime(2026, 5, 1, 14, tzinfo=UTC),
    ...                  datetime(2026, 5, 1, 15, tzinfo=UTC))
    >>> q.describe()
    {'camera': 'door-1', 'since': '2026-05-01T14:00:00+00:00', 'until': '2026-05-01T15:00:00+00:00'}
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from shopguard.privacy.audit import Actor, AuditAction, record
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.evidence.base import EvidenceError
from shopguard.storage.models import AlertDelivery, Event, EventStatus, MissedReport

if TYPE_CHECKING:
    from shopguard.config import ServiceConfig

#: The file name of each evidence kind inside an export.
FILE_NAMES = {"clip": "clip.mp4", "snapshot": "snapshot.jpg", "poses": "poses.json"}
README = """ShopGuard data export
=====================

request.json          the request: camera, time window, when it was made
events/<id>/event.json  each event: times, scores, the behaviour cues that fired, reviews
events/<id>/clip.mp4    the evidence clip (faces blurred or poses only, per camera mode)
events/<id>/snapshot.jpg  the picture at the event's peak
events/<id>/poses.json  skeleton sequence (body poses only, no pictures)
missed_reports.json   staff reports that an incident was missed in this window
track_log.jsonl       body poses tracked in the window (one line per analysed frame)

ShopGuard stores no face templates, no re-identification features and no video outside
these events. Times are UTC.
"""


@dataclass(frozen=True, slots=True)
class SubjectQuery:
    """One camera and a time window ``[since, until)`` (aware datetimes)."""

    camera_id: str
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("since and until need a time zone")
        if self.since >= self.until:
            raise ValueError("since must be before until")

    def describe(self) -> dict[str, str]:
        return {"camera": self.camera_id, "since": self.since.isoformat(),
                "until": self.until.isoformat()}


#: Seconds of capture time per track-log segment (``shopguard.feedback.track_log``).
TRACK_SEGMENT_S = 60.0


@dataclass(frozen=True, slots=True)
class LocalFiles:
    """A camera's files outside the evidence stores: the evidence spool of its worker and
    the root of the track logs (``None``: not looked at)."""

    spool_dir: Path | None = None
    track_log_root: Path | None = None

    @classmethod
    def of(cls, config: ServiceConfig, camera_id: str) -> LocalFiles:
        from shopguard.service.worker import spool_dir

        return cls(spool_dir(config, camera_id), config.data_dir / "tracklog")


def find_missed(session: Session, q: SubjectQuery) -> list[MissedReport]:
    """Missed-theft reports of the camera overlapping the window."""
    stmt = (select(MissedReport)
            .where(MissedReport.camera_id == q.camera_id, MissedReport.since < q.until,
                   MissedReport.until >= q.since)
            .order_by(MissedReport.since, MissedReport.id))
    return list(session.scalars(stmt))


def track_segments(files: LocalFiles, q: SubjectQuery) -> list[Path]:
    """The camera's track-log segment files whose minute overlaps the window."""
    if files.track_log_root is None:
        return []
    folder = files.track_log_root / q.camera_id
    found = []
    for path in sorted(folder.glob("*/*.jsonl.gz")):
        try:
            start = datetime.strptime(path.parent.name + path.name[:6], "%Y%m%d%H%M%S")
        except ValueError:
            continue
        start = start.replace(tzinfo=UTC)
        if start < q.until and start + timedelta(seconds=TRACK_SEGMENT_S) > q.since:
            found.append(path)
    return found


def find_events(session: Session, q: SubjectQuery) -> list[Event]:
    """Events of the camera whose span overlaps the window, oldest first."""
    end = func.coalesce(Event.ended_at, Event.started_at)
    stmt = (
        select(Event)
        .where(Event.camera_id == q.camera_id, Event.started_at < q.until, end >= q.since)
        .options(selectinload(Event.evidence), selectinload(Event.reviews))
        .order_by(Event.started_at, Event.id)
    )
    return list(session.scalars(stmt))


def event_record(event: Event) -> dict[str, Any]:
    """What an export says about one event (reviewers' names are left out: they are not
    the requester's data)."""
    return {
        "id": event.id,
        "camera_id": event.camera_id,
        "track_id": event.track_id,
        "started_at": event.started_at.isoformat(),
        "ended_at": event.ended_at.isoformat() if event.ended_at else None,
        "status": event.status.value,
        "review_status": event.review_status.value,
        "peak_score": event.peak_score,
        "reasons": event.reasons,
        "model_version": event.model_version,
        "reviews": [{"decision": r.decision.value, "at": r.at.isoformat(), "note": r.note}
                    for r in event.reviews],
        "evidence": [{"kind": e.kind.value, "size": e.size, "sha256": e.sha256,
                      "created_at": e.created_at.isoformat()} for e in event.evidence],
    }


def search(sessions: sessionmaker[Session], q: SubjectQuery, actor: Actor) -> list[Event]:
    """The matching events (with evidence and reviews loaded); audited."""
    with sessions.begin() as s:
        events = find_events(s, q)
        record(s, actor, AuditAction.SUBJECT_SEARCH, target_type="camera",
               target_id=q.camera_id, camera_id=q.camera_id,
               detail=q.describe() | {"events": len(events)})
    return events


@dataclass(slots=True)
class ExportReport:
    """What an export wrote; ``missing`` lists evidence that could not be read."""

    events: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)
    missed_reports: int = 0
    track_log_frames: int = 0


def export_zip(sessions: sessionmaker[Session], archive: EvidenceArchive, q: SubjectQuery,
               out: IO[bytes], actor: Actor, files: LocalFiles | None = None) -> ExportReport:
    """Write the matching events, missed-theft reports and track-log lines as one ZIP
    archive to ``out``; audited."""
    report = ExportReport()
    with sessions() as s, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        events = find_events(s, q)
        _export_poses(zf, s, q, files or LocalFiles(), report)
        generated = datetime.now(UTC).isoformat()
        zf.writestr("README.txt", README)
        zf.writestr("request.json", _json(q.describe() | {"generated_at": generated,
                                                          "events": len(events)}))
        for event in events:
            folder = f"events/{event.id}"
            zf.writestr(f"{folder}/event.json", _json(event_record(event)))
            report.events.append(event.id)
            for row in event.evidence:
                name = f"{folder}/{FILE_NAMES.get(row.kind.value, row.kind.value)}"
                try:
                    chunks = archive.iter_range(row)
                    info = zipfile.ZipInfo(name, _zip_time(row.created_at))
                    if row.kind.value == "poses":  # clips and JPEGs are compressed already
                        info.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(info, "w") as f:
                        for chunk in chunks:
                            f.write(chunk)
                            report.bytes += len(chunk)
                except EvidenceError as exc:
                    report.missing.append(f"{event.id}/{row.kind.value}: {exc}")
                    continue
                report.files += 1
    with sessions.begin() as s:
        record(s, actor, AuditAction.EXPORT, target_type="camera", target_id=q.camera_id,
               camera_id=q.camera_id,
               detail=q.describe() | {"events": report.events, "files": report.files,
                                      "bytes": report.bytes, "missing": len(report.missing),
                                      "missed_reports": report.missed_reports,
                                      "track_log_frames": report.track_log_frames})
    return report


def _export_poses(zf: zipfile.ZipFile, s: Session, q: SubjectQuery, files: LocalFiles,
                  report: ExportReport) -> None:
    missed = find_missed(s, q)
    if missed:
        zf.writestr("missed_reports.json", _json([
            {"since": m.since.isoformat(), "until": m.until.isoformat(),
             "track_id": m.track_id, "note": m.note, "created_at": m.created_at.isoformat()}
            for m in missed]))
        report.missed_reports = len(missed)
    lines = []
    since, until = q.since.timestamp(), q.until.timestamp()
    for path in track_segments(files, q):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    t = json.loads(line).get("t")
                    if isinstance(t, int | float) and since <= t < until:
                        lines.append(line if line.endswith("\n") else line + "\n")
        except (OSError, EOFError, ValueError) as exc:
            report.missing.append(f"track log {path.name}: {exc}")
    if lines:
        zf.writestr("track_log.jsonl", "".join(lines))
        report.track_log_frames = len(lines)


@dataclass(slots=True)
class ErasureReport:
    """What an erasure removed (ids and counts only) and which open events it left."""

    erased: list[str] = field(default_factory=list)
    skipped_open: list[str] = field(default_factory=list)
    objects: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    deliveries: int = 0
    reviews: int = 0
    spool_files: int = 0
    missed_reports: int = 0
    track_log_segments: int = 0

    def summary(self) -> dict[str, Any]:
        return {"events": self.erased, "skipped_open": self.skipped_open,
                "objects": dict(self.objects), "bytes": self.bytes,
                "deliveries": self.deliveries, "reviews": self.reviews,
                "spool_files": self.spool_files, "missed_reports": self.missed_reports,
                "track_log_segments": self.track_log_segments}


def erase(sessions: sessionmaker[Session], archive: EvidenceArchive, q: SubjectQuery,
          actor: Actor, files: LocalFiles | None = None) -> ErasureReport:
    """Delete the matching closed events everywhere, one transaction per event, then the
    window's missed-theft reports and track-log segments (whole minutes); audited.

    ``files.spool_dir`` is the camera's evidence spool: files of these events still
    waiting there are removed too.
    """
    files = files or LocalFiles()
    spool_dir = files.spool_dir
    report = ErasureReport()
    with sessions() as s:
        found = [(e.id, e.status) for e in find_events(s, q)]
    for event_id, status in found:
        if status == EventStatus.OPEN:
            report.skipped_open.append(event_id)
            continue
        with sessions.begin() as s:
            event = s.get(Event, event_id, options=[selectinload(Event.evidence),
                                                    selectinload(Event.reviews)])
            if event is None:
                continue
            done = _erase_event(s, archive, event, spool_dir)
            record(s, actor, AuditAction.ERASE, target_type="event", target_id=event_id,
                   camera_id=q.camera_id, detail=done | {"request": q.describe()})
        report.erased.append(event_id)
        report.objects.update(done["objects"])
        report.bytes += done["bytes"]
        report.deliveries += done["deliveries"]
        report.reviews += done["reviews"]
        report.spool_files += done["spool_files"]
    with sessions.begin() as s:
        for missed in find_missed(s, q):
            s.delete(missed)
            report.missed_reports += 1
    for path in track_segments(files, q):
        path.unlink(missing_ok=True)
        report.track_log_segments += 1
    with sessions.begin() as s:
        record(s, actor, AuditAction.ERASE, target_type="subject_request",
               target_id=q.camera_id, camera_id=q.camera_id,
               detail=q.describe() | report.summary())
    return report


def _erase_event(s: Session, archive: EvidenceArchive, event: Event,
                 spool_dir: Path | None) -> dict[str, Any]:
    objects: Counter[str] = Counter()
    size = 0
    for row in list(event.evidence):
        objects[row.kind.value] += 1
        size += row.size
        archive.delete(s, row)  # every store: local spool copy and object storage
    s.expire(event, ["evidence"])  # those rows are gone; do not cascade to them again
    deliveries = s.execute(delete(AlertDelivery).where(AlertDelivery.event_id == event.id))
    reviews = len(event.reviews)
    s.delete(event)  # reviews go with it (ON DELETE CASCADE)
    s.flush()
    spool_files = 0
    if spool_dir is not None and spool_dir.is_dir():
        for path in spool_dir.glob(f"{event.id}.*"):
            path.unlink(missing_ok=True)
            spool_files += 1
    return {"objects": dict(objects), "bytes": size, "reviews": reviews,
            "deliveries": int(getattr(deliveries, "rowcount", 0) or 0),
            "spool_files": spool_files}


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _zip_time(at: datetime) -> tuple[int, int, int, int, int, int]:
    t = at.astimezone(UTC)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)
