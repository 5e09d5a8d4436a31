"""Frame sources: video files, RTSP/HTTP streams and webcams, decoded with PyAV.

Every source yields ``Frame`` objects stamped with their capture time. Live sources
(streams, webcams, files played ``live``) reconnect with exponential backoff and never
raise out of ``frames()``; their state and error counts live in ``source.status``.

Example:
    >>> source = open_source("store.mp4", camera_id="cam1")  # doctest: +SKIP
    >>> for frame in source.frames():  # doctest: +SKIP
    ...     ...
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import av
import av.error
import numpy as np

from shopguard.core import Frame
from shopguard.video.rate import FrameRateLimiter

log = logging.getLogger(__name__)

STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")
WEBCAM_PREFIX = "webcam:"


class SourceError(RuntimeError):
    """A source cannot be opened or decoded (missing file, unsupported or corrupt data)."""


class SourceState(StrEnum):
    """Health of a source, as shown on the camera's status."""

    STARTING = "starting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    ENDED = "ended"


@dataclass(slots=True)
class SourceStatus:
    """Counters and state a camera's health report is built from."""

    state: SourceState = SourceState.STARTING
    frames_decoded: int = 0
    frames_emitted: int = 0
    decode_errors: int = 0
    reconnects: int = 0
    last_error: str = ""
    last_frame_wall: float = 0.0
    width: int = 0
    height: int = 0
    codec: str = ""
    source_fps: float = 0.0
    duration_s: float = 0.0
    history: list[str] = field(default_factory=list)

    def set_error(self, message: str) -> None:
        self.last_error = message
        self.history = [*self.history[-9:], message]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential reconnect delays: ``initial``, ``initial*factor``, … capped at ``maximum``."""

    initial_s: float = 0.5
    factor: float = 2.0
    maximum_s: float = 30.0
    max_attempts: int | None = None  # None: retry forever (a camera may come back)

    def delay(self, attempt: int) -> float:
        """Delay before reconnect ``attempt`` (1-based)."""
        return float(min(self.maximum_s, self.initial_s * self.factor ** max(0, attempt - 1)))


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """How to open and pace a source.

    Attributes:
        max_fps: frames per second handed on (decoded frames above it are dropped early).
        live: stamp frames with wall-clock time and reconnect on errors or end of stream.
        loop: restart a file at its end (the demo camera: a file played as a live stream).
        realtime: pace file playback to its own frame rate (with ``loop`` or ``live``).
        open_timeout_s: give up opening a stream after this long.
        read_timeout_s: a stream that delivers no packet for this long counts as stalled.
        rtsp_transport: ``tcp`` (robust) or ``udp``.
        probe_s: how long a stream is analysed when it opens (FFmpeg's default of 5 s
            delays every reconnect; H.264/H.265 streams carry their parameters in-band).
        backoff: reconnect schedule.
    """

    max_fps: float | None = None
    live: bool = False
    loop: bool = False
    realtime: bool = False
    open_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    rtsp_transport: str = "tcp"
    probe_s: float = 1.0
    backoff: Backoff = Backoff()


class VideoSource:
    """Decodes one video URL or file into ``Frame`` objects."""

    def __init__(self, url: str, camera_id: str = "cam", settings: SourceSettings | None = None):
        self.url = url
        self.camera_id = camera_id
        self.settings = settings or SourceSettings()
        self.status = SourceStatus()
        self._stop = threading.Event()
        self._index = 0

    @property
    def is_live(self) -> bool:
        return self.settings.live or self.settings.loop or not _is_file(self.url)

    def stop(self) -> None:
        """Ask ``frames()`` to finish (from any thread); a reconnect wait ends at once."""
        self._stop.set()

    def frames(self) -> Iterator[Frame]:
        """Yield frames until the file ends, ``stop()`` is called, or reconnects run out.

        Files that are not live raise ``SourceError`` when they cannot be opened or decoded;
        live sources log, count and reconnect instead.
        """
        limiter = FrameRateLimiter(self.settings.max_fps)
        attempt = 0
        time_offset = 0.0
        while not self._stop.is_set():
            try:
                last_t = time_offset
                for frame in self._decode_once(limiter, time_offset):
                    attempt = 0
                    last_t = frame.t
                    yield frame
                    if self._stop.is_set():
                        return
                if not self.is_live:
                    self.status.state = SourceState.ENDED
                    return
                if self.settings.loop:
                    time_offset = last_t + 1.0 / max(self.status.source_fps, 1.0)
                    limiter.reset()
                    continue
                raise SourceError(f"stream ended: {self.url}")
            except (SourceError, av.error.FFmpegError, OSError) as exc:
                message = _describe(exc, self.url)
                self.status.set_error(message)
                if not self.is_live:
                    self.status.state = SourceState.FAILED
                    raise SourceError(message) from exc
                attempt += 1
                backoff = self.settings.backoff
                if backoff.max_attempts is not None and attempt > backoff.max_attempts:
                    self.status.state = SourceState.FAILED
                    log.error("%s: giving up after %d tries: %s", self.camera_id, attempt, message)
                    return
                self.status.reconnects += 1
                self.status.state = SourceState.RECONNECTING
                delay = backoff.delay(attempt)
                log.warning("%s: %s; reconnecting in %.1fs", self.camera_id, message, delay)
                self._stop.wait(delay)

    def _open(self) -> av.container.InputContainer:
        url, options, fmt = self.url, {}, None
        if url.startswith(WEBCAM_PREFIX):
            url, fmt = f"/dev/video{url[len(WEBCAM_PREFIX):]}", "v4l2"
        elif url.startswith(("rtsp://", "rtsps://")):
            options = {"rtsp_transport": self.settings.rtsp_transport}
        elif _is_file(url) and not Path(url).is_file():
            raise SourceError(f"video file not found: {url}")
        if not _is_file(self.url):
            options["analyzeduration"] = str(int(self.settings.probe_s * 1_000_000))
        timeout = (self.settings.open_timeout_s, self.settings.read_timeout_s)
        try:
            return av.open(url, format=fmt, options=options, timeout=timeout)
        except av.error.FFmpegError as exc:
            raise SourceError(_describe(exc, self.url)) from exc

    def _decode_once(self, limiter: FrameRateLimiter, time_offset: float) -> Iterator[Frame]:
        container = self._open()
        try:
            if not container.streams.video:
                raise SourceError(f"no video stream in {self.url}")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            self.status.codec = stream.codec_context.name  # may change at a reconnect
            rate = stream.average_rate or stream.guessed_rate
            self.status.source_fps = float(rate) if rate else 0.0
            if stream.duration and stream.time_base:
                self.status.duration_s = float(stream.duration * stream.time_base)
            elif container.duration:
                self.status.duration_s = container.duration / av.time_base
            wall_start, stream_start = time.monotonic(), None
            decoded_any = False
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                try:
                    decoded = packet.decode()
                except av.error.InvalidDataError as exc:
                    self.status.decode_errors += 1
                    self.status.set_error(_describe(exc, self.url))
                    continue
                for av_frame in decoded:
                    decoded_any = True
                    self.status.frames_decoded += 1
                    stream_t = float(av_frame.time) if av_frame.time is not None else (
                        self.status.frames_decoded / max(self.status.source_fps, 1.0)
                    )
                    if stream_start is None:
                        stream_start = stream_t
                    if self.settings.realtime:
                        ahead = (stream_t - stream_start) - (time.monotonic() - wall_start)
                        if ahead > 0 and self._stop.wait(ahead):
                            return
                    t = time.time() if self.is_live else stream_t + time_offset
                    if not limiter.due(t):
                        continue
                    image = av_frame.to_ndarray(format="bgr24")
                    self.status.state = SourceState.LIVE
                    self.status.last_frame_wall = time.time()
                    self.status.height, self.status.width = image.shape[:2]
                    self.status.frames_emitted += 1
                    yield Frame(self.camera_id, self._index, t, np.ascontiguousarray(image))
                    self._index += 1
            if not decoded_any:
                raise SourceError(f"no decodable video frames in {self.url}")
        finally:
            container.close()


def open_source(url: str, camera_id: str = "cam", **settings: object) -> VideoSource:
    """A ``VideoSource`` for a file path, stream URL or ``webcam:N``."""
    return VideoSource(url, camera_id, SourceSettings(**settings))  # type: ignore[arg-type]


def _is_file(url: str) -> bool:
    return not (url.startswith(STREAM_SCHEMES) or url.startswith(WEBCAM_PREFIX))


def _describe(exc: BaseException, url: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if url in text else f"{text} ({url})"
