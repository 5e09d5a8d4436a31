"""Reads a live source on its own thread and keeps only the newest frame.

A camera does not wait for its reader: when analysis is slower than real time, the
frames it had no time for are dropped here (and counted), never queued, so memory stays
bounded and the picture analysed is always the latest one.

Example:
    >>> reader = LatestFrameReader(source)  # doctest: +SKIP
    >>> while (frame := reader.get(timeout=1.0)) is not None or reader.running:  # doctest: +SKIP
    ...     ...
"""

from __future__ import annotations

import logging
import threading

from shopguard.core import Frame
from shopguard.video.source import VideoSource

log = logging.getLogger(__name__)


class LatestFrameReader:
    """A one-frame mailbox filled by a thread that iterates ``source.frames()``.

    Attributes:
        dropped: frames replaced before anyone took them (analysis too slow).
        error: what ended the reader, if it raised (files that cannot be decoded).
    """

    def __init__(self, source: VideoSource):
        self.source = source
        self.dropped = 0
        self.error: BaseException | None = None
        self._frame: Frame | None = None
        self._done = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="frame-reader", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """False once the source has ended (and its last frame was taken)."""
        with self._cond:
            return not self._done or self._frame is not None

    def get(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet taken; waits up to ``timeout`` (``None`` if none came)."""
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._done, timeout)
            frame, self._frame = self._frame, None
            return frame

    def stop(self) -> None:
        """Stop the source and wait for the reader thread."""
        self.source.stop()
        self._thread.join(10)

    def _run(self) -> None:
        try:
            for frame in self.source.frames():
                with self._cond:
                    if self._frame is not None:
                        self.dropped += 1
                    self._frame = frame
                    self._cond.notify_all()
        except BaseException as exc:  # reported through ``error``; the worker decides
            self.error = exc
            log.error("%s: frame reader stopped: %s", self.source.camera_id, exc)
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()
