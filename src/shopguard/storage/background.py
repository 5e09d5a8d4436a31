"""A background thread that runs one step again and again, sleeping until woken or due."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class WakeableLoop:
    """Calls ``step()`` in a daemon thread until stopped.

    ``step`` returns how many seconds to wait before the next call (``0``: at once,
    ``None``: until ``wake()`` or ``idle_s``). ``wake()`` ends any wait immediately, so
    new work never waits for a polling interval. An exception in ``step`` is logged and
    the loop carries on after ``error_wait_s``.

    Example:
        >>> loop = WakeableLoop("demo", lambda: None)
        >>> loop.start(); loop.wake(); loop.stop()
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], float | None],
        *,
        idle_s: float = 30.0,
        error_wait_s: float = 5.0,
    ):
        self.name = name
        self._step, self._idle_s, self._error_wait_s = step, idle_s, error_wait_s
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once)."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run the next step now instead of waiting."""
        self._woken.set()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Ask the thread to finish its current step and exit; wait for it."""
        self._stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                wait = self._step()
            except Exception:
                log.exception("%s: step failed", self.name)
                wait = self._error_wait_s
            if wait is None:
                wait = self._idle_s
            if wait > 0:
                self._woken.wait(wait)
