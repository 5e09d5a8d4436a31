"""Person tracking: roboflow ``trackers`` ByteTrack over ``supervision.Detections``.

The tracker only adds ids: keypoints ride along in ``Detections.data`` and come back
attached to the right person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import supervision as sv
from trackers import ByteTrackTracker

from shopguard.core import Poses, Tracks

_KEYPOINTS = "keypoints"


@dataclass(frozen=True, slots=True)
class TrackerSettings:
    """ByteTrack parameters (see ``trackers.ByteTrackTracker``).

    Attributes:
        lost_track_seconds: how long a lost person keeps their id.
        activation_threshold: minimum score to start a new track.
        high_score_threshold: split between first- and second-stage association.
        min_iou: minimum box overlap to associate a detection with a track.
        min_consecutive_frames: detections needed before a track gets an id.
    """

    lost_track_seconds: float = 3.0
    activation_threshold: float = 0.4
    high_score_threshold: float = 0.5
    min_iou: float = 0.1
    min_consecutive_frames: int = 2


class PersonTracker:
    """Gives each person a stable per-camera id across frames.

    Example:
        >>> tracker = PersonTracker(frame_rate=5)
        >>> tracker.update(Poses.empty(), t=0.0).ids.shape
        (0,)
    """

    def __init__(self, frame_rate: float, settings: TrackerSettings | None = None):
        self.settings = s = settings or TrackerSettings()
        self._tracker = ByteTrackTracker(
            lost_track_buffer=max(1, round(s.lost_track_seconds * 30)),
            frame_rate=frame_rate,
            track_activation_threshold=s.activation_threshold,
            minimum_consecutive_frames=s.min_consecutive_frames,
            minimum_iou_threshold=s.min_iou,
            high_conf_det_threshold=s.high_score_threshold,
        )

    def update(self, poses: Poses, t: float) -> Tracks:
        """Associate this frame's people with existing tracks; unconfirmed people are dropped."""
        detections = sv.Detections(
            xyxy=poses.boxes.astype(np.float32),
            confidence=poses.scores.astype(np.float32),
            data={_KEYPOINTS: poses.keypoints},
        )
        tracked = self._tracker.update(detections, timestamp=t)
        ids = np.asarray(tracked.tracker_id, dtype=np.int64)
        confirmed = ids >= 0
        if not confirmed.any():
            return Tracks.empty()
        kept: sv.Detections = tracked[confirmed]  # type: ignore[assignment]
        return Tracks(
            Poses(
                boxes=np.asarray(kept.xyxy, np.float32),
                scores=np.asarray(kept.confidence, np.float32),
                keypoints=np.asarray(kept.data[_KEYPOINTS], np.float32),
            ),
            ids[confirmed] + 1,
        )

    def reset(self) -> None:
        """Forget all tracks (ids restart from 1)."""
        self._tracker.reset()
