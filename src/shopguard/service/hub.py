"""The live hub: what the service process knows *now* about its cameras, shared by threads.

The supervisor (fed by the worker processes) pushes camera health, live-view JPEGs (with
overlays already drawn) and event changes into the hub; the API streams them out as
server-sent events and MJPEG. Every method is thread-safe; nothing here blocks a
publisher: a slow subscriber loses its oldest messages (counted in ``dropped``).

Example:
    >>> hub = LiveHub()
    >>> with hub.subscribe() as sub:
    ...     _ = hub.publish("event.opened", {"id": "e1", "camera_id": "door-1"})
    ...     sub.get(timeout=0).kind
    'event.opened'
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from shopguard.service.metrics import Metrics

#: Message kinds the dashboard listens for on ``/api/stream``.
STREAM_KINDS = ("event.opened", "event.updated", "event.closed", "event.reviewed",
                "event.evidence", "camera.health", "camera.notice")
DEFAULT_QUEUE = 256

#: Health report keys (see ``service.worker.health_report``) exported as metrics.
_COUNTERS = {
    "frames_in": ("shopguard_frames_in_total", "Frames read from the camera source."),
    "frames_analysed": ("shopguard_frames_analysed_total", "Frames run through the pose model."),
    "restarts": ("shopguard_worker_restarts_total", "Times the camera's worker was restarted."),
    "frames_dropped": ("shopguard_frames_dropped_total",
                       "Frames dropped because analysis was slower than the source."),
    "decode_errors": ("shopguard_decode_errors_total", "Packets the decoder rejected."),
    "reconnects": ("shopguard_reconnects_total", "Times the source was reconnected."),
    "evidence_disk_full": ("shopguard_evidence_disk_full_total",
                           "Clips or snapshots not stored because the disk was full."),
}
_GAUGES = {
    "inference_ms": ("shopguard_inference_ms", "Median pose inference time (ms)."),
    "evidence_queue": ("shopguard_queue_depth", "Frames waiting in the evidence writer queue."),
    "fps_in": ("shopguard_fps_in", "Source frame rate."),
    "fps_analysed": ("shopguard_fps_analysed", "Analysed frame rate."),
    "overloaded": ("shopguard_camera_overloaded",
                   "1 while analysis runs below its target rate (frames are dropped)."),
}


@dataclass(frozen=True, slots=True)
class HubMessage:
    """One published change; ``seq`` increases by one per publish (the SSE ``id``)."""

    seq: int
    kind: str
    data: dict[str, Any]


class Subscription:
    """A bounded queue of hub messages for one reader; full: the oldest is dropped.

    Use as a context manager (or call ``close``) so the hub forgets it.
    """

    def __init__(self, hub: LiveHub, maxsize: int):
        self._hub = hub
        self._queue: deque[HubMessage] = deque()
        self._maxsize = maxsize
        self._cond = threading.Condition()
        self.dropped = 0
        self.closed = False

    def put(self, message: HubMessage) -> None:
        with self._cond:
            if self.closed:
                return
            if len(self._queue) >= self._maxsize:
                self._queue.popleft()
                self.dropped += 1
                self._hub.metrics.counter(
                    "shopguard_stream_dropped_total", "Live messages dropped for slow readers."
                ).inc()
            self._queue.append(message)
            self._cond.notify()

    def get(self, timeout: float | None = None) -> HubMessage | None:
        """The next message, waiting up to ``timeout`` s; ``None`` on timeout or close."""
        with self._cond:
            if not self._queue and not self.closed:
                self._cond.wait(timeout)
            return self._queue.popleft() if self._queue else None

    def close(self) -> None:
        """Stop receiving; a reader blocked in ``get`` returns at once."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self._hub._forget(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class _FrameSlot:
    """The latest live JPEG of one camera and its sequence number."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.jpeg: bytes | None = None
        self.seq = 0


class LiveHub:
    """Health, live frames, metrics and the change feed of all cameras."""

    def __init__(self, metrics: Metrics | None = None, queue_size: int = DEFAULT_QUEUE):
        self.metrics = metrics or Metrics()
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._subscribers: set[Subscription] = set()
        self._health: dict[str, dict[str, Any]] = {}
        self._frames: dict[str, _FrameSlot] = {}
        self._closed = threading.Event()

    # ----- change feed -----------------------------------------------------------------
    def publish(self, kind: str, data: dict[str, Any]) -> int:
        """Send ``data`` to every subscriber; returns the message's ``seq``."""
        with self._lock:
            message = HubMessage(next(self._seq), kind, data)
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.put(message)
        return message.seq

    def subscribe(self, maxsize: int | None = None) -> Subscription:
        """A new subscription to every message published from now on."""
        sub = Subscription(self, maxsize or self.queue_size)
        with self._lock:
            if self._closed.is_set():
                sub.closed = True
            else:
                self._subscribers.add(sub)
        return sub

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _forget(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    # ----- health ----------------------------------------------------------------------
    def set_health(self, camera_id: str, health: dict[str, Any]) -> None:
        """Store a camera's health, export its numbers as metrics, publish ``camera.health``."""
        report = {**health, "camera_id": camera_id}
        with self._lock:
            self._health[camera_id] = report
        for key, (name, help_text) in _COUNTERS.items():
            if isinstance(report.get(key), int | float):
                self.metrics.counter(name, help_text).set(report[key], camera=camera_id)
        for key, (name, help_text) in _GAUGES.items():
            if isinstance(report.get(key), int | float):
                self.metrics.gauge(name, help_text).set(report[key], camera=camera_id)
        self.metrics.gauge("shopguard_camera_up", "1 while the camera is live.").set(
            1.0 if report.get("state") == "live" else 0.0, camera=camera_id
        )
        self.publish("camera.health", report)

    def health(self) -> dict[str, dict[str, Any]]:
        """The latest health report of every camera, by camera id."""
        with self._lock:
            return {cid: dict(h) for cid, h in self._health.items()}

    def remove_camera(self, camera_id: str) -> None:
        """Forget a removed camera's health, frames and metrics."""
        with self._lock:
            self._health.pop(camera_id, None)
            slot = self._frames.pop(camera_id, None)
        if slot is not None:
            with slot.cond:
                slot.cond.notify_all()
        self.metrics.remove_labels(camera=camera_id)

    # ----- live frames -----------------------------------------------------------------
    def _slot(self, camera_id: str) -> _FrameSlot:
        with self._lock:
            return self._frames.setdefault(camera_id, _FrameSlot())

    def set_frame(self, camera_id: str, jpeg: bytes) -> int:
        """Replace a camera's live JPEG and wake its viewers; returns the frame's seq."""
        slot = self._slot(camera_id)
        with slot.cond:
            slot.jpeg = jpeg
            slot.seq += 1
            slot.cond.notify_all()
            return slot.seq

    def latest_frame(self, camera_id: str) -> tuple[bytes, int] | None:
        """The newest JPEG of a camera and its seq, or ``None`` if it has none yet."""
        with self._lock:
            slot = self._frames.get(camera_id)
        if slot is None:
            return None
        with slot.cond:
            return (slot.jpeg, slot.seq) if slot.jpeg is not None else None

    def wait_frame(
        self, camera_id: str, after_seq: int, timeout: float
    ) -> tuple[bytes, int] | None:
        """A frame newer than ``after_seq``, waiting up to ``timeout`` s; else ``None``."""
        slot = self._slot(camera_id)
        with slot.cond:
            if slot.seq <= after_seq and not self._closed.is_set():
                slot.cond.wait_for(
                    lambda: slot.seq > after_seq or self._closed.is_set(), timeout
                )
            if slot.jpeg is None or slot.seq <= after_seq:
                return None
            return slot.jpeg, slot.seq

    # ----- shutdown --------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """End every stream: subscriptions close and frame waits return (service stop)."""
        self._closed.set()
        with self._lock:
            subscribers, slots = list(self._subscribers), list(self._frames.values())
        for sub in subscribers:
            sub.close()
        for slot in slots:
            with slot.cond:
                slot.cond.notify_all()
