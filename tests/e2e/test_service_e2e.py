"""The real service, started as a process on the simulated demo camera: health turns live,
an event is created, its clip and snapshot download, and a webhook receives the alert."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from shopguard.alerts.channels.webhook import verify
from shopguard.alerts.testing import HttpRecorder
from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.commands.demo import demo_video
from shopguard.storage.testing import free_port

SECRET = "e2e-webhook-secret"


def _wait(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def service(tmp_path: Path, http_recorder: HttpRecorder) -> Iterator[dict[str, Any]]:
    video = demo_video()
    zones = json.loads(video.with_suffix(".json").read_text())["zones"]
    port = free_port()
    config = {
        "data_dir": str(tmp_path / "var"),
        "server": {"port": port},
        "worker": {"inference_threads": 2},
        "events": {"pre_roll_s": 2, "post_roll_s": 2,
                   "quiet_s": 2, "max_event_s": 20},
        "alerts": {
            "base_url": f"http://127.0.0.1:{port}",
            "channels": [{"type": "webhook", "name": "desk", "url": f"{http_recorder.url}/hook",
                          "secret": SECRET}],
        },
        "cameras": [{"id": "demo", "url": str(video), "loop": True, "zones": zones}],
    }
    path = tmp_path / "shopguard.yaml"
    path.write_text(yaml.safe_dump(config))
    log_path = tmp_path / "service.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "shopguard.cli", "serve", "--config", str(path)],
        stdout=log, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def printed_password() -> str | None:
        found = re.search(r"one-time password (\S+)", log_path.read_text())
        return found.group(1) if found else None

    password = _wait(printed_password, 120, "the first admin password")
    assert password, "the service did not print the first admin password"
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    _wait(lambda: http.get(f"{base}/api/health", timeout=5).ok, 60, "the API")
    login = http.post(f"{base}/api/auth/login", json={"username": "admin", "password": password},
                      timeout=10)
    assert login.ok, login.text
    yield {"base": base, "http": http, "process": process, "log": log_path}
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def test_demo_camera_alert_reaches_api_and_webhook(
    service: dict[str, Any], http_recorder: HttpRecorder
) -> None:
    base, http = service["base"], service["http"]

    def camera_live() -> bool:
        cameras = http.get(f"{base}/api/health", timeout=5).json()["cameras"]
        return any(c["camera_id"] == "demo" and c["state"] == "live" for c in cameras)

    _wait(camera_live, 90, "the demo camera to go live")
    # a deadline, not a speed check: a busy machine analyses the demo's frames more slowly
    events = _wait(lambda: http.get(f"{base}/api/events", timeout=5).json()["items"], 300,
                   "an event")
    event = events[0]
    threshold = SequenceModel(default_model_path()).threshold  # the model's operating point
    assert threshold is not None and threshold > 0.9
    assert event["camera_id"] == "demo" and event["peak_score"] >= threshold
    assert event["reasons"], "an event must say why"

    assert http_recorder.wait_for(1, 30), "the webhook got no alert"
    hook = http_recorder.requests[0]
    assert verify(SECRET, hook.headers, hook.body)
    payload = json.loads(hook.body)
    assert payload["event_id"] == event["id"] and payload["camera_id"] == "demo"
    assert hook.headers["Idempotency-Key"] == f"{event['id']}.desk"

    def evidence() -> dict[str, Any] | None:
        detail = http.get(f"{base}/api/events/{event['id']}", timeout=5).json()
        return detail if detail["has_clip"] and detail["has_snapshot"] else None

    _wait(evidence, 90, "the clip and snapshot")
    snapshot = http.get(f"{base}/api/events/{event['id']}/snapshot", timeout=10)
    assert snapshot.status_code == 200 and snapshot.content[:2] == b"\xff\xd8"
    clip = http.get(f"{base}/api/events/{event['id']}/clip", headers={"Range": "bytes=0-99"},
                    timeout=10)
    assert clip.status_code == 206 and len(clip.content) == 100
    assert clip.content[4:8] == b"ftyp"

    process = service["process"]
    process.send_signal(signal.SIGTERM)
    try:
        exit_code: int | None = process.wait(60)
    except subprocess.TimeoutExpired:
        exit_code = None
    assert exit_code == 0, service["log"].read_text()[-3000:]
