"""Real worker processes under the supervisor: live health, crash restart, offline alert."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shopguard.behavior.model import default_model_path
from shopguard.config import ServiceConfig, parse_config
from shopguard.service.supervisor import Supervisor
from shopguard.service.wiring import open_database
from shopguard.testing.people_video import compose_people_video

DATA = Path(__file__).resolve().parents[1] / "data"
#: Seconds for a worker process to go live (about 10 s quiet, far more under load).
LIVE_S = 240


class Listener:
    def __init__(self) -> None:
        self.health: dict[str, list[dict[str, Any]]] = {}
        self.frames: dict[str, int] = {}
        self.offline: list[tuple[str, str]] = []
        self.recovered: list[str] = []
        self.events: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def _note(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def on_health(self, camera_id: str, health: dict[str, Any]) -> None:
        self.health.setdefault(camera_id, []).append(health)
        self._note()

    def on_frame(self, camera_id: str, jpeg: bytes) -> None:
        self.frames[camera_id] = self.frames.get(camera_id, 0) + 1
        self._note()

    def on_event(self, camera_id: str, kind: str, data: dict[str, Any]) -> None:
        self.events.append((camera_id, kind))
        self._note()

    def on_camera_offline(self, camera_id: str, reason: str) -> None:
        self.offline.append((camera_id, reason))
        self._note()

    def on_camera_recovered(self, camera_id: str) -> None:
        self.recovered.append(camera_id)
        self._note()

    def wait(self, condition: Callable[[], bool], timeout: float = 60.0) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, timeout)

    def state(self, camera_id: str) -> str:
        history = self.health.get(camera_id) or [{}]
        return str(history[-1].get("state"))


@pytest.fixture(scope="module")
def demo_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sup") / "people.mp4"
    return compose_people_video(DATA / "bus.jpg", out, seconds=4.0, fps=15.0).path


def _config(tmp_path: Path, cameras: list[dict[str, Any]]) -> ServiceConfig:
    config = parse_config(
        {
            "data_dir": str(tmp_path / "var"),
            "worker": {"heartbeat_timeout_s": 10, "restart_backoff_s": 0.2,
                       "offline_alert_after_s": 1.0, "inference_threads": 1},
            "cameras": cameras,
            "models": {"behavior": str(default_model_path())},
        }
    )
    open_database(config, migrate=True)
    return config


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Callable[..., tuple[Supervisor, Listener]]]:
    started: list[Supervisor] = []

    def start(cameras: list[dict[str, Any]]) -> tuple[Supervisor, Listener]:
        config = _config(tmp_path, cameras)
        listener = Listener()
        supervisor = Supervisor(config, listener, poll_s=0.1)
        supervisor.start(config.cameras)
        started.append(supervisor)
        return supervisor, listener

    yield start
    for supervisor in started:
        supervisor.stop(grace_s=10)


def test_camera_goes_live_and_a_killed_worker_is_restarted(
    supervised: Callable[..., tuple[Supervisor, Listener]], demo_video: Path
) -> None:
    supervisor, listener = supervised([{"id": "aisle", "url": str(demo_video), "loop": True}])
    assert listener.wait(lambda: listener.state("aisle") == "live", LIVE_S), listener.health
    assert listener.wait(lambda: listener.frames.get("aisle", 0) >= 3)
    first_pid = supervisor.pid("aisle")
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    assert listener.wait(
        lambda: supervisor.pid("aisle") not in (None, first_pid)
        and listener.state("aisle") == "live",
        LIVE_S,
    ), listener.health.get("aisle", [])[-3:]
    assert supervisor.health()["aisle"]["restarts"] >= 1


def test_dead_stream_raises_one_offline_alert(
    supervised: Callable[..., tuple[Supervisor, Listener]],
) -> None:
    _, listener = supervised([{"id": "dock", "url": "rtsp://127.0.0.1:9/none"}])
    assert listener.wait(lambda: bool(listener.offline), 60)
    time.sleep(2.0)  # stays down: still exactly one alert
    assert [c for c, _ in listener.offline] == ["dock"]
    assert "127.0.0.1:9" in listener.offline[0][1] or "reconnecting" in listener.offline[0][1]
    assert listener.state("dock") == "reconnecting"


def test_sync_adds_and_removes_cameras_without_restarting_others(
    supervised: Callable[..., tuple[Supervisor, Listener]], demo_video: Path
) -> None:
    cam = {"id": "aisle", "url": str(demo_video), "loop": True}
    supervisor, listener = supervised([cam])
    assert listener.wait(lambda: listener.state("aisle") == "live", LIVE_S)
    pid = supervisor.pid("aisle")
    second = parse_config({"cameras": [cam, {"id": "till", "url": str(demo_video),
                                               "loop": True}]}).cameras
    supervisor.sync(second)
    assert listener.wait(lambda: listener.state("till") == "live", LIVE_S)
    assert supervisor.pid("aisle") == pid
    supervisor.sync(second[1:])
    assert supervisor.pid("aisle") is None and "aisle" not in supervisor.health()
