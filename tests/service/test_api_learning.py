"""Learning API: missed-theft reports, the dataset export ZIP, the model registry and the
cameras' thresholds (real requests through the app, real database and files)."""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from api_helpers import Api, add_camera, signed_in
from flask import Flask

from shopguard.config import ServiceConfig
from shopguard.core import Poses, Tracks
from shopguard.events.config import EventConfig
from shopguard.feedback.track_log import TrackLog
from shopguard.registry.files import ModelFiles
from shopguard.registry.store import promote, register
from shopguard.service.context import ModelInfo, ServiceContext
from shopguard.storage.models import AuditEntry, Camera, MissedReport

LEARNING = Path(__file__).resolve().parents[1] / "learning"
sys.path.insert(0, str(LEARNING))
from registry_helpers import DOWN, UP, comparison, heldout  # noqa: E402

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(ctx: ServiceContext, tmp_path: Path) -> Path:
    ctx.config = ServiceConfig(data_dir=tmp_path / "var")
    return tmp_path / "var"


def log_person(data_dir: Path, camera: str, start: datetime, seconds: float) -> None:
    log = TrackLog(data_dir / "tracklog", camera, keep_hours=10_000)
    kps = np.zeros((1, 17, 3), np.float32)
    kps[0, :, 0], kps[0, :, 1], kps[0, :, 2] = np.linspace(10, 50, 17), np.linspace(10, 200, 17), 1
    box = np.array([[10, 10, 50, 200]], np.float32)
    for i in range(int(seconds * 5)):
        log.append(start.timestamp() + i / 5, Tracks(Poses(box, np.ones(1, np.float32), kps),
                                                     np.array([4])))
    log.close()


def test_a_reviewer_reports_a_missed_theft_and_an_admin_exports_it(
    ctx: ServiceContext, reviewer: Api, admin: Api, viewer: Api, data_dir: Path
) -> None:
    add_camera(ctx, "door")
    log_person(data_dir, "door", T0 - timedelta(seconds=10), 40)
    span = {"since": T0.isoformat(), "until": (T0 + timedelta(seconds=8)).isoformat(),
            "note": "bag under the jacket"}
    assert viewer.post("/api/cameras/door/missed", json=span).status_code == 403
    response = reviewer.post("/api/cameras/door/missed", json=span)
    assert response.status_code == 201, response.json
    report = response.json
    assert report["camera_id"] == "door" and report["username"] == "rita"
    assert report["poses_logged"] is True and report["track_id"] is None
    listed = viewer.get("/api/cameras/door/missed").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == report["id"]

    exported = admin.post("/api/dataset/export", json={})
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as z:
        names = sorted(z.namelist())
        assert names == [f"missed-{report['id']}.npz", "summary.json"]
        with np.load(io.BytesIO(z.read(names[0]))) as clip:
            labels, times = clip["labels"], clip["timestamps"]
            assert "bag under" not in str(clip["meta"])
    assert labels.any() and not labels.all()
    inside = (times >= T0.timestamp()) & (times <= T0.timestamp() + 8)
    assert (labels == inside).all()
    assert reviewer.post("/api/dataset/export", json={}).status_code == 403
    with ctx.sessions() as s:
        actions = [a.action for a in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert "export" in actions and "review" in actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "2026-05-01T12:00:00+00:00", "until": "2026-05-01T11:00:00+00:00"}, "body"),
        ({"since": "2026-05-01T12:00:00+00:00", "until": "2026-05-01T12:30:00+00:00"}, "body"),
        ({"since": "2026-05-01T12:00:00", "until": "2026-05-01T12:00:05"}, "since"),
        ({"since": "2099-05-01T12:00:00+00:00", "until": "2099-05-01T12:00:05+00:00"}, "since"),
    ],
)
def test_bad_spans_are_refused(ctx: ServiceContext, reviewer: Api, body: dict, field: str):
    add_camera(ctx, "door")
    response = reviewer.post("/api/cameras/door/missed", json=body)
    assert response.status_code == 422
    assert any(k.startswith(field) for k in response.json["error"]["fields"]), response.json
    with ctx.sessions() as s:
        assert s.query(MissedReport).count() == 0


def test_reports_follow_camera_restrictions(app: Flask, ctx: ServiceContext) -> None:
    add_camera(ctx, "door")
    add_camera(ctx, "till")
    limited = signed_in(app, ctx, "lena", "reviewer", cameras=["till"])
    span = {"since": T0.isoformat(), "until": (T0 + timedelta(seconds=5)).isoformat()}
    assert limited.post("/api/cameras/door/missed", json=span).status_code == 404
    assert limited.post("/api/cameras/till/missed", json=span).status_code == 201
    assert limited.post("/api/cameras/nope/missed", json=span).status_code == 404


def registry(ctx: ServiceContext, data_dir: Path) -> None:
    files = ModelFiles(data_dir)
    with ctx.sessions.begin() as s:
        register(s, files, UP)
        promote(s, "v1", by="alice")
        register(s, files, DOWN, metrics=comparison("v1", heldout(0.5, 0.9, 1.0),
                                                    heldout(0.8, 0.9, 1.0)))
        register(s, files, UP, version="v3",
                 metrics=comparison("v1", heldout(0.85, 0.9, 0.5), heldout(0.8, 0.9, 1.0)))


def test_admins_promote_force_and_roll_back(ctx: ServiceContext, admin: Api, viewer: Api,
                                            data_dir: Path) -> None:
    registry(ctx, data_dir)
    assert viewer.get("/api/models/versions").status_code == 403
    listing = admin.get("/api/models/versions").json
    assert listing["active"] == "v1"
    by_version = {v["version"]: v for v in listing["items"]}
    assert "PR-AUC" in by_version["v2"]["refusals"][0] and by_version["v3"]["refusals"] == []

    refused = admin.post("/api/models/versions/v2/promote", json={})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "promotion_refused"
    assert "PR-AUC" in refused.json["error"]["fields"]["reason.0"]
    forced = admin.post("/api/models/versions/v2/promote",
                        json={"force_reason": "false alerts at the till are worse with v1"})
    assert forced.status_code == 200 and forced.json["status"] == "active"
    assert forced.json["forced_reason"] == "false alerts at the till are worse with v1"
    assert forced.json["promoted_by"] == "alice"
    back = admin.post("/api/models/rollback")
    assert back.status_code == 200 and back.json["version"] == "v1"
    assert admin.get("/api/models/versions/v2").json["status"] == "retired"
    assert admin.post("/api/models/versions/v3/promote", json={}).status_code == 200
    assert admin.post("/api/models/versions/nope/promote", json={}).status_code == 404
    with ctx.sessions() as s:
        audit = [(a.action, a.target_id, a.username, a.ip)
                 for a in s.query(AuditEntry).filter(AuditEntry.action.like("model.%"))
                 .order_by(AuditEntry.id)]
    assert [a[:3] for a in audit] == [
        ("model.register", "v1", "system"), ("model.promote", "v1", "alice"),
        ("model.register", "v2", "system"), ("model.register", "v3", "system"),
        ("model.promote", "v2", "alice"), ("model.rollback", "v1", "alice"),
        ("model.promote", "v3", "alice")]
    assert audit[4][3] == "127.0.0.1"  # API actions carry the caller's address


def test_thresholds_are_set_by_admins_and_shown_per_camera(
    ctx: ServiceContext, admin: Api, viewer: Api, data_dir: Path
) -> None:
    add_camera(ctx, "door")
    add_camera(ctx, "till")
    assert viewer.get("/api/models/thresholds").json["version"] is None
    registry(ctx, data_dir)
    body = {"default": 0.5, "cameras": {"till": 0.72}}
    assert viewer.put("/api/models/versions/v1/thresholds", json=body).status_code == 403
    assert admin.put("/api/models/versions/v1/thresholds",
                     json={"cameras": {"till": 2}}).status_code == 422
    assert admin.put("/api/models/versions/v1/thresholds", json=body).status_code == 200
    with ctx.sessions() as s:  # the change, with who made it and from where
        change = s.query(AuditEntry).filter_by(action="model.thresholds").one()
        assert (change.username, change.ip, change.target_id) == ("alice", "127.0.0.1", "v1")
        assert change.detail["after"] == {"default": 0.5, "cameras": {"till": 0.72}}
    shown = viewer.get("/api/models/thresholds").json
    assert shown["version"] == "v1" and shown["cameras"] == {"door": 0.5, "till": 0.72}
    assert shown["chosen"]["how"] == "set by hand"
    # What the configuration fixes is what the cameras run with, and what is shown.
    with ctx.sessions.begin() as s:
        s.get_one(Camera, "door").settings = {"events": {"threshold": 0.33}}
    ctx.config = ctx.config.model_copy(update={"events": EventConfig(threshold=0.4)})
    assert viewer.get("/api/models/thresholds").json["cameras"] == {"door": 0.33, "till": 0.72}
    with ctx.sessions.begin() as s:
        s.get_one(Camera, "door").settings = {}
    assert viewer.get("/api/models/thresholds").json["cameras"] == {"door": 0.4, "till": 0.72}


def test_the_models_list_shows_the_active_registry_version(ctx: ServiceContext, viewer: Api,
                                                           data_dir: Path) -> None:
    ctx.models = [ModelInfo(name="behavior-lstm", kind="behavior", version="lstm 1 sha256:ab")]
    assert viewer.get("/api/models").json["items"][0]["version"] == "lstm 1 sha256:ab"
    registry(ctx, data_dir)
    item = viewer.get("/api/models/behavior-lstm").json
    assert item["version"] == "v1" and item["file"] == "v1.onnx"
