"""Sliding-window limits on failed attempts (login), per key, in memory.

Example:
    >>> t = [0.0]
    >>> limit = AttemptLimiter(2, 60.0, clock=lambda: t[0])
    >>> limit.record("ip:1"); limit.record("ip:1"); limit.retry_after("ip:1")
    60
    >>> t[0] = 61.0; limit.retry_after("ip:1")
    0
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 100_000


class AttemptLimiter:
    """At most ``attempts`` recorded attempts per key in any ``window_s`` seconds."""

    def __init__(
        self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ):
        self.attempts, self.window_s, self.clock = attempts, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            hits = self._prune(key, now)
            if len(hits) < self.attempts:
                return 0
            return max(1, math.ceil(hits[len(hits) - self.attempts] + self.window_s - now))

    def record(self, key: str) -> None:
        """Count one attempt for ``key``."""
        now = self.clock()
        with self._lock:
            if len(self._hits) >= MAX_KEYS:  # bounded memory under a spray of keys
                for stale in [k for k in self._hits if not self._prune(k, now)]:
                    self._hits.pop(stale, None)
            self._hits.setdefault(key, deque()).append(now)

    def reset(self, key: str) -> None:
        """Forget ``key``'s attempts (after a successful login)."""
        with self._lock:
            self._hits.pop(key, None)
