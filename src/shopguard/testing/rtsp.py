"""A real RTSP server on loopback for stream tests, and test streams to serve.

``RtspServer`` runs ``gst_rtsp_server.py`` (GStreamer's RTSP server) as a separate
process with the system Python, so tests can kill it (``kill``), freeze it without
closing the connection (``stall``/``resume``) and start it again on the same port.
Streams are H.264 (``.h264``) or H.265 (``.h265``) Annex-B files written by ``write_h264``
from any video or frames.

Example:
    >>> clip = write_h264(frames_of("people.mp4"), tmp / "cam.h264")  # doctest: +SKIP
    >>> with RtspServer({"/cam": clip}) as server:  # doctest: +SKIP
    ...     source = VideoSource(server.url("/cam"), "cam", SourceSettings(live=True))
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import cast

import av
import cv2
import numpy as np

from shopguard.core import Image
from shopguard.storage.testing import free_port

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER_SCRIPT = Path(__file__).with_name("gst_rtsp_server.py")
DEBIAN_PACKAGES = (
    "python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base "
    "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"
)


def rtsp_server_missing() -> str | None:
    """Why the GStreamer RTSP server cannot run here (``None``: it can)."""
    if not Path(SYSTEM_PYTHON).is_file():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0');"
         "from gi.repository import GstRtspServer, Gst; Gst.init(None);"
         "assert Gst.ElementFactory.find('rtph264pay') and Gst.ElementFactory.find('h264parse')"],
        capture_output=True, text=True, check=False,
    )
    if probe.returncode != 0:
        return f"GStreamer RTSP server unavailable (apt-get install {DEBIAN_PACKAGES})"
    return None


def frames_of(path: str | Path, size: tuple[int, int] | None = None) -> Iterator[Image]:
    """Decoded BGR frames of a video file, resized to ``size`` (w, h) if given."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            image = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
            yield image if size is None else np.asarray(cv2.resize(image, size), np.uint8)


#: Encoders for ``write_h264``'s ``codec``: PyAV encoder, muxer, options that put the
#: parameter sets in-band at every key frame (a client may join at any time).
ENCODERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "h264": ("libx264", "h264", {"bf": "0", "tune": "zerolatency",
                                 "x264-params": "repeat-headers=1"}),
    "hevc": ("libx265", "hevc", {"tune": "zerolatency",
                                 "x265-params": "repeat-headers=1:bframes=0:log-level=error"}),
}


def write_h264(
    frames: Iterable[Image], out: str | Path, fps: int = 15, gop: int = 15, append: bool = False,
    codec: str = "h264",
) -> Path:
    """Encode frames as an Annex-B elementary stream (every key frame repeats the parameter
    sets): H.264 by default, H.265 with ``codec="hevc"`` (name the file ``.h265``).

    ``append`` adds a second segment to an existing file, e.g. at another resolution.
    """
    encoder, muxer, options = ENCODERS[codec]
    out = Path(out)
    with open(out, "ab" if append else "wb") as raw, av.open(raw, "w", format=muxer) as box:
        stream: av.VideoStream | None = None
        for i, image in enumerate(frames):
            if stream is None:
                stream = cast(av.VideoStream, box.add_stream(encoder, rate=fps))
                stream.width, stream.height = image.shape[1], image.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.time_base = Fraction(1, fps)
                stream.options = {"g": str(gop), "preset": "ultrafast", **options}
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            box.mux(stream.encode(frame))
        if stream is not None:
            box.mux(stream.encode(None))
    return out


def corrupt_h264(src: str | Path, out: str | Path, every: int = 40_000, length: int = 64,
                 seed: int = 0) -> Path:
    """A copy of ``src`` with ``length`` random bytes written over it every ``every`` bytes
    (packets corrupted mid-stream; the start with the first SPS/PPS/IDR stays intact)."""
    data = bytearray(Path(src).read_bytes())
    rng = np.random.default_rng(seed)
    for pos in range(every, len(data) - length, every):
        data[pos:pos + length] = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
    Path(out).write_bytes(bytes(data))
    return Path(out)


class RtspServer:
    """GStreamer's RTSP server on ``127.0.0.1:port``, serving ``mounts`` (path → .h264/.h265)."""

    def __init__(self, mounts: Mapping[str, str | Path], port: int | None = None, fps: int = 15):
        self.mounts = {k: Path(v) for k, v in mounts.items()}
        self.port = port or free_port()
        self.fps = fps
        self.process: subprocess.Popen[str] | None = None
        self.log_path: Path | None = None

    def url(self, mount: str) -> str:
        return f"rtsp://127.0.0.1:{self.port}{mount}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout_s: float = 20.0) -> None:
        """Start (or start again, on the same port) and wait until it listens."""
        if self.running:
            return
        args = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port), "--fps",
                str(self.fps)]
        for path, file in self.mounts.items():
            args += ["--mount", f"{path}={file}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL"))}
        with tempfile.NamedTemporaryFile("w+", prefix="rtsp-", suffix=".log",
                                         delete=False) as log:
            self.log_path = Path(log.name)
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                            text=True, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while "READY" not in (text := self.log_path.read_text()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"RTSP server did not start: {text}")
            time.sleep(0.02)

    def kill(self) -> None:
        """``SIGKILL``: every connection drops at once, like a camera losing power."""
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGCONT)
                self.process.kill()
            self.process.wait(10)
            self.process = None

    def stall(self) -> None:
        """``SIGSTOP``: connections stay open, no more data (a hung camera or network)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def __enter__(self) -> RtspServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.kill()


def available() -> bool:
    """Whether ``RtspServer`` can run here (GStreamer and the system Python's gi)."""
    return shutil.which(SYSTEM_PYTHON) is not None and rtsp_server_missing() is None
