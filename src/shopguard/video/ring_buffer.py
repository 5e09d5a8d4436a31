"""The last few seconds of one camera as JPEG bytes, for pre-roll and evidence.

Frames are stored compressed, never raw: five seconds of raw 1080p at 15 fps is about
450 MB, the same as JPEGs about 10 MB. The buffer is bounded by time and by bytes.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Frame
    >>> ring = RingBuffer(seconds=5.0)
    >>> _ = ring.push(Frame("cam", 0, 0.0, np.zeros((48, 64, 3), np.uint8)))
    >>> [e.t for e in ring.since(0.0)], ring.since(0.0)[0].decode().shape
    ([0.0], (48, 64, 3))
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from shopguard.core import Frame, Image, Tracks


@dataclass(frozen=True, slots=True)
class BufferedFrame:
    """One stored frame: capture time, source index, JPEG bytes and the frame's tracks.

    ``tracks`` is ``None`` for frames the pose model did not look at.
    """

    t: float
    index: int
    jpeg: bytes
    tracks: Tracks | None = None

    def decode(self) -> Image:
        """The frame as a BGR image."""
        image = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"frame {self.index} at t={self.t}: JPEG does not decode")
        return np.asarray(image, dtype=np.uint8)


def encode_jpeg(image: Image, quality: int) -> bytes:
    """BGR image → JPEG bytes."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"JPEG encoding failed for an image of shape {image.shape}")
    return buf.tobytes()


class RingBuffer:
    """Thread-safe buffer of the newest ``seconds`` of frames, at most ``max_bytes`` of JPEG.

    Args:
        seconds: time span kept, measured back from the newest frame.
        max_bytes: byte budget; the oldest frames go first when it is exceeded
            (``dropped_for_budget`` counts them: the pre-roll is then shorter).
        jpeg_quality: quality of the stored JPEGs (1–100).
    """

    def __init__(self, seconds: float, max_bytes: int = 64 << 20, jpeg_quality: int = 85):
        if seconds < 0 or max_bytes <= 0 or not 1 <= jpeg_quality <= 100:
            raise ValueError("need seconds >= 0, max_bytes > 0 and 1 <= jpeg_quality <= 100")
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.jpeg_quality = jpeg_quality
        self.dropped_for_budget = 0
        self.clock_resets = 0
        self._entries: deque[BufferedFrame] = deque()
        self._nbytes = 0
        self._lock = threading.Lock()

    def push(self, frame: Frame, tracks: Tracks | None = None) -> BufferedFrame:
        """Compress and store a frame (with its tracks, if any); returns the stored entry."""
        entry = BufferedFrame(
            frame.t, frame.index, encode_jpeg(frame.image, self.jpeg_quality), tracks
        )
        self.append(entry)
        return entry

    def append(self, entry: BufferedFrame) -> None:
        """Store an already-encoded entry.

        An entry older than the newest means the source's clock restarted (reconnect):
        the old entries are dropped and ``clock_resets`` counts it.
        """
        with self._lock:
            if self._entries and entry.t < self._entries[-1].t:
                self._entries.clear()
                self._nbytes = 0
                self.clock_resets += 1
            self._entries.append(entry)
            self._nbytes += len(entry.jpeg)
            while self._entries and self._entries[0].t < entry.t - self.seconds:
                self._drop_oldest()
            while self._nbytes > self.max_bytes and len(self._entries) > 1:
                self._drop_oldest()
                self.dropped_for_budget += 1

    def since(self, t0: float) -> list[BufferedFrame]:
        """Entries with ``t >= t0``, oldest first."""
        with self._lock:
            return [e for e in self._entries if e.t >= t0]

    def latest(self) -> BufferedFrame | None:
        """The newest entry, or ``None`` when empty."""
        with self._lock:
            return self._entries[-1] if self._entries else None

    @property
    def nbytes(self) -> int:
        """JPEG bytes held."""
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def _drop_oldest(self) -> None:
        self._nbytes -= len(self._entries.popleft().jpeg)
