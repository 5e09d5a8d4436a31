"""Production HTTP server: waitress.

Threads: every request runs on one of ``threads`` waitress worker threads, and an open
SSE or MJPEG stream keeps its thread for as long as it is open. ``ApiSettings.max_streams``
caps the streams (extra ones get 503), so keep ``threads`` comfortably above it — the
default 32 threads with 16 streams leaves 16 for REST calls. A dashboard tab uses one
SSE stream plus one MJPEG stream per visible camera. ``channel_request_lookahead`` lets
waitress notice a client that went away while its stream is idle, so the thread is freed
within about a second (``streaming.POLL_S``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from waitress.server import create_server

#: Requests waitress reads ahead on a connection; >0 enables disconnect detection.
REQUEST_LOOKAHEAD = 1


def make_server(app: Flask, host: str, port: int, threads: int, **options: Any) -> Any:
    """A waitress server for ``app`` (not yet running); ``port=0`` picks a free port
    (``server.effective_port``)."""
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        channel_request_lookahead=REQUEST_LOOKAHEAD,
        connection_limit=max(100, 4 * threads),  # live clients each hold an SSE connection
        ident="ShopGuard",
        **options,
    )


def serve_app(app: Flask, host: str, port: int, threads: int = 32) -> None:
    """Serve ``app`` until the process is stopped."""
    make_server(app, host, port, threads).run()
