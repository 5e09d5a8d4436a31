"""A rolling per-camera log of tracked poses, for missed-theft reports.

Every analysed frame with people in it becomes one line in the ``tracks.jsonl`` format
(``shopguard.vision.tracks_jsonl``; ``t`` is the capture time, Unix seconds for live
cameras, and ``frame`` counts the analysed frames of this log). Lines are kept in memory
for one segment (a minute by default) and then written as one gzip file::

    <root>/<camera>/<YYYYMMDD>/<HHMMSS>[.<n>].jsonl.gz     (UTC start of the segment)

Segments older than ``keep_hours`` are deleted. Only poses and boxes are stored, never
pixels. Size: about 0.7 KB per frame with five people, so a camera analysed at 5 fps
with five people in view all the time writes about 12 MB an hour; a quiet camera far
less (frames with nobody in them are not logged). A worker that dies loses at most the
segment in memory.

Example:
    >>> import tempfile
    >>> from shopguard.core import Tracks
    >>> log = TrackLog(tempfile.mkdtemp(), "door-1", keep_hours=24)
    >>> log.append(1_700_000_000.0, Tracks.empty())  # nobody in view: not logged
    >>> log.close()
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shopguard.core import Assessment, Tracks
from shopguard.vision.tracks_jsonl import frame_record, parse_record

if TYPE_CHECKING:
    from shopguard.service.camera import TrackScorer

log = logging.getLogger(__name__)

SUFFIX = ".jsonl.gz"
#: How often (seconds of capture time) old segments are looked for and deleted.
PRUNE_EVERY_S = 600.0


def _segment_start(path: Path) -> float | None:
    """The UTC start time encoded in a segment's folder and file name."""
    try:
        stamp = datetime.strptime(path.parent.name + path.name[:6], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC).timestamp()


class TrackLog:
    """Appends one camera's tracks to minute segments and deletes old segments.

    Args:
        root: folder of all cameras' logs (``data_dir/tracklog``).
        camera_id: the camera (a slug: safe as a folder name).
        keep_hours: segments older than this are deleted; 0 keeps nothing.
        segment_s: seconds of capture time per file.
    """

    def __init__(
        self, root: str | Path, camera_id: str, keep_hours: float, segment_s: float = 60.0
    ):
        self.folder = Path(root) / camera_id
        self.keep_s = keep_hours * 3600.0
        self.segment_s = segment_s
        self.frames = 0
        self.write_errors = 0
        self._lines: list[str] = []
        self._segment: int | None = None
        self._next_prune = float("-inf")

    def append(self, t: float, tracks: Tracks) -> None:
        """Log one analysed frame (nothing when nobody is in view)."""
        if not len(tracks) or self.keep_s <= 0:
            return
        segment = int(t // self.segment_s)
        if self._segment is not None and segment != self._segment:
            self.flush()
        self._segment = segment
        record = frame_record(self.frames, t, tracks)
        self._lines.append(json.dumps(record, separators=(",", ":")))
        self.frames += 1
        if t >= self._next_prune:
            self._next_prune = t + PRUNE_EVERY_S
            self.prune(t)

    def flush(self) -> Path | None:
        """Write the segment in memory (if any); returns its file. I/O errors are logged."""
        if not self._lines or self._segment is None:
            return None
        start = datetime.fromtimestamp(self._segment * self.segment_s, UTC)
        folder = self.folder / start.strftime("%Y%m%d")
        path, n = folder / f"{start:%H%M%S}{SUFFIX}", 0
        data = gzip.compress(("\n".join(self._lines) + "\n").encode(), compresslevel=6)
        self._lines, self._segment = [], None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            while path.exists():  # a restarted worker in the same minute
                n += 1
                path = folder / f"{start:%H%M%S}.{n}{SUFFIX}"
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            os.replace(part, path)
        except OSError as exc:
            self.write_errors += 1
            log.error("track log %s: segment not written: %s", self.folder, exc)
            return None
        return path

    def prune(self, now: float) -> int:
        """Delete segments that started more than ``keep_hours`` before ``now``."""
        removed = 0
        for path in segments(self.folder):
            start = _segment_start(path)
            if start is not None and start + self.segment_s < now - self.keep_s:
                path.unlink(missing_ok=True)
                removed += 1
        days = self.folder.iterdir() if self.folder.is_dir() else iter(())
        for day in days:
            if day.is_dir() and not any(day.iterdir()):
                day.rmdir()
        return removed

    def close(self) -> None:
        self.flush()


def segments(folder: Path) -> list[Path]:
    """A camera's segment files, oldest first."""
    return sorted(folder.glob(f"*/*{SUFFIX}"), key=lambda p: (p.parent.name, p.name))


def read_span(
    root: str | Path, camera_id: str, since: float, until: float, segment_s: float = 60.0
) -> Iterator[tuple[float, Tracks]]:
    """Logged frames of a camera with ``since <= t <= until``, in time order.

    Unreadable segments and lines are skipped with a warning (a half-written log must not
    stop an export).
    """
    rows: list[tuple[float, Tracks]] = []
    for path in segments(Path(root) / camera_id):
        start = _segment_start(path)
        if start is None or start > until or start + segment_s < since:
            continue
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    _, t, tracks = parse_record(json.loads(line))
                    if since <= t <= until:
                        rows.append((t, tracks))
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            log.warning("track log %s: skipped (%s)", path, exc)
    rows.sort(key=lambda row: row[0])
    yield from rows


class TrackLogTap:
    """A ``TrackScorer`` that logs each analysed frame's tracks, then scores them.

    The camera pipeline hands the scorer exactly the analysed frames, so wrapping the
    scorer taps them without another hook in the pipeline.
    """

    def __init__(self, scorer: TrackScorer, track_log: TrackLog):
        self.inner, self.log = scorer, track_log

    def update(self, tracks: Tracks, t: float) -> list[Assessment]:
        self.log.append(t, tracks)
        return self.inner.update(tracks, t)
