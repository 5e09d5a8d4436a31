"""H.264 MP4 writing that browsers can play (yuv420p, faststart), through PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from shopguard.core import Image


class Mp4Writer:
    """Writes BGR frames to an H.264 MP4 file.

    Frame sizes are rounded down to even numbers (yuv420p needs them); each frame is
    resized to the size of the first one if it differs.

    Example:
        >>> with Mp4Writer("out.mp4", fps=15) as w:  # doctest: +SKIP
        ...     w.write(image)
    """

    def __init__(self, path: str | Path, fps: float, crf: int = 23, preset: str = "veryfast"):
        self.path = Path(path)
        self.fps = fps
        self._crf = crf
        self._preset = preset
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._size: tuple[int, int] | None = None
        self._failed = False
        self.frames_written = 0

    def _open(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(
            str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        stream = container.add_stream("libx264", rate=Fraction(self.fps).limit_denominator(1000))
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(self._crf), "preset": self._preset}
        self._container, self._stream, self._size = container, stream, (width, height)

    def write(self, image: Image) -> None:
        """Append one BGR frame."""
        if self._size is None:
            h, w = image.shape[:2]
            self._open(w - w % 2, h - h % 2)
        assert self._stream is not None and self._container is not None and self._size
        w, h = self._size
        if image.shape[1] != w or image.shape[0] != h:
            image = _fit(image, w, h)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except OSError:
            self._failed = True  # e.g. disk full: flushing the encoder later would crash
            raise
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (safe to call twice).

        After a failed write the file is only released (see ``abort``).
        """
        if self._container is None or self._stream is None:
            return
        if self._failed:
            self.abort()
            return
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
        except OSError:
            self.abort()
            raise
        self._container.close()
        self._container = self._stream = None

    def abort(self) -> None:
        """Release the file without flushing the encoder; the partial file is unusable."""
        if self._container is not None:
            self._container.close()
        self._container = self._stream = None

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _fit(image: Image, width: int, height: int) -> Image:
    import cv2

    return np.asarray(cv2.resize(image, (width, height)), dtype=np.uint8)
