"""An RTSP camera through the real service (supervisor, worker process, outbox, webhook):
the server dies → the camera goes to reconnecting and one offline alert goes out through
the outbox; the server comes back → the camera is live again, one recovery notice, no
duplicate alerts."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from service_harness import (
    CAMERA_LIVE_S,
    payloads,
    received_keys,
    running_service,
    service_config,
    wait_until,
)

from shopguard.alerts.testing import HttpRecorder
from shopguard.testing.rtsp import RtspServer

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_rtsp_camera_offline_and_recovered_once(
    tmp_path: Path, rtsp_server: Callable[..., RtspServer], people_h264: Path,
    alarm_model: Path, http_recorder: HttpRecorder,
) -> None:
    server = rtsp_server({"/door": people_h264})
    config = service_config(
        tmp_path, [{"id": "door", "url": server.url("/door")}], f"{http_recorder.url}/hook",
        alarm_model, alerts={"channels": [{"type": "webhook", "name": "desk", "min_score": 0.99,
                                           "url": f"{http_recorder.url}/hook",
                                           "secret": "s"}]},
    )
    with running_service(config) as service:
        def state() -> str:
            return str(service.hub.health().get("door", {}).get("state"))

        wait_until(lambda: state() == "live", CAMERA_LIVE_S, "the RTSP camera to go live")
        server.kill()
        wait_until(lambda: state() == "reconnecting", 30, "reconnecting")

        def notices() -> Counter[str]:
            return Counter(p["status"] for p in payloads(http_recorder)
                           if p.get("kind") == "camera_health")

        wait_until(lambda: notices()["offline"] == 1, 30, "the offline alert")
        offline = next(p for p in payloads(http_recorder) if p.get("status") == "offline")
        assert offline["camera_id"] == "door" and "offline" in offline["text"]
        time.sleep(2.0)  # still down: no second alert
        assert notices()["offline"] == 1

        server.start()
        wait_until(lambda: state() == "live", 60, "the camera to come back")
        wait_until(lambda: notices()["recovered"] == 1, 30, "the recovery notice")
        time.sleep(1.0)
        health = service.hub.health()["door"]
        assert health["reconnects"] >= 1
    assert notices() == Counter({"offline": 1, "recovered": 1})
    assert all(n == 1 for n in received_keys(http_recorder).values())  # no duplicates
