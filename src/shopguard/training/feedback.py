"""Reviewed events and missed-theft reports as labelled pose clips (the native dataset).

* A **confirmed** event becomes a clip of its track from pre-roll to post-roll (the
  event's ``poses`` evidence), labelled 1 from the event's start to its end and 0 in the
  margins; a **dismissed** event becomes the same clip labelled 0 throughout.
* A **missed-theft report** (a span a reviewer says should have alerted) becomes a clip
  of one track from the camera's track log (``shopguard.feedback.track_log``), ``margin_s``
  either side of the span, labelled 1 inside the span. The track is the report's
  ``track_id``, or the only person the log saw in the span; a span with several people and
  no track id is skipped (its label would be a guess).

Clips hold poses, boxes, times and labels; ``meta`` holds the camera, its zones, the day,
the event or report id, the decision and the reviewer's user name: never pixels, never
review notes (free text can describe a person).

Example:
    >>> with sessions() as s:  # doctest: +SKIP
    ...     result = collect(s, archive, data_dir / "tracklog")
    >>> write_native_dir("reviews/", result.clips)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shopguard.core import Tracks
from shopguard.feedback.track_log import read_span
from shopguard.keypoints import NUM_KEYPOINTS
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.evidence.base import EvidenceError
from shopguard.storage.models import (
    Event,
    EvidenceKind,
    MissedReport,
    Review,
    ReviewStatus,
    Zone,
)
from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import write_native_dir
from shopguard.vision.tracks_jsonl import parse_record

log = logging.getLogger(__name__)

REVIEW_LABELS = {ReviewStatus.CONFIRMED: 1, ReviewStatus.DISMISSED: 0}
#: Seconds of track log kept either side of a missed-theft span.
DEFAULT_MARGIN_S = 5.0
#: Clips shorter than this many frames are not worth a file.
MIN_FRAMES = 5

Frames = Sequence[tuple[float, Tracks]]


@dataclass
class FeedbackExport:
    """The clips made and what was left out, by reason."""

    clips: list[PoseClip] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        labels = Counter(str(c.meta.get("label")) for c in self.clips)
        return {
            "clips": len(self.clips),
            "by_label": dict(sorted(labels.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "cameras": sorted({str(c.meta.get("camera")) for c in self.clips}),
        }


def track_arrays(frames: Frames, track_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One track's (keypoints (T, 17, 3), boxes (T, 4), times (T,)), strictly increasing."""
    kps: list[np.ndarray] = []
    boxes: list[np.ndarray] = []
    times: list[float] = []
    for t, tracks in frames:
        hit = np.flatnonzero(tracks.ids == track_id)
        if len(hit) and (not times or t > times[-1]):
            kps.append(tracks.keypoints[hit[0]])
            boxes.append(tracks.boxes[hit[0]])
            times.append(t)
    if not times:
        return (np.zeros((0, NUM_KEYPOINTS, 3), np.float32), np.zeros((0, 4), np.float32),
                np.zeros(0, np.float64))
    return (np.stack(kps).astype(np.float32), np.stack(boxes).astype(np.float32),
            np.asarray(times, np.float64))


def _fps(times: np.ndarray) -> float:
    gaps = np.diff(times)
    gaps = gaps[gaps > 0]
    return round(float(1.0 / np.median(gaps)), 2) if len(gaps) else 0.0


def _day(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def _clip(frames: Frames, track_id: int, span: tuple[float, float] | None,
          meta: dict[str, Any]) -> PoseClip | None:
    kps, boxes, times = track_arrays(frames, track_id)
    if len(times) < MIN_FRAMES:
        return None
    labels = np.zeros(len(times), np.uint8)
    if span is not None:
        labels[(times >= span[0]) & (times <= span[1])] = 1
    meta = {**meta, "track_id": track_id, "day": _day(float(times[0])),
            "t0": datetime.fromtimestamp(float(times[0]), UTC).isoformat(),
            "fps": _fps(times), "source": "review"}
    return PoseClip(kps, boxes, times, labels, meta)


def poses_frames(document: dict[str, Any]) -> list[tuple[float, Tracks]]:
    """The frames of a ``poses`` evidence file (``shopguard.poses/1``: tracks.jsonl records)."""
    return [(t, tracks) for _, t, tracks in map(parse_record, document.get("frames", []))]


def _reviewer(event: Event) -> tuple[str, str]:
    """User name and time of the latest review that decided the event's status."""
    deciding = [r for r in event.reviews if r.decision == event.review_status]
    if not deciding:
        return "", ""
    latest: Review = deciding[-1]
    return (latest.user.username if latest.user else ""), latest.at.isoformat()


def event_clip(event: Event, document: dict[str, Any],
               zones: list[dict[str, Any]]) -> PoseClip | None:
    """A reviewed event's track as a clip labelled by the review (see the module doc)."""
    label = REVIEW_LABELS[event.review_status]
    start = event.started_at.timestamp()
    end = event.ended_at.timestamp() if event.ended_at else float("inf")
    reviewer, reviewed_at = _reviewer(event)
    meta = {"clip_id": f"review-{event.id}", "camera": event.camera_id, "zones": zones,
            "event_id": event.id, "label": event.review_status.value,
            "reviewer": reviewer, "reviewed_at": reviewed_at,
            "model_version": event.model_version, "peak_score": event.peak_score}
    return _clip(poses_frames(document), event.track_id, (start, end) if label else None, meta)


def choose_track(frames: Frames, since: float, until: float,
                 track_id: int | None) -> tuple[int | None, str]:
    """The track a missed-theft report is about, or ``None`` and why not."""
    seen = {int(i) for t, tracks in frames if since <= t <= until for i in tracks.ids}
    if track_id is not None:
        return (track_id, "") if track_id in seen else (None, "track not in the track log")
    if not seen:
        return None, "no poses in the track log"
    if len(seen) > 1:
        return None, "several people in the span and no track id"
    return seen.pop(), ""


def missed_clip(report: MissedReport, frames: Frames,
                zones: list[dict[str, Any]]) -> tuple[PoseClip | None, str]:
    """A missed-theft report as a clip labelled 1 inside its span, or why there is none."""
    since, until = report.since.timestamp(), report.until.timestamp()
    track, why = choose_track(frames, since, until, report.track_id)
    if track is None:
        return None, why
    meta = {"clip_id": f"missed-{report.id}", "camera": report.camera_id, "zones": zones,
            "report_id": report.id, "label": "missed",
            "reviewer": report.user.username if report.user else "",
            "reviewed_at": report.created_at.isoformat()}
    clip = _clip(frames, track, (since, until), meta)
    return clip, "" if clip is not None else "too few frames"


Span = tuple[int, float, float]  # track id, start, end (Unix seconds)


def background_clips(frames: Frames, camera: str, zones: list[dict[str, Any]],
                     positives: Iterable[Span] = (), max_gap_s: float = 5.0) -> list[PoseClip]:
    """Every track of a stretch of track log as a clip (a track seen again after
    ``max_gap_s`` starts a new clip), labelled 0 except inside ``positives`` (confirmed
    events and missed-theft reports of that track). These are the hours of ordinary
    shopping that false alerts per hour, and so per-camera thresholds, are measured on."""
    ids = sorted({int(i) for _, tracks in frames for i in tracks.ids})
    spans = list(positives)
    clips = []
    for track in ids:
        kps, boxes, times = track_arrays(frames, track)
        cuts = np.flatnonzero(np.diff(times) > max_gap_s) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(times)], strict=True):
            if hi - lo < MIN_FRAMES:
                continue
            t = times[lo:hi]
            labels = np.zeros(len(t), np.uint8)
            for tid, start, end in spans:
                if tid == track:
                    labels[(t >= start) & (t <= end)] = 1
            meta = {"clip_id": f"tracklog-{camera}-{t[0]:.1f}-{track}", "camera": camera,
                    "zones": zones, "track_id": track, "label": "background",
                    "source": "tracklog", "day": _day(float(t[0])),
                    "t0": datetime.fromtimestamp(float(t[0]), UTC).isoformat(), "fps": _fps(t)}
            clips.append(PoseClip(kps[lo:hi], boxes[lo:hi], t, labels, meta))
    return clips


def _zones(session: Session) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for z in session.scalars(select(Zone).order_by(Zone.id)):
        out.setdefault(z.camera_id, []).append(
            {"name": z.name, "kind": z.kind.value, "polygon": z.polygon})
    return out


def _poses_document(archive: EvidenceArchive, event: Event) -> dict[str, Any] | None:
    rows = [e for e in event.evidence if e.kind == EvidenceKind.POSES]
    if not rows:
        return None
    try:
        document = json.loads(archive.read_key(rows[-1].key))
    except (EvidenceError, OSError, ValueError) as exc:
        log.warning("poses of event %s not readable: %s", event.id, exc)
        return None
    return document if isinstance(document, dict) else None


def collect(
    session: Session,
    archive: EvidenceArchive,
    track_log_root: Path | None,
    *,
    cameras: Iterable[str] | None = None,
    margin_s: float = DEFAULT_MARGIN_S,
    background_hours: float = 0.0,
    now: float | None = None,
) -> FeedbackExport:
    """Every reviewed event and missed-theft report (of ``cameras``, default all) as clips;
    with ``background_hours``, also every track of each camera's track log over the last
    hours before ``now`` (``background_clips``)."""
    result = FeedbackExport()
    positives: dict[str, list[Span]] = {}
    zones = _zones(session)
    wanted = set(cameras) if cameras is not None else None
    events = session.scalars(
        select(Event)
        .where(Event.review_status.in_(list(REVIEW_LABELS)))
        .options(selectinload(Event.evidence), selectinload(Event.reviews))
        .order_by(Event.started_at)
    )
    for event in events:
        if wanted is not None and event.camera_id not in wanted:
            continue
        document = _poses_document(archive, event)
        clip = event_clip(event, document, zones.get(event.camera_id, [])) if document else None
        if clip is None:
            result.skipped["event without poses" if document is None else "too few frames"] += 1
        else:
            result.clips.append(clip)
        if event.review_status == ReviewStatus.CONFIRMED:
            end = event.ended_at or event.started_at
            positives.setdefault(event.camera_id, []).append(
                (event.track_id, event.started_at.timestamp(), end.timestamp()))
    for report in session.scalars(select(MissedReport).order_by(MissedReport.since)):
        if wanted is not None and report.camera_id not in wanted:
            continue
        since, until = report.since.timestamp(), report.until.timestamp()
        frames = (list(read_span(track_log_root, report.camera_id, since - margin_s,
                                 until + margin_s)) if track_log_root is not None else [])
        clip, why = missed_clip(report, frames, zones.get(report.camera_id, []))
        if clip is None:
            result.skipped[why] += 1
        else:
            result.clips.append(clip)
            positives.setdefault(report.camera_id, []).append(
                (int(clip.meta["track_id"]), since, until))
    if background_hours > 0 and track_log_root is not None and track_log_root.is_dir():
        end_t = time.time() if now is None else now
        for folder in sorted(p for p in track_log_root.iterdir() if p.is_dir()):
            if wanted is not None and folder.name not in wanted:
                continue
            frames = list(read_span(track_log_root, folder.name,
                                    end_t - background_hours * 3600, end_t))
            result.clips += background_clips(frames, folder.name, zones.get(folder.name, []),
                                             positives.get(folder.name, []))
    return result


def write_zip(path: Path, export: FeedbackExport) -> Path:
    """The clips as ``<clip id>.npz`` files plus ``summary.json`` in one ZIP file."""
    with tempfile.TemporaryDirectory(prefix="shopguard-export-") as tmp:
        files = write_native_dir(tmp, export.clips)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:  # npz: compressed
            for file in files:
                archive.write(file, file.name)
            archive.writestr("summary.json", json.dumps(export.summary(), indent=2))
    return path
