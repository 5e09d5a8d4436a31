"""Evidence capture for one camera: a clip (pre-roll → post-roll) and a peak snapshot per
event, rendered and written on a background thread so the pipeline and alerts never wait.

Per frame, in the camera loop::

    ring.push(frame, tracks)
    updates = manager.update(assessments, frame.t)
    recorder.update(updates, frame.t)   # only queues work
    ...                                 # alerts go out from ``updates`` at once

Example:
    >>> import tempfile
    >>> from shopguard.video.ring_buffer import RingBuffer
    >>> with EvidenceRecorder(RingBuffer(8.0), tempfile.mkdtemp()) as recorder:
    ...     recorder.update([], t=0.0)
    >>> recorder.stats.clips
    0
"""

from __future__ import annotations

import errno
import itertools
import logging
import queue
import statistics
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from shopguard.events.config import EventConfig
from shopguard.events.evidence_files import ClipWriter, write_snapshot
from shopguard.events.manager import ActiveEvent, EventUpdate
from shopguard.privacy.pose_log import PoseLog
from shopguard.video.ring_buffer import BufferedFrame, RingBuffer

log = logging.getLogger(__name__)

#: Clip frame rate when the pre-roll is too short to measure the source's.
DEFAULT_FPS = 15.0


@dataclass(frozen=True, slots=True)
class EvidenceReady:
    """A finished evidence file, ready to be handed to the evidence store.

    A snapshot can be reported again (same path, replaced atomically) when the peak moves.
    ``poses`` is the clip's skeleton sequence (JSON), when the recorder records poses.
    """

    event_id: str
    kind: Literal["clip", "snapshot", "poses"]
    path: Path
    t_start: float
    t_end: float


@dataclass(slots=True)
class EvidenceStats:
    """Counters for metrics and camera health."""

    clips: int = 0
    snapshots: int = 0
    disk_full: int = 0
    failed: int = 0


@dataclass(slots=True)
class _Recording:
    event: ActiveEvent
    clip: ClipWriter
    last_t: float
    stop_t: float
    snap_entry: BufferedFrame | None = None  # a newer peak frame not yet written
    snap_t: float = float("-inf")  # when the last snapshot was queued
    poses: PoseLog | None = None  # the clip's skeleton sequence, when recorded


class EvidenceRecorder:
    """Records clips and snapshots for the events of one camera.

    Args:
        ring: the camera's ring buffer; it must span ``pre_roll_s`` plus the time an event
            takes to open, and the pipeline must push each frame before ``update``.
        work_dir: where files are written (``<event id>.mp4`` and ``<event id>.jpg``).
        config: roll lengths, blurring, qualities, snapshot rate.
        on_ready: called (on the writer thread) with each finished file.
        record_poses: also write each clip's skeleton sequence (``<event id>.poses.json``).
    """

    def __init__(
        self,
        ring: RingBuffer,
        work_dir: str | Path,
        config: EventConfig | None = None,
        on_ready: Callable[[EvidenceReady], None] | None = None,
        record_poses: bool = False,
    ):
        self.ring = ring
        self.record_poses = record_poses
        self.work_dir = Path(work_dir)
        self.config = config or EventConfig()
        self.on_ready = on_ready
        self.stats = EvidenceStats()
        self._recordings: dict[str, _Recording] = {}
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="evidence-writer", daemon=True)
        self._thread.start()

    def clip_path(self, event_id: str) -> Path:
        """Where the event's clip is written."""
        return self.work_dir / f"{event_id}.mp4"

    def poses_path(self, event_id: str) -> Path:
        """Where the event's skeleton sequence is written (``record_poses``)."""
        return self.work_dir / f"{event_id}.poses.json"

    def snapshot_path(self, event_id: str) -> Path:
        """Where the event's snapshot is written (replaced when the peak moves)."""
        return self.work_dir / f"{event_id}.jpg"

    @property
    def pending(self) -> int:
        """Jobs waiting for the writer thread (queue depth)."""
        return self._jobs.qsize()

    def update(self, updates: Iterable[EventUpdate], t: float) -> None:
        """Act on the manager's updates and collect the frames up to ``t``; never blocks."""
        for u in updates:
            if u.kind == "opened":
                self._open(u.event, t)
            elif (rec := self._recordings.get(u.event.id)) is not None:
                self._change(rec, u.event, t)
        for rec in list(self._recordings.values()):
            self._collect(rec, t)

    def close(self) -> None:
        """Finish every recording with the frames it has and wait for the writer thread."""
        for rec in list(self._recordings.values()):
            self._finish(rec)
        self._jobs.put(None)
        self._thread.join()

    def wait_idle(self) -> None:
        """Block until every queued job is done (for shutdown and tests)."""
        self._jobs.join()

    def __enter__(self) -> EvidenceRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self, event: ActiveEvent, t: float) -> None:
        cfg = self.config
        pre_roll = self.ring.since(event.t_start - cfg.pre_roll_s)
        clip = ClipWriter(self.clip_path(event.id), _fps(pre_roll), cfg)
        stop_t = event.t_start + cfg.max_event_s + cfg.post_roll_s
        rec = _Recording(event, clip, float("-inf"), stop_t)
        if self.record_poses:
            rec.poses = PoseLog(event.id, event.camera_id, event.track_id)
        self._recordings[event.id] = rec
        self._queue_frames(rec, pre_roll)
        rec.snap_entry = _entry_at(self.ring, event.peak_t)
        self._snapshot(rec, t)

    def _change(self, rec: _Recording, event: ActiveEvent, t: float) -> None:
        if event.peak_t != rec.event.peak_t:
            rec.snap_entry = _entry_at(self.ring, event.peak_t) or rec.snap_entry
        rec.event = event
        if event.closed:
            rec.stop_t = min(rec.stop_t, event.t_end + self.config.post_roll_s)
            self._snapshot(rec, t, force=True)

    def _collect(self, rec: _Recording, t: float) -> None:
        new = [e for e in self.ring.since(rec.last_t) if e.t > rec.last_t and e.t <= rec.stop_t]
        self._queue_frames(rec, new)
        self._snapshot(rec, t)
        if t >= rec.stop_t or t < rec.last_t:  # done, or the source's clock restarted
            self._finish(rec)

    def _queue_frames(self, rec: _Recording, entries: list[BufferedFrame]) -> None:
        if not entries:
            return
        rec.last_t, clip, poses = entries[-1].t, rec.clip, rec.poses

        def job() -> None:
            for e in entries:
                clip.add(e)
                if poses is not None:
                    poses.add(e)

        self._submit_clip(rec.event.id, clip, job)

    def _snapshot(self, rec: _Recording, t: float, force: bool = False) -> None:
        """Queue the newest peak frame, at most once per ``snapshot_interval_s``."""
        entry = rec.snap_entry
        if entry is None or (not force and t - rec.snap_t < self.config.snapshot_interval_s):
            return
        rec.snap_entry, rec.snap_t, event = None, t, rec.event
        path = self.snapshot_path(event.id)

        def job() -> None:
            try:
                write_snapshot(entry, event, path, self.config)
            except Exception as exc:
                self._count_failure(event.id, "snapshot", exc)
                return
            self.stats.snapshots += 1
            self._ready(EvidenceReady(event.id, "snapshot", path, entry.t, entry.t))

        self._jobs.put(job)

    def _finish(self, rec: _Recording) -> None:
        del self._recordings[rec.event.id]
        clip, event_id, poses = rec.clip, rec.event.id, rec.poses

        def job() -> None:
            t_start, t_end = clip.finish()
            self.stats.clips += 1
            self._ready(EvidenceReady(event_id, "clip", clip.path, t_start, t_end))
            if poses is not None:
                path = self.poses_path(event_id)
                poses.write(path)
                self._ready(EvidenceReady(event_id, "poses", path, t_start, t_end))

        self._submit_clip(event_id, clip, job)

    def _submit_clip(self, event_id: str, clip: ClipWriter, job: Callable[[], None]) -> None:
        """Queue work on a clip; after one failure the clip is dropped and gets no more."""

        def guarded() -> None:
            if clip.aborted:
                return
            try:
                job()
            except Exception as exc:
                clip.abort()
                self._count_failure(event_id, "clip", exc)

        self._jobs.put(guarded)

    def _count_failure(self, event_id: str, kind: str, exc: Exception) -> None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            self.stats.disk_full += 1
            log.error("disk full: %s of event %s not stored (%s)", kind, event_id, exc)
        else:
            self.stats.failed += 1
            expected = isinstance(exc, OSError | ValueError)  # I/O trouble, no frames
            log.error("%s of event %s not stored: %s", kind, event_id, exc, exc_info=not expected)

    def _ready(self, item: EvidenceReady) -> None:
        if self.on_ready is None:
            return
        try:
            self.on_ready(item)
        except Exception:
            log.exception("evidence callback failed for %s", item)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            finally:
                self._jobs.task_done()
        self._jobs.task_done()


def _entry_at(ring: RingBuffer, t: float) -> BufferedFrame | None:
    """The first buffered frame at or after ``t``."""
    entries = ring.since(t)
    return entries[0] if entries else None


def _fps(entries: list[BufferedFrame]) -> float:
    """The source's frame rate, from the median gap between buffered frames."""
    gaps = [b.t - a.t for a, b in itertools.pairwise(entries) if b.t > a.t]
    if not gaps:
        return DEFAULT_FPS
    return min(max(1.0 / statistics.median(gaps), 1.0), 60.0)
