"""``PoseClip``: one person's pose track with frame-level labels, the unit of every dataset.

Native datasets, PoseLift, the synthetic generator and exported reviews all produce
``PoseClip`` objects, so training and evaluation never care where a clip came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import NUM_KEYPOINTS


@dataclass(slots=True)
class PoseClip:
    """A single person's pose sequence.

    Attributes:
        keypoints: (T, 17, 3) float32: x, y in frame pixels, confidence in [0, 1];
            a missing joint has confidence 0 (its x, y are then meaningless).
        boxes: (T, 4) float32 xyxy in frame pixels.
        timestamps: (T,) float64 seconds, strictly increasing (dropped frames leave gaps).
        labels: (T,) uint8 per-frame label: 1 = concealment/theft behaviour, 0 = normal.
        meta: free-form metadata. Known keys: ``clip_id``, ``camera``, ``fps``, ``source``
            ("synthetic", "poselift", "review", ...), ``frame_size`` ([w, h]),
            ``zones`` (list of ``{"name", "kind", "polygon"}``), ``behavior``.
    """

    keypoints: npt.NDArray[np.float32]
    boxes: npt.NDArray[np.float32]
    timestamps: npt.NDArray[np.float64]
    labels: npt.NDArray[np.uint8]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = len(self.timestamps)
        checks = {
            "keypoints": (self.keypoints.shape, (t, NUM_KEYPOINTS, 3)),
            "boxes": (self.boxes.shape, (t, 4)),
            "labels": (self.labels.shape, (t,)),
        }
        for name, (got, want) in checks.items():
            if got != want:
                raise ValueError(f"PoseClip.{name} must have shape {want}, got {got}")

    def __len__(self) -> int:
        return len(self.timestamps)

    @property
    def clip_id(self) -> str:
        return str(self.meta.get("clip_id", ""))

    @property
    def duration(self) -> float:
        """Seconds from the first to the last frame (0 for fewer than two frames)."""
        return float(self.timestamps[-1] - self.timestamps[0]) if len(self) > 1 else 0.0
