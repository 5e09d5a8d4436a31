"""A background plate: the camera's scene with nobody in it, for ``pose_only`` pictures.

The plate is the per-pixel median of a few sample frames in which every place where a
person was tracked is left out: each person's box, grown by ``box_margin``, from
``confirm_s`` before the sample to ``confirm_s`` after it (a person entering is often not
tracked for the first frame or two, and people move). A frame with nobody in it is a
whole sample. Samples are taken every ``learn_interval_s`` until there are ``samples`` of
them, then one is replaced every ``refresh_interval_s`` (lighting changes, moved
displays). A pixel seen in fewer than ``min_seen`` samples (someone always stands there)
stays grey, and until ``min_samples`` samples exist there is no plate: callers draw on a
neutral grey canvas.

Samples are kept at most ``max_width`` pixels wide: the plate is only a backdrop for
skeletons, and a smaller plate costs less memory and time.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> plate = BackgroundPlate(PlateSettings(min_samples=1, min_seen=1,
    ...                                       learn_interval_s=0.5, confirm_s=0.5))
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

from shopguard.core import FloatArray, Image, Tracks

#: Canvas colour while no plate exists, and of pixels never seen (BGR mid grey).
GREY = 128
_UNSEEN = np.uint16(1024)  # sorts after every pixel value


@dataclass(frozen=True, slots=True)
class PlateSettings:
    """How the plate is learnt; see the module docstring."""

    samples: int = 7
    min_samples: int = 3
    min_seen: int = 3
    learn_interval_s: float = 2.0
    refresh_interval_s: float = 60.0
    confirm_s: float = 1.0
    box_margin: float = 0.2
    max_width: int = 960

    def __post_init__(self) -> None:
        if not 1 <= self.min_samples <= self.samples:
            raise ValueError("need 1 <= min_samples <= samples")
        if not 1 <= self.min_seen <= self.samples:
            raise ValueError("need 1 <= min_seen <= samples")
        if min(self.learn_interval_s, self.refresh_interval_s, self.confirm_s) < 0:
            raise ValueError("intervals must be >= 0")


@dataclass(slots=True)
class _Pending:
    t: float
    image: Image
    hidden: np.ndarray  # bool, True where a person was (or may have been)


class BackgroundPlate:
    """Learns the empty scene of one camera from the frames it is shown."""

    def __init__(self, settings: PlateSettings | None = None):
        self.settings = settings or PlateSettings()
        self._samples: deque[tuple[Image, np.ndarray]] = deque(maxlen=self.settings.samples)
        self._recent: deque[tuple[float, FloatArray]] = deque()  # boxes seen lately
        self._pending: _Pending | None = None
        self._next_t = float("-inf")
        self._last_t = float("-inf")
        self._source_shape: tuple[int, ...] | None = None
        self._scale = 1.0
        self._median: Image | None = None
        self._scaled: Image | None = None

    @property
    def ready(self) -> bool:
        """Whether enough samples exist for a plate."""
        return self._median is not None

    @property
    def sample_count(self) -> int:
        return len(self._samples)

    def observe(self, image: Image, tracks: Tracks, t: float) -> None:
        """Show the plate a frame and the people tracked in it (at capture time ``t``)."""
        s = self.settings
        if t < self._last_t or image.shape != self._source_shape:  # clock restart or new size
            self._pending, self._next_t = None, float("-inf")
            self._recent.clear()
            if image.shape != self._source_shape:
                self._samples.clear()
                self._median = self._scaled = None
                self._source_shape = image.shape
                self._scale = min(1.0, s.max_width / image.shape[1])
        self._last_t = t
        if len(tracks):
            boxes = tracks.boxes.astype(np.float32) * self._scale
            self._recent.append((t, boxes))
            if self._pending is not None:
                self._hide(self._pending.hidden, boxes)
        while self._recent and self._recent[0][0] < t - s.confirm_s:
            self._recent.popleft()
        if self._pending is not None and t - self._pending.t >= s.confirm_s:
            self._add(self._pending)
            full = len(self._samples) == s.samples
            self._next_t = self._pending.t + (s.refresh_interval_s if full else s.learn_interval_s)
            self._pending = None
        if self._pending is None and t >= self._next_t:
            small = self._shrink(image)
            hidden = np.zeros(small.shape[:2], bool)
            for _, boxes in self._recent:
                self._hide(hidden, boxes)
            self._pending = _Pending(t, small, hidden)

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

    def _hide(self, hidden: np.ndarray, boxes: FloatArray) -> None:
        height, width = hidden.shape
        m = self.settings.box_margin
        for x0, y0, x1, y1 in boxes:
            mx, my = m * (x1 - x0), m * (y1 - y0)
            hidden[max(int(y0 - my), 0) : min(int(np.ceil(y1 + my)), height),
                   max(int(x0 - mx), 0) : min(int(np.ceil(x1 + mx)), width)] = True

    def _shrink(self, image: Image) -> Image:
        if self._scale >= 1.0:
            return image.copy()
        height, width = image.shape[:2]
        size = (round(width * self._scale), round(height * self._scale))
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)

    def _add(self, sample: _Pending) -> None:
        self._samples.append((sample.image, sample.hidden))
        if len(self._samples) < self.settings.min_samples:
            return
        # Median of the samples that saw each pixel: unseen values sort last, so the
        # median of the k seen values is at index (k - 1) // 2.
        values = np.stack([img.astype(np.uint16) for img, _ in self._samples])
        hidden = np.stack([h for _, h in self._samples])
        values[hidden] = _UNSEEN
        values.sort(axis=0)
        seen = (~hidden).sum(axis=0)
        index = np.maximum(seen - 1, 0) // 2
        median = np.take_along_axis(values, index[None, :, :, None].repeat(3, axis=3), 0)[0]
        median[seen < self.settings.min_seen] = GREY
        self._median = median.astype(np.uint8)
        self._scaled = None
