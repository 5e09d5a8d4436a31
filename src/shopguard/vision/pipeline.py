"""The per-frame vision chain: motion gate → pose model → tracker, with stage timings."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from shopguard.core import Frame, Poses, Tracks
from shopguard.vision.motion import MotionGate, MotionSettings
from shopguard.vision.pose import PoseEstimator
from shopguard.vision.tracking import PersonTracker, TrackerSettings


@dataclass(slots=True)
class StageTimer:
    """Collects per-stage durations (milliseconds) for benchmark and health reports."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    max_samples: int = 10_000

    def add(self, stage: str, ms: float) -> None:
        values = self.samples[stage]
        values.append(ms)
        if len(values) > self.max_samples:
            del values[: len(values) - self.max_samples]

    def summary(self) -> dict[str, dict[str, float]]:
        """Median, p95 and count per stage."""
        return {
            stage: {
                "median_ms": float(np.median(v)),
                "p95_ms": float(np.percentile(v, 95)),
                "count": float(len(v)),
            }
            for stage, v in self.samples.items()
            if v
        }


@dataclass(frozen=True, slots=True)
class VisionResult:
    """What the vision chain made of one frame."""

    frame: Frame
    tracks: Tracks
    analysed: bool  # False when the motion gate skipped the pose model


class VisionPipeline:
    """Runs the motion gate, the pose model and the tracker on each frame of one camera."""

    def __init__(
        self,
        estimator: PoseEstimator,
        analysis_fps: float,
        motion: MotionSettings | None = None,
        tracker: TrackerSettings | None = None,
    ):
        self.estimator = estimator
        self.motion_gate = MotionGate(motion)
        self.tracker = PersonTracker(frame_rate=analysis_fps, settings=tracker)
        self.timer = StageTimer()
        self._last_tracks = Tracks.empty()

    def process(self, frame: Frame) -> VisionResult:
        """Analyse one frame; a skipped frame keeps the last known tracks."""
        start = time.perf_counter()
        run = self.motion_gate.should_run(frame.image, frame.t, len(self._last_tracks) > 0)
        self.timer.add("motion", _ms_since(start))
        if not run:
            return VisionResult(frame, self._last_tracks, analysed=False)
        poses = self._detect(frame)
        start = time.perf_counter()
        self._last_tracks = self.tracker.update(poses, frame.t)
        self.timer.add("tracking", _ms_since(start))
        return VisionResult(frame, self._last_tracks, analysed=True)

    def _detect(self, frame: Frame) -> Poses:
        start = time.perf_counter()
        blob, transform = self.estimator.preprocess(frame.image)
        self.timer.add("preprocess", _ms_since(start))
        start = time.perf_counter()
        raw = self.estimator.infer(blob)
        self.timer.add("inference", _ms_since(start))
        start = time.perf_counter()
        poses = self.estimator.decode(raw, transform)
        self.timer.add("decode_output", _ms_since(start))
        return poses


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0
