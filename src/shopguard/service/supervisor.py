"""Starts one worker process per camera, watches them and restarts them with backoff.

The supervisor lives in the service process. It reads the workers' message queue,
hands health, live frames and event notices to a ``SupervisorListener`` (the live hub
and the outbox), restarts a worker that died or stopped sending heartbeats, and raises
a camera-offline alert (once) and a recovery notice when a camera comes back.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from shopguard.config import CameraConfig, ServiceConfig
from shopguard.service.worker import WorkerSpec, worker_main

log = logging.getLogger(__name__)

MESSAGE_QUEUE_SIZE = 512
STOP_GRACE_S = 15.0
LIVE_STATES = frozenset({"live"})


class SupervisorListener(Protocol):
    """Receives what the workers report."""

    def on_health(self, camera_id: str, health: dict[str, Any]) -> None: ...

    def on_frame(self, camera_id: str, jpeg: bytes) -> None: ...

    def on_event(self, camera_id: str, kind: str, data: dict[str, Any]) -> None: ...

    def on_camera_offline(self, camera_id: str, reason: str) -> None: ...

    def on_camera_recovered(self, camera_id: str) -> None: ...


@dataclass(slots=True)
class _Worker:
    camera: CameraConfig
    process: Any = None
    started_at: float = 0.0
    last_heartbeat: float = 0.0
    restarts: int = 0
    next_start_at: float = 0.0
    state: str = "starting"
    not_live_since: float | None = None
    offline_alerted: bool = False
    health: dict[str, Any] = field(default_factory=dict)


class Supervisor:
    """Keeps one worker process per enabled camera running."""

    def __init__(self, config: ServiceConfig, listener: SupervisorListener, poll_s: float = 0.5):
        self.config = config
        self.listener = listener
        self.poll_s = poll_s
        self._ctx = mp.get_context("spawn")
        self._workers: dict[str, _Worker] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # ----- lifecycle -------------------------------------------------------------------
    def start(self, cameras: Iterable[CameraConfig]) -> None:
        """Start workers for ``cameras`` and the monitoring threads."""
        self.sync(cameras)
        thread = threading.Thread(target=self._watch, name="supervisor-watch", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop every worker: ask politely (they close events and finish clips), then kill."""
        self._stopping.set()
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for w in workers:
            if w.process is not None and w.process.is_alive():
                w.process.terminate()  # SIGTERM: the worker drains its events and exits
        deadline = time.monotonic() + grace_s
        for w in workers:
            if w.process is not None:
                w.process.join(max(0.1, deadline - time.monotonic()))
                if w.process.is_alive():
                    log.warning("%s: worker did not stop in time, killing it", w.camera.id)
                    w.process.kill()
                    w.process.join(2)
        for thread in self._threads:
            thread.join(2)

    def sync(self, cameras: Iterable[CameraConfig]) -> None:
        """Make the running workers match ``cameras`` (added, changed, removed, disabled)."""
        wanted = {c.id: c for c in cameras if c.enabled}
        with self._lock:
            for camera_id in list(self._workers):
                current = self._workers[camera_id]
                if camera_id not in wanted or wanted[camera_id] != current.camera:
                    self._stop_worker(self._workers.pop(camera_id))
            for camera_id, camera in wanted.items():
                if camera_id not in self._workers:
                    worker = _Worker(camera)
                    self._workers[camera_id] = worker
                    self._spawn(worker)

    # ----- queries ---------------------------------------------------------------------
    def health(self) -> dict[str, dict[str, Any]]:
        """Per-camera health: the worker's last report plus supervision fields."""
        with self._lock:
            return {
                cid: w.health | {"state": w.state, "restarts": w.restarts,
                                 "pid": w.process.pid if w.process else None}
                for cid, w in self._workers.items()
            }

    def pid(self, camera_id: str) -> int | None:
        """Process id of a camera's worker (for operations and fault tests)."""
        with self._lock:
            w = self._workers.get(camera_id)
            return w.process.pid if w and w.process else None

    # ----- internals -------------------------------------------------------------------
    def _spawn(self, w: _Worker) -> None:
        # One queue per worker process: a worker killed while writing can only break its
        # own queue, which is replaced with the process.
        messages = self._ctx.Queue(MESSAGE_QUEUE_SIZE)
        w.process = self._ctx.Process(
            target=worker_main,
            args=(WorkerSpec(w.camera, self.config), messages),
            name=f"shopguard-camera-{w.camera.id}",
            daemon=True,
        )
        w.process.start()
        w.started_at = w.last_heartbeat = time.monotonic()
        w.state = "starting"
        log.info("%s: worker started (pid %s)", w.camera.id, w.process.pid)
        threading.Thread(
            target=self._read_messages,
            args=(w, w.process, messages),
            name=f"supervisor-{w.camera.id}",
            daemon=True,
        ).start()

    def _stop_worker(self, w: _Worker) -> None:
        if w.process is not None:
            w.process.terminate()
            w.process.join(STOP_GRACE_S)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)

    def _read_messages(self, w: _Worker, process: Any, messages: Any) -> None:
        """Relay one worker process's messages until that process is gone."""
        while not self._stopping.is_set():
            try:
                msg = messages.get(timeout=self.poll_s)
            except queue.Empty:
                if w.process is not process or not process.is_alive():
                    break
                continue
            except (EOFError, OSError):
                break
            try:
                self._dispatch(msg)
            except Exception:  # a listener bug must not stop supervision
                log.exception("error handling worker message %s", msg.get("kind"))
        messages.close()
        messages.cancel_join_thread()

    def _dispatch(self, msg: dict[str, Any]) -> None:
        camera_id, kind = msg["camera_id"], msg["kind"]
        if kind == "frame":
            self.listener.on_frame(camera_id, msg["jpeg"])
            return
        if kind in ("event", "evidence"):
            self.listener.on_event(camera_id, msg.get("event_kind", kind), msg.get("data", {}))
            return
        with self._lock:
            w = self._workers.get(camera_id)
            if w is None:
                return
            w.last_heartbeat = time.monotonic()
            w.health = dict(msg["health"])
            if w.health.get("state") != "stopped":
                w.state = w.health["state"]
        self._track_offline(w)
        self.listener.on_health(camera_id, self.health().get(camera_id, w.health))

    def _watch(self) -> None:
        cfg = self.config.worker
        while not self._stopping.wait(self.poll_s):
            now = time.monotonic()
            with self._lock:
                workers = list(self._workers.values())
            for w in workers:
                alive = w.process is not None and w.process.is_alive()
                hung = alive and now - w.last_heartbeat > cfg.heartbeat_timeout_s
                if hung:
                    log.error("%s: no heartbeat for %.0fs, killing worker", w.camera.id,
                              now - w.last_heartbeat)
                    w.process.kill()
                    w.process.join(2)
                    alive = False
                if alive:
                    continue
                if w.next_start_at == 0.0:
                    w.restarts += 1
                    delay = min(cfg.restart_backoff_max_s,
                                cfg.restart_backoff_s * 2 ** min(w.restarts - 1, 16))
                    if now - w.started_at > 10 * cfg.restart_backoff_max_s:
                        delay = cfg.restart_backoff_s  # it ran well for a long time
                    w.next_start_at = now + delay
                    w.state = "failed" if hung else "reconnecting"
                    exitcode = w.process.exitcode if w.process else None
                    w.health["last_error"] = f"worker exited (code {exitcode}); restarting"
                    log.warning("%s: worker exited (code %s), restart in %.1fs",
                                w.camera.id, exitcode, delay)
                    self._track_offline(w)
                    self.listener.on_health(w.camera.id, self.health().get(w.camera.id, {}))
                elif now >= w.next_start_at:
                    w.next_start_at = 0.0
                    with self._lock:
                        if self._workers.get(w.camera.id) is w and not self._stopping.is_set():
                            self._spawn(w)
            for w in workers:
                self._track_offline(w)

    def _track_offline(self, w: _Worker) -> None:
        """Raise the offline alert once when a camera stays down, and a recovery notice."""
        now = time.monotonic()
        if w.state in LIVE_STATES:
            w.not_live_since = None
            if w.offline_alerted:
                w.offline_alerted = False
                self.listener.on_camera_recovered(w.camera.id)
            return
        starting = w.state == "starting"
        if starting and now - w.started_at < self.config.worker.heartbeat_timeout_s:
            return  # loading models and opening the stream: not down yet
        if w.not_live_since is None:
            w.not_live_since = now
        down_for = now - w.not_live_since
        if not w.offline_alerted and down_for >= self.config.worker.offline_alert_after_s:
            w.offline_alerted = True
            reason = w.health.get("last_error") or w.state
            self.listener.on_camera_offline(w.camera.id, str(reason))
