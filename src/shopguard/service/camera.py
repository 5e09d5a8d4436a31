"""The whole chain for one camera: frames → ring buffer → vision → scorer → events → evidence.

``CameraPipeline`` is plain, single-threaded logic that the worker process drives frame by
frame; it can be tested in-process with any frame source and any ``EventSink``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shopguard.behavior.config import ZoneConfig
from shopguard.core import Assessment, Frame, Image, Tracks
from shopguard.events.evidence import EvidenceReady, EvidenceRecorder
from shopguard.events.manager import EventManager, EventUpdate
from shopguard.privacy.transform import PrivacyTransform
from shopguard.video.rate import FrameRateLimiter
from shopguard.video.ring_buffer import RingBuffer, encode_jpeg
from shopguard.vision.draw import color_for_id, draw_tracks, draw_zones
from shopguard.vision.pipeline import VisionPipeline

ALERT_COLOR = (0, 0, 255)
#: A pause in frames longer than this (a reconnect) restarts the rate statistics.
GAP_S = 2.0


class TrackScorer(Protocol):
    """Turns tracks into assessments (``shopguard.behavior.scorer.Scorer``)."""

    def update(self, tracks: Tracks, t: float) -> list[Assessment]: ...


class EventSink(Protocol):
    """Where a camera's events and evidence go (database + outbox in the service)."""

    def on_updates(self, updates: list[EventUpdate]) -> None: ...

    def on_evidence(self, item: EvidenceReady) -> None: ...


@dataclass(slots=True)
class CameraCounters:
    """Counts behind the camera's health and metrics."""

    frames_in: int = 0
    frames_analysed: int = 0
    frames_skipped_motion: int = 0
    assessments: int = 0
    events_opened: int = 0
    t_last_frame: float = 0.0
    live_since: float | None = None
    analysed_times: list[float] = field(default_factory=list)
    due_times: list[float] = field(default_factory=list)

    def analysed_fps(self, now: float, span_s: float = 10.0) -> float:
        """Analysed frames per second over the last ``span_s`` seconds of capture time."""
        recent = [t for t in self.analysed_times if t > now - span_s]
        self.analysed_times = recent
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def due_fps(self, now: float, span_s: float = 10.0) -> float:
        """Frames per second the analysis stage handled (analysed or skipped for lack of
        motion) over the last ``span_s`` seconds: below ``analysis_fps`` means overload."""
        self.due_times = [t for t in self.due_times if t > now - span_s]
        return len(self.due_times) / span_s


class CameraPipeline:
    """Runs one camera's analysis chain on each frame it is given.

    Args:
        camera_id: the camera.
        vision: motion gate + pose model + tracker.
        scorer: the behaviour scorer (model + zone cues).
        events: the event state machine.
        recorder: evidence clips and snapshots (shares ``ring``).
        ring: pre-roll buffer of JPEG frames.
        sink: receives event updates and finished evidence.
        analysis_fps: how often the vision chain runs.
        record_fps: how often frames enter the ring buffer (evidence frame rate).
        live_fps: how often a live-view JPEG is produced (0: never).
        on_live_frame: receives live-view JPEG bytes with overlays.
        zones: drawn on the live view.
        privacy: the camera's privacy mode, applied to every picture before it enters the
            ring buffer (evidence) or the live view; the vision chain sees the original.
    """

    def __init__(
        self,
        camera_id: str,
        vision: VisionPipeline,
        scorer: TrackScorer,
        events: EventManager,
        recorder: EvidenceRecorder,
        ring: RingBuffer,
        sink: EventSink,
        analysis_fps: float,
        record_fps: float,
        live_fps: float = 0.0,
        on_live_frame: Callable[[bytes], None] | None = None,
        zones: Sequence[ZoneConfig] = (),
        privacy: PrivacyTransform | None = None,
    ):
        self.camera_id = camera_id
        self.vision, self.scorer, self.events = vision, scorer, events
        self.recorder, self.ring, self.sink = recorder, ring, sink
        self.counters = CameraCounters()
        self.analysis_fps = analysis_fps
        self._analysis = FrameRateLimiter(analysis_fps)
        self._record = FrameRateLimiter(max(record_fps, analysis_fps))
        self._live = FrameRateLimiter(live_fps) if live_fps and on_live_frame else None
        self._on_live_frame = on_live_frame
        self._zones = list(zones)
        self.privacy = privacy or PrivacyTransform()
        self._tracks = Tracks.empty()
        self._scores: dict[int, float] = {}

    def process(self, frame: Frame) -> list[EventUpdate]:
        """Handle one decoded frame; returns the event changes it caused."""
        c = self.counters
        if c.live_since is None or frame.t - c.t_last_frame > GAP_S:
            c.live_since = frame.t  # first frame, or back after a gap (reconnect)
        c.frames_in += 1
        c.t_last_frame = frame.t
        updates: list[EventUpdate] = []
        analysed = self._analysis.due(frame.t)
        if analysed:
            self.counters.due_times.append(frame.t)
            result = self.vision.process(frame)
            self._tracks = result.tracks
            if result.analysed:
                self.counters.frames_analysed += 1
                self.counters.analysed_times.append(frame.t)
            else:
                self.counters.frames_skipped_motion += 1
            assessments = self.scorer.update(result.tracks, frame.t) if result.analysed else []
            self._remember_scores(assessments)
            updates = self.events.update(assessments, frame.t)
            self.counters.events_opened += sum(u.kind == "opened" for u in updates)
            if updates:
                self.sink.on_updates(updates)  # the alert goes out before any evidence work
        self.privacy.observe(frame.image, self._tracks, frame.t)
        record = analysed or self._record.due(frame.t)
        live = self._live is not None and self._live.due(frame.t)
        if record or live:  # the only pictures that leave the worker, privacy applied
            picture = self.privacy.apply(frame.image, self._tracks)
        if record:
            self.ring.push(dataclasses.replace(frame, image=picture), self._tracks)
            self.recorder.update(updates, frame.t)
        if live:
            assert self._on_live_frame is not None
            self._on_live_frame(self.live_jpeg(picture))
        return updates

    def live_jpeg(self, image: Image) -> bytes:
        """The live-view picture: zones, people, ids and scores (red above the threshold)."""
        canvas = image.copy()
        draw_zones(canvas, self._zones)
        ids = [int(i) for i in self._tracks.ids]
        scores = [self._scores.get(i) for i in ids]
        pairs = list(zip(ids, scores, strict=True))
        labels = [f"#{i}" if s is None else f"#{i} {s:.2f}" for i, s in pairs]
        colors = [
            ALERT_COLOR if (s or 0.0) >= self.events.config.threshold else color_for_id(i)
            for i, s in pairs
        ]
        draw_tracks(canvas, self._tracks, labels=labels, colors=colors)
        return encode_jpeg(canvas, 70)

    def flush(self) -> list[EventUpdate]:
        """Close open events (shutdown) and finish their evidence with what is buffered."""
        t = self.counters.t_last_frame or time.time()
        updates = self.events.flush(t)
        if updates:
            self.sink.on_updates(updates)
        self.recorder.update(updates, t)
        self.recorder.close()
        return updates

    def _remember_scores(self, assessments: list[Assessment]) -> None:
        self.counters.assessments += len(assessments)
        alive = {int(i) for i in self._tracks.ids}
        self._scores = {k: v for k, v in self._scores.items() if k in alive}
        for a in assessments:
            self._scores[a.track_id] = a.score
