"""SSE and MJPEG over a real waitress server (real sockets, ``requests`` streaming)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests
from api_helpers import PASSWORD, add_camera, add_user

from shopguard.service.app import create_app
from shopguard.service.context import ServiceContext
from shopguard.service.server import make_server

pytestmark = pytest.mark.integration
TIMEOUT = 5.0


class Server:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.server = make_server(create_app(ctx), "127.0.0.1", 0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def session(self, username: str, role: str = "viewer",
                cameras: list[str] | None = None) -> requests.Session:
        add_user(self.ctx, username, role, cameras)
        s = requests.Session()
        response = s.post(f"{self.url}/api/auth/login",
                          json={"username": username, "password": PASSWORD}, timeout=TIMEOUT)
        assert response.status_code == 200
        return s

    def stop(self) -> None:
        self.ctx.hub.close()
        self.server.close()
        self.thread.join(TIMEOUT)


@pytest.fixture
def serve(ctx: ServiceContext) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(**settings: Any) -> Server:
        ctx.settings = replace(ctx.settings, **settings)
        servers.append(Server(ctx))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def sse_messages(response: requests.Response) -> Iterator[dict[str, str]]:
    """Parsed server-sent events (comments come as ``{"comment": text}``)."""
    message: dict[str, str] = {}
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
        elif line:
            key, _, value = line.partition(": ")
            message[key] = value
        elif message:
            yield message
            message = {}


def test_sse_delivers_published_events(serve: Callable[..., Server]) -> None:
    server = serve()
    server.ctx.hub.set_health("door-1", {"state": "live"})
    s = server.session("victor")
    with s.get(f"{server.url}/api/stream", stream=True, timeout=TIMEOUT) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        messages = sse_messages(response)
        assert next(messages) == {"retry": "3000"}
        first = next(messages)
        assert first["event"] == "camera.health" and '"door-1"' in first["data"]
        assert wait_until(lambda: server.ctx.hub.subscriber_count == 1)
        seq = server.ctx.hub.publish("event.opened", {"id": "e1", "camera_id": "door-1"})
        opened = next(m for m in messages if "event" in m)
        assert opened == {"id": str(seq), "event": "event.opened",
                          "data": '{"id": "e1", "camera_id": "door-1"}'}
        assert next(messages) == {"comment": "ping"}  # heartbeat_s is 0.2 in the tests


def test_sse_respects_camera_restrictions(serve: Callable[..., Server]) -> None:
    server = serve()
    s = server.session("carol", cameras=["door-1"])
    with s.get(f"{server.url}/api/stream", stream=True, timeout=TIMEOUT) as response:
        messages = (m for m in sse_messages(response) if "event" in m)
        assert wait_until(lambda: server.ctx.hub.subscriber_count == 1)
        server.ctx.hub.publish("event.opened", {"id": "theirs", "camera_id": "till-2"})
        server.ctx.hub.publish("event.opened", {"id": "mine", "camera_id": "door-1"})
        assert '"mine"' in next(messages)["data"]


def test_stream_needs_sign_in(serve: Callable[..., Server]) -> None:
    server = serve()
    response = requests.get(f"{server.url}/api/stream", timeout=TIMEOUT)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_streams_are_capped_and_freed_when_the_client_leaves(
        serve: Callable[..., Server]) -> None:
    server = serve(max_streams=1)
    s = server.session("victor")
    first = s.get(f"{server.url}/api/stream", stream=True, timeout=TIMEOUT)
    assert first.status_code == 200
    busy = s.get(f"{server.url}/api/stream", timeout=TIMEOUT)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert s.get(f"{server.url}/api/events", timeout=TIMEOUT).status_code == 200  # REST ok
    first.close()  # the browser tab goes away
    assert wait_until(lambda: server.ctx.hub.subscriber_count == 0)

    def reconnects() -> bool:
        response = s.get(f"{server.url}/api/stream", stream=True, timeout=TIMEOUT)
        response.close()
        return response.status_code == 200

    assert wait_until(reconnects)


def test_hub_close_ends_open_streams(serve: Callable[..., Server]) -> None:
    server = serve()
    s = server.session("victor")
    with s.get(f"{server.url}/api/stream", stream=True, timeout=TIMEOUT) as response:
        assert wait_until(lambda: server.ctx.hub.subscriber_count == 1)
        server.ctx.hub.close()
        list(sse_messages(response))  # returns: the server ended the stream


def _parts(response: requests.Response) -> Iterator[bytes]:
    """JPEGs of a multipart/x-mixed-replace stream."""
    raw = response.raw
    while True:
        headers = b""
        while not headers.endswith(b"\r\n\r\n"):
            headers += raw.read(1)
        length = next(int(line.split(b":")[1]) for line in headers.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        yield raw.read(length)
        raw.read(2)


def test_mjpeg_forwards_the_workers_frames(serve: Callable[..., Server]) -> None:
    server = serve()
    add_camera(server.ctx, "door-1")
    hub = server.ctx.hub
    hub.set_frame("door-1", b"\xff\xd8first\xff\xd9")
    s = server.session("victor")
    with s.get(f"{server.url}/api/cameras/door-1/live.mjpg", stream=True,
               timeout=TIMEOUT) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
        frames = _parts(response)
        assert next(frames) == b"\xff\xd8first\xff\xd9"
        hub.set_frame("door-1", b"\xff\xd8second\xff\xd9")
        assert next(frames) == b"\xff\xd8second\xff\xd9"
    snapshot = s.get(f"{server.url}/api/cameras/door-1/snapshot.jpg", timeout=TIMEOUT)
    assert snapshot.content == b"\xff\xd8second\xff\xd9"


def test_mjpeg_without_a_picture_is_503(serve: Callable[..., Server]) -> None:
    server = serve()
    add_camera(server.ctx, "door-1")
    s = server.session("victor")
    response = s.get(f"{server.url}/api/cameras/door-1/live.mjpg", timeout=TIMEOUT)
    assert response.status_code == 503
    assert s.get(f"{server.url}/api/cameras/door-1/snapshot.jpg",
                 timeout=TIMEOUT).status_code == 404
