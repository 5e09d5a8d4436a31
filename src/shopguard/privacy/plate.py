"""A background plate: the camera's scene with nobody in it, for ``pose_only`` pictures.

The plate is the per-pixel median of a few frames taken while the tracker saw nobody.
A frame becomes a sample only if nobody is seen for ``confirm_s`` before *and* after it
(a person entering is often not tracked for the first frame or two). Samples are taken
every ``learn_interval_s`` until there are ``samples`` of them, then one is replaced every
``refresh_interval_s`` (lighting changes, moved displays). Until ``min_samples`` exist
there is no plate and callers draw on a neutral grey canvas.

Samples are kept at most ``max_width`` pixels wide: the plate is only a backdrop for
skeletons, and a smaller plate costs less memory and time.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> plate = BackgroundPlate(PlateSettings(min_samples=1, learn_interval_s=0.5,
    ...                                       confirm_s=0.5))
    >>> scene = np.full((40, 60, 3), 90, np.uint8)
    >>> for i in range(4):
    ...     plate.observe(scene, Tracks.empty(), t=i * 0.5)
    >>> plate.ready, int(plate.image(60, 40)[0, 0, 0])
    (True, 90)
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from shopguard.core import Image, Tracks

#: Canvas colour while no plate exists (BGR mid grey).
GREY = 128


@dataclass(frozen=True, slots=True)
class PlateSettings:
    """How the plate is learnt; see the module docstring."""

    samples: int = 7
    min_samples: int = 3
    learn_interval_s: float = 2.0
    refresh_interval_s: float = 60.0
    confirm_s: float = 1.0
    max_width: int = 960

    def __post_init__(self) -> None:
        if not 1 <= self.min_samples <= self.samples:
            raise ValueError("need 1 <= min_samples <= samples")
        if min(self.learn_interval_s, self.refresh_interval_s, self.confirm_s) < 0:
            raise ValueError("intervals must be >= 0")


class BackgroundPlate:
    """Learns the empty scene of one camera from the frames it is shown."""

    def __init__(self, settings: PlateSettings | None = None):
        self.settings = settings or PlateSettings()
        self._samples: deque[Image] = deque(maxlen=self.settings.samples)
        self._pending: Image | None = None
        self._pending_t = 0.0
        self._last_seen = float("-inf")
        self._next_t = float("-inf")
        self._last_t = float("-inf")
        self._source_shape: tuple[int, ...] | None = None
        self._median: Image | None = None
        self._scaled: Image | None = None

    @property
    def ready(self) -> bool:
        """Whether enough empty-scene samples exist for a plate."""
        return self._median is not None

    @property
    def sample_count(self) -> int:
        return len(self._samples)

    def observe(self, image: Image, tracks: Tracks, t: float) -> None:
        """Show the plate a frame and the people tracked in it (at capture time ``t``)."""
        s = self.settings
        if t < self._last_t or image.shape != self._source_shape:  # clock restart or new size
            self._pending, self._last_seen, self._next_t = None, float("-inf"), float("-inf")
            if image.shape != self._source_shape:
                self._samples.clear()
                self._median = self._scaled = None
                self._source_shape = image.shape
        self._last_t = t
        if len(tracks):
            self._pending, self._last_seen = None, t
            return
        if self._pending is not None and t - self._pending_t >= s.confirm_s:
            self._add(self._pending)
            self._pending = None
            full = len(self._samples) == s.samples
            self._next_t = self._pending_t + (s.refresh_interval_s if full else s.learn_interval_s)
        if self._pending is None and t >= self._next_t and t - self._last_seen >= s.confirm_s:
            self._pending, self._pending_t = self._shrink(image), t

    def image(self, width: int, height: int) -> Image | None:
        """The plate at ``width`` × ``height`` (cached; do not modify), or ``None``."""
        if self._median is None:
            return None
        if self._scaled is None or self._scaled.shape[:2] != (height, width):
            resized = cv2.resize(self._median, (width, height), interpolation=cv2.INTER_LINEAR)
            self._scaled = np.asarray(resized, dtype=np.uint8)
        return self._scaled

    def canvas(self, width: int, height: int) -> Image:
        """A fresh copy of the plate, or a grey canvas while there is none."""
        plate = self.image(width, height)
        if plate is None:
            return np.full((height, width, 3), GREY, np.uint8)
        return plate.copy()

    def _shrink(self, image: Image) -> Image:
        height, width = image.shape[:2]
        if width <= self.settings.max_width:
            return image.copy()
        size = (self.settings.max_width, round(height * self.settings.max_width / width))
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)

    def _add(self, sample: Image) -> None:
        self._samples.append(sample)
        if len(self._samples) >= self.settings.min_samples:
            stack = np.stack(self._samples)
            self._median = np.median(stack, axis=0).round().astype(np.uint8)
            self._scaled = None
