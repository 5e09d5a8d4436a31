"""Reliability fixtures: a real RTSP server on loopback, test streams, real receivers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shopguard.alerts.testing import http_recorder
from shopguard.storage.testing import moto_s3, postgres_admin_url
from shopguard.testing.people_video import compose_people_video
from shopguard.testing.rtsp import RtspServer, frames_of, rtsp_server_missing, write_h264

__all__ = ["http_recorder", "moto_s3", "postgres_admin_url"]

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = (640, 360)


@pytest.fixture(scope="session")
def people_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real people walking, 720p, 15 fps, 3 s."""
    out = tmp_path_factory.mktemp("people") / "people.mp4"
    return compose_people_video(DATA / "bus.jpg", out, seconds=3.0, fps=15.0).path


@pytest.fixture(scope="session")
def people_h264(people_mp4: Path) -> Path:
    """The people video at 640×360 as an H.264 stream a camera would send."""
    return write_h264(frames_of(people_mp4, SMALL), people_mp4.with_suffix(".h264"))


@pytest.fixture
def rtsp_server() -> Iterator[Callable[..., RtspServer]]:
    """Starts GStreamer RTSP servers (skips where GStreamer is missing); kills them after."""
    missing = rtsp_server_missing()
    if missing:
        pytest.skip(missing)
    servers: list[RtspServer] = []

    def start(mounts: dict[str, Path], port: int | None = None) -> RtspServer:
        server = RtspServer(mounts, port=port)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.fixture(scope="session")
def alarm_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A behaviour model that scores every window ≈ 0.98 (events open deterministically)."""
    from service_harness import always_alarm_model

    return always_alarm_model(tmp_path_factory.mktemp("models") / "always-alarm.onnx")
