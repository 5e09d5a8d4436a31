"""``/api/stream``: server-sent events of event changes, reviews and camera health.

Each message is ``id: <seq>``, ``event: <kind>`` (``event.opened``, ``event.updated``,
``event.closed``, ``event.reviewed``, ``camera.health``, …) and ``data: <JSON>``. On
connect the current health of every visible camera is sent first; a comment line every
``heartbeat_s`` keeps proxies from closing an idle connection. A reader too slow to keep
up loses the oldest messages (the hub counts them); the dashboard reloads on reconnect.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, Response, current_app

from shopguard.service.auth import Principal, ctx, current
from shopguard.service.hub import HubMessage, LiveHub
from shopguard.service.routes import api_route
from shopguard.service.streaming import POLL_S, StreamBody, StreamSlots, disconnect_probe

bp = Blueprint("stream", __name__, url_prefix="/api")

RETRY_MS = 3000


def sse(kind: str, data: dict[str, Any], seq: int | None = None) -> bytes:
    """One server-sent event."""
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, default=str)}\n\n".encode()


def _visible(principal: Principal, message: HubMessage) -> bool:
    camera_id = message.data.get("camera_id")
    return principal.cameras is None or (isinstance(camera_id, str) and principal.sees(camera_id))


def _events(hub: LiveHub, principal: Principal, heartbeat_s: float,
            gone: Callable[[], bool]) -> Iterator[bytes]:
    sub = hub.subscribe()
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        for camera_id, report in sorted(hub.health().items()):
            if principal.sees(camera_id):
                yield sse("camera.health", report)
        last_write = time.monotonic()
        while not (sub.closed or gone()):
            message = sub.get(timeout=min(POLL_S, heartbeat_s))
            if message is not None and _visible(principal, message):
                yield sse(message.kind, message.data, message.seq)
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat_s:
                yield b": ping\n\n"
                last_write = time.monotonic()
    finally:
        sub.close()


@api_route(bp, "/stream", "GET", "Live changes (server-sent events)", access="view",
           produces="text/event-stream", errors=(503,))
def stream() -> Response:
    context = ctx()
    slots: StreamSlots = current_app.extensions["shopguard.streams"]
    release = slots.acquire()
    chunks = _events(context.hub, current(), context.settings.heartbeat_s, disconnect_probe())
    body = StreamBody(chunks, release)
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
