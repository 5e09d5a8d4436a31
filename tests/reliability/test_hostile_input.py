"""Hostile configuration, requests and files against the real service: zone polygons with
100k points, crossing edges, 1e308 and NaN coordinates and wrong types, in the YAML file
and through the API (refused with a short error naming the field, nothing stored
half-way); files that are not models given to the registry and the configuration
(refused naming the file, nothing registered); symlinks planted in the evidence store
(never followed, audited)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from live_api import LiveApi, live_api
from service_harness import service_config
from sqlalchemy import select

from shopguard.config import ConfigError, load_config
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import (
    AuditEntry,
    Camera,
    EvidenceKind,
    EvidenceObject,
    ModelVersion,
    Zone,
)
from shopguard.storage.repository import create_event
from shopguard.storage.testing import MotoS3, free_port
from shopguard.vision.pose import pose_model_path

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


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shopguard.cli", *args], capture_output=True,
                          text=True, timeout=120, check=False)


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
    done = _cli("serve", "--config", str(path))
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



def _not_a_model(tmp_path: Path, kind: str, other_kind: Path) -> Path:
    """A file named ``.onnx`` that is no model of the kind asked for."""
    path = tmp_path / f"{kind}.onnx"
    if kind == "random bytes":
        path.write_bytes(os.urandom(4096))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = other_kind.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "directory":
        path.mkdir()
    else:  # a real ONNX model of the other kind
        return other_kind
    return path


def _registry_state(data_dir: Path) -> tuple[list[str], list[str]]:
    """Registered versions (database) and files under the registry's folder."""
    engine = init_db(f"sqlite:///{data_dir / 'shopguard.db'}")
    with session_factory(engine)() as s:
        versions = list(s.scalars(select(ModelVersion.version)))
    engine.dispose()
    folder = data_dir / "models"
    return versions, sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_registering_what_is_not_a_behaviour_model_leaves_nothing(
    tmp_path: Path, alarm_model: Path,
) -> None:
    config = tmp_path / "shopguard.yaml"
    config.write_text(json.dumps({"data_dir": str(tmp_path / "var"), "cameras": []}))
    args = ["models", "register", "--config", str(config)]
    for kind in ("random bytes", "empty", "truncated", "directory", "pose model"):
        named = _not_a_model(tmp_path, kind, alarm_model if kind == "truncated"
                             else pose_model_path())
        done = _cli(*args, str(named))
        assert done.returncode == 2, (kind, done.stdout, done.stderr[-2000:])
        assert "shopguard models: error:" in done.stderr and str(named) in done.stderr, kind
        assert _registry_state(tmp_path / "var") == ([], []), kind
    # a good model whose checkpoint is not there: the model file was stored, then left
    done = _cli(*args, str(alarm_model), "--checkpoint", str(tmp_path / "model.pt"))
    assert done.returncode == 2 and str(tmp_path / "model.pt") in done.stderr, done.stderr
    assert _registry_state(tmp_path / "var") == ([], [])
    assert _cli(*args, str(alarm_model)).returncode == 0  # the registry still works
    (tmp_path / "model.pt").write_bytes(b"weights")
    assert _cli(*args, str(alarm_model), "--checkpoint", str(tmp_path / "model.pt")).returncode == 0
    assert _registry_state(tmp_path / "var") == (["v1", "v2"], ["v1.onnx", "v2.onnx", "v2.pt"])


def _models_config(tmp_path: Path, field: str, named: Path) -> Path:
    config = tmp_path / "shopguard.yaml"
    config.write_text(json.dumps({"data_dir": str(tmp_path / "var"), "cameras": [],
                                  "models": {field: str(named)}}))
    return config


def test_serve_refuses_a_configured_model_that_is_not_one(tmp_path: Path) -> None:
    named = _not_a_model(tmp_path, "random bytes", pose_model_path())
    done = _cli("serve", "--config", str(_models_config(tmp_path, "behavior", named)))
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"shopguard serve: models.behavior: behaviour model {named}" in done.stderr
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("field", ["pose", "behavior"])
@pytest.mark.parametrize("kind", ["empty", "directory", "other kind"])
def test_the_service_does_not_start_with_a_model_that_is_not_one(
    tmp_path: Path, alarm_model: Path, field: str, kind: str,
) -> None:
    from shopguard.service.runtime import Service
    from shopguard.service.wiring import SetupError

    named = _not_a_model(tmp_path, kind, alarm_model if field == "pose" else pose_model_path())
    with pytest.raises(SetupError, match=f"^models.{field}: ") as caught:
        Service(load_config(_models_config(tmp_path, field, named)))
    assert str(named) in str(caught.value)
    assert not (tmp_path / "var").exists()

CLIP = bytes(range(256)) * 40
SNAPSHOT = b"\xff\xd8\xff\xe0" + b"j" * 500 + b"\xff\xd9"


def _event(sessions: Any, archive: EvidenceArchive, camera: str, tmp: Path) -> str:
    """An event on ``camera`` with a clip and a snapshot in ``archive``."""
    with sessions.begin() as s:
        event = create_event(s, camera_id=camera, track_id=1, started_at=datetime.now(UTC),
                             peak_score=0.9)
        for kind, data, suffix in ((EvidenceKind.CLIP, CLIP, ".mp4"),
                                   (EvidenceKind.SNAPSHOT, SNAPSHOT, ".jpg")):
            path = tmp / f"{event.id}{suffix}"
            path.write_bytes(data)
            archive.add(s, event, kind, path)
        return str(event.id)


def _file(api: LiveApi, event_id: str, kind: EvidenceKind) -> Path:
    with api.service.sessions() as s:
        key = s.scalars(select(EvidenceObject.key).where(
            EvidenceObject.event_id == event_id, EvidenceObject.kind == kind)).one()
    return api.service.archive.local.root / key


def _replace_with_link(path: Path, target: Path) -> None:
    if path.is_dir():
        path.rename(path.with_name(path.name + "-moved"))
    else:
        path.unlink()
    os.symlink(target, path)


def test_symlinks_planted_in_the_evidence_store_are_not_followed(
    api: LiveApi, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    service = api.service
    theirs = _event(service.sessions, service.archive, "till", tmp_path)  # another camera
    to_passwd, to_theirs, dir_to_theirs, fine = (
        _event(service.sessions, service.archive, "door", tmp_path) for _ in range(4))
    _replace_with_link(_file(api, to_passwd, EvidenceKind.SNAPSHOT), Path("/etc/passwd"))
    _replace_with_link(_file(api, to_theirs, EvidenceKind.CLIP),
                       _file(api, theirs, EvidenceKind.CLIP))
    _replace_with_link(_file(api, dir_to_theirs, EvidenceKind.CLIP).parent,
                       _file(api, theirs, EvidenceKind.CLIP).parent)
    caplog.set_level(logging.WARNING)
    passwd = Path("/etc/passwd").read_bytes()[:64]
    for event_id, kind in ((to_passwd, "snapshot"), (to_theirs, "clip"),
                           (dir_to_theirs, "clip"), (dir_to_theirs, "snapshot")):
        for headers in ({}, {"Range": "bytes=0-99"}):
            response = api.request("GET", f"/api/events/{event_id}/{kind}", headers=headers)
            assert response.status_code == 404, (event_id, kind, response.status_code)
            assert CLIP[:64] not in response.content and passwd not in response.content
            assert SNAPSHOT not in response.content
    assert caplog.text.count("evidence refused to root") == 8
    with service.sessions() as s:
        refused = s.scalars(select(AuditEntry.target_id).where(
            AuditEntry.action == "evidence_refused")).all()
    assert sorted(refused) == sorted([to_passwd] * 2 + [to_theirs] * 2 + [dir_to_theirs] * 4)
    # normal downloads go on: the other camera's event and an untouched one
    assert api.request("GET", f"/api/events/{theirs}/clip").content == CLIP
    assert api.request("GET", f"/api/events/{fine}/snapshot").content == SNAPSHOT
    assert api.request("GET", f"/api/events/{fine}/clip",
                       headers={"Range": "bytes=0-99"}).content == CLIP[:100]


def test_deleting_symlinked_evidence_removes_the_link_not_its_target(
    api: LiveApi, tmp_path: Path,
) -> None:
    """Retention and erasure delete through ``EvidenceArchive.delete``."""
    service = api.service
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("keep me")
    event_id = _event(service.sessions, service.archive, "door", tmp_path)
    link = _file(api, event_id, EvidenceKind.SNAPSHOT)
    _replace_with_link(link, decoy)
    with service.sessions.begin() as s:
        for row in s.scalars(select(EvidenceObject).where(EvidenceObject.event_id == event_id)):
            service.archive.delete(s, row)
    assert decoy.read_text() == "keep me"
    assert not link.is_symlink() and not link.parent.exists()
    with service.sessions() as s:
        assert not s.scalars(select(EvidenceObject).where(
            EvidenceObject.event_id == event_id)).all()


def test_a_symlinked_copy_is_not_uploaded_and_blocks_no_other(
    moto_s3: MotoS3, tmp_path: Path,
) -> None:
    engine = init_db(f"sqlite:///{tmp_path / 'db.sqlite'}")
    sessions = session_factory(engine)
    remote = moto_s3.store("evidence")
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"), remote)
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("not evidence")
    planted = _event(sessions, archive, "door", tmp_path)  # oldest: uploaded first
    clean = _event(sessions, archive, "door", tmp_path)
    with sessions() as s:
        rows = {(r.event_id, r.kind): (r.id, r.key) for r in s.scalars(select(EvidenceObject))}
    _replace_with_link(archive.local.root / rows[planted, EvidenceKind.CLIP][1], decoy)
    report = archive.upload_pending(sessions)
    assert report.failed == [rows[planted, EvidenceKind.CLIP][0]]
    assert sorted(report.uploaded) == sorted(
        rows[k][0] for k in rows if k != (planted, EvidenceKind.CLIP))
    assert remote.read(rows[clean, EvidenceKind.CLIP][1]) == CLIP
    assert not remote.exists(rows[planted, EvidenceKind.CLIP][1])
    engine.dispose()
