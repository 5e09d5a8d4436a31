"""Hostile configuration and requests against the real service: zone polygons with 100k
points, crossing edges, 1e308 and NaN coordinates and wrong types, in the YAML file and
through the API. Each is refused with a short error naming the field, and nothing is
stored half-way."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_api import LiveApi, live_api
from service_harness import service_config
from sqlalchemy import select

from shopguard.config import ConfigError, load_config
from shopguard.storage.models import Camera, Zone
from shopguard.storage.testing import free_port

pytestmark = [pytest.mark.integration]

SQUARE = [[10, 10], [200, 10], [200, 150], [10, 150]]
#: 100 000 points, small coordinates: under the 1 MiB body limit as compact JSON.
HUGE = [[i % 500, (i * 7) % 400] for i in range(100_000)]
#: (polygon, what the error says, one of): each breaks one rule.
HOSTILE: dict[str, tuple[Any, tuple[str, ...]]] = {
    "100k points": (HUGE, ("256",)),
    "self-intersecting": ([[0, 0], [100, 100], [100, 0], [0, 150]], ("cross",)),
    "1e308": ([[0, 0], [1e308, 0], [0, 50]], ("100000",)),
    "NaN": ([[0, 0], [float("nan"), 0], [0, 50]], ("number",)),
    "wrong type": ("everything", ("list",)),
    "text coordinate": ([[0, 0], ["x", 0], [0, 50]], ("number",)),
    "100k text points": ([["x", 0]] * 100_000, ("number", "256")),
}


def _yaml(tmp_path: Path, polygon: Any) -> Path:
    """A configuration file with one camera whose one zone has ``polygon`` (JSON is YAML;
    NaN is written the YAML way)."""
    text = json.dumps({"data_dir": str(tmp_path / "var"), "cameras": [
        {"id": "door", "url": "rtsp://127.0.0.1:9/none",
         "zones": [{"name": "shelf-a", "kind": "shelf", "polygon": polygon}]}]})
    path = tmp_path / "shopguard.yaml"
    path.write_text(text.replace("NaN", ".nan"))
    return path


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_zone_in_the_config_file_is_named(tmp_path: Path, case: str) -> None:
    polygon, says = HOSTILE[case]
    path = _yaml(tmp_path, polygon)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: cameras.0.zones.0"), message[:300]
    assert any(word in message for word in says) and len(message) < 5_000, message[:300]


def test_serve_refuses_a_100k_point_zone_before_storing_anything(tmp_path: Path) -> None:
    path = _yaml(tmp_path, HUGE)
    done = subprocess.run([sys.executable, "-m", "shopguard.cli", "serve", "--config", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"{path}: cameras.0.zones.0: Value error, polygon: has 100000 points" in done.stderr
    assert not (tmp_path / "var").exists()  # no database, no evidence folder


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, alarm_model: Path) -> Iterator[LiveApi]:
    """The real service with one (disabled) camera whose zone ``shelf-a`` is ``SQUARE``."""
    tmp_path = tmp_path_factory.mktemp("live")
    camera = {"id": "door", "url": "rtsp://127.0.0.1:9/none", "enabled": False,
              "zones": [{"name": "shelf-a", "kind": "shelf", "polygon": SQUARE}]}
    config = service_config(tmp_path, [camera], None, alarm_model, server={"port": free_port()})
    with live_api(config) as live:
        yield live


def _stored(api: LiveApi) -> tuple[list[tuple[str, list[list[float]]]], dict[str, Any]]:
    """The camera's zone rows and settings, straight from the database."""
    with api.service.sessions() as s:
        zones = [(z.name, z.polygon) for z in s.scalars(select(Zone).order_by(Zone.id))]
        camera = s.get(Camera, "door")
        assert camera is not None
        return zones, dict(camera.settings)


def _refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert len(response.content) < 10_000  # no echo of 100k points or errors
    error: dict[str, Any] = response.json()["error"]
    assert error["message"]
    return error


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_zone_through_the_api_changes_nothing(api: LiveApi, case: str) -> None:
    polygon, says = HOSTILE[case]
    before = _stored(api)
    assert before[0] == [("shelf-a", SQUARE)]
    zone = {"name": "shelf-b", "kind": "shelf", "polygon": polygon}
    # compact JSON keeps 100k points under the body limit; the server must parse NaN
    compact = {"data": json.dumps(zone, separators=(",", ":")),
               "headers": {"Content-Type": "application/json"}}
    error = _refused(api.request("POST", "/api/cameras/door/zones", **compact))
    assert any(k.startswith("polygon") for k in error["fields"]), error
    text = " ".join(error["fields"].values())
    assert any(word in text for word in says), error
    replace = json.dumps({"items": [zone]}, separators=(",", ":"))
    error = _refused(api.request("PUT", "/api/cameras/door/zones", data=replace,
                                 headers={"Content-Type": "application/json"}))
    assert any(k.startswith("items.0.polygon") for k in error["fields"]), error
    error = _refused(api.request("PATCH", "/api/cameras/door", json={"settings": {
        "zones": [{"name": "x", "kind": "exit", "polygon": SQUARE}]}}))
    assert "settings.zones" in error["fields"], error
    assert _stored(api) == before
    assert api.request("GET", "/api/cameras/door/zones").json()["items"][0]["polygon"] == SQUARE


def test_a_body_over_the_limit_is_413_and_changes_nothing(api: LiveApi) -> None:
    before = _stored(api)
    big = [[100_000.5, 99_999.5]] * 100_000  # 1.9 MB
    _refused(api.request("PUT", "/api/cameras/door/zones", json={"items": [
        {"name": "shelf-a", "kind": "shelf", "polygon": big}]}), 413)
    assert _stored(api) == before

