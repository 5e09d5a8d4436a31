"""``/api/cameras/<id>/live.mjpg`` and ``snapshot.jpg``: the live view, as MJPEG.

The workers draw the overlays (boxes, skeletons, zones) and publish JPEGs to the hub; this
module only forwards them (the API never decodes video). The stream starts with the
latest frame (a camera without one within ``FIRST_FRAME_S`` answers 503), and a camera
with no new frame for ``KEEPALIVE_S`` sends its last frame again, so a vanished client is
noticed by the write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app

from shopguard.service.auth import ctx, db, require_camera
from shopguard.service.errors import ApiError
from shopguard.service.hub import LiveHub
from shopguard.service.routes import api_route
from shopguard.service.streaming import POLL_S, StreamBody, StreamSlots, disconnect_probe
from shopguard.storage.models import Camera

bp = Blueprint("live", __name__, url_prefix="/api/cameras")

BOUNDARY = "frame"
KEEPALIVE_S = 10.0
FIRST_FRAME_S = 3.0


def _part(jpeg: bytes) -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
    return head.encode() + jpeg + b"\r\n"


def _frames(hub: LiveHub, camera_id: str, first: tuple[bytes, int],
            gone: Callable[[], bool]) -> Iterator[bytes]:
    latest, seq = first
    yield _part(latest)
    last_write = time.monotonic()
    while not (hub.closed or gone()):
        frame = hub.wait_frame(camera_id, seq, POLL_S)
        if frame is not None:
            latest, seq = frame
        elif time.monotonic() - last_write < KEEPALIVE_S:
            continue
        yield _part(latest)
        last_write = time.monotonic()


def _check_camera(camera_id: str) -> None:
    require_camera(camera_id)
    if db().get(Camera, camera_id) is None and ctx().hub.latest_frame(camera_id) is None:
        raise ApiError(404, f"no camera {camera_id!r}")


@api_route(bp, "/<camera_id>/live.mjpg", "GET", "Live view with overlays (MJPEG)",
           access="view", produces=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
           errors=(404, 503))
def live(camera_id: str) -> Response:
    _check_camera(camera_id)
    hub = ctx().hub
    first = hub.latest_frame(camera_id) or hub.wait_frame(camera_id, 0, FIRST_FRAME_S)
    if first is None:
        raise ApiError(503, f"camera {camera_id!r} has no live picture yet",
                       headers={"Retry-After": "5"})
    slots: StreamSlots = current_app.extensions["shopguard.streams"]
    release = slots.acquire()
    body = StreamBody(_frames(hub, camera_id, first, disconnect_probe()), release)
    response = Response(body, mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}")
    response.headers["Cache-Control"] = "no-cache, no-store"
    return response


@api_route(bp, "/<camera_id>/snapshot.jpg", "GET", "The latest live frame (JPEG)",
           access="view", produces="image/jpeg", errors=(404,))
def snapshot(camera_id: str) -> Response:
    _check_camera(camera_id)
    frame = ctx().hub.latest_frame(camera_id)
    if frame is None:
        raise ApiError(404, f"camera {camera_id!r} has no live frame yet")
    response = Response(frame[0], mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    return response
