"""Motion gate: cheap frame differencing that skips the pose model on still frames."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shopguard.core import Image


@dataclass(frozen=True, slots=True)
class MotionSettings:
    """Motion gate parameters.

    Attributes:
        enabled: when False every frame is analysed.
        width: frames are shrunk to this width before differencing.
        pixel_threshold: grey-level change (0–255) that counts a pixel as moving.
        min_area: fraction of the frame that must move to count as motion.
        max_idle_s: always analyse at least this often while tracks are alive.
    """

    enabled: bool = True
    width: int = 160
    pixel_threshold: int = 18
    min_area: float = 0.002
    max_idle_s: float = 1.0


class MotionGate:
    """Decides per frame whether the pose model needs to run.

    The pose model runs when the frame differs from the previous one, and at least every
    ``max_idle_s`` while people are being tracked (a still person is still a person).
    """

    def __init__(self, settings: MotionSettings | None = None):
        self.settings = settings or MotionSettings()
        self._previous: Image | None = None
        self._last_run_t = -np.inf
        self.last_motion_fraction = 0.0

    def should_run(self, image: Image, t: float, tracks_alive: bool) -> bool:
        """True when ``image`` (captured at ``t``) should go through the pose model."""
        s = self.settings
        small = self._shrink(image)
        previous, self._previous = self._previous, small
        if not s.enabled or previous is None or previous.shape != small.shape:
            moving = True
        else:
            diff = cv2.absdiff(small, previous)
            self.last_motion_fraction = float(np.mean(diff > s.pixel_threshold))
            moving = self.last_motion_fraction >= s.min_area
        due = tracks_alive and t - self._last_run_t >= s.max_idle_s
        if moving or due:
            self._last_run_t = t
            return True
        return False

    def _shrink(self, image: Image) -> Image:
        h, w = image.shape[:2]
        width = min(self.settings.width, w)
        height = max(1, round(h * width / w))
        grey = cv2.cvtColor(cv2.resize(image, (width, height)), cv2.COLOR_BGR2GRAY)
        return np.asarray(cv2.GaussianBlur(grey, (5, 5), 0), dtype=np.uint8)
