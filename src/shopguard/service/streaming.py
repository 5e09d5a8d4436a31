"""Long-lived responses (SSE, MJPEG) that give their waitress thread back.

Each open stream holds one waitress worker thread, so streams are capped
(``ApiSettings.max_streams``, below the thread count: REST calls always find a thread;
over the cap: 503 + Retry-After) and end as soon as the client goes away: the loop wakes
at least once a second and asks waitress (``waitress.client_disconnected``, enabled by
``channel_request_lookahead`` in ``server.serve_app``) whether the client is still
there; a write to a closed connection also ends it. ``StreamBody.close`` releases the
slot even if the body was never iterated.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from flask import request

from shopguard.service.errors import ApiError

#: Seconds between checks that the client is still connected.
POLL_S = 1.0


class StreamSlots:
    """A counting limit on concurrent streams."""

    def __init__(self, limit: int):
        self.limit = limit
        self._sem = threading.BoundedSemaphore(limit)

    def acquire(self) -> Callable[[], None]:
        """Take a slot (503 if none is free); returns the function that gives it back."""
        if not self._sem.acquire(blocking=False):
            raise ApiError(503, f"too many open streams (limit {self.limit}); try again",
                           headers={"Retry-After": "5"})
        released = threading.Event()

        def release() -> None:
            if not released.is_set():
                released.set()
                self._sem.release()

        return release


def disconnect_probe() -> Callable[[], bool]:
    """A function telling whether this request's client has gone (``False`` if unknown)."""
    probe = request.environ.get("waitress.client_disconnected")
    return probe if callable(probe) else lambda: False


class StreamBody:
    """A response body around a generator that runs ``on_close`` exactly once."""

    def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], None]):
        self._chunks, self._on_close = chunks, on_close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        try:
            close: Any = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()
