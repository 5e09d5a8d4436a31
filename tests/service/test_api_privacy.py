"""Privacy routes: data-subject requests, a camera's retention schedule, the signage text,
and the privacy mode as a camera setting."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from api_helpers import T0, Api, add_camera, add_event, signed_in
from flask import Flask
from sqlalchemy import select, update

from shopguard.config import ServiceConfig
from shopguard.privacy.config import PrivacyConfig
from shopguard.service.context import ServiceContext
from shopguard.storage.models import (
    AuditEntry,
    Event,
    EventStatus,
    EvidenceKind,
    EvidenceObject,
    utcnow,
)

CLIP, JPEG = b"clip" * 300, b"\xff\xd8jpeg\xff\xd9"
WINDOW = {"camera": "door-1", "since": (T0 - timedelta(minutes=5)).isoformat(),
          "until": (T0 + timedelta(minutes=30)).isoformat()}


@pytest.fixture
def events(ctx: ServiceContext, tmp_path: Path) -> list[str]:
    """Two closed door-1 events in the window, one an hour later, one on another camera."""
    add_camera(ctx, "door-1")
    add_camera(ctx, "till")
    ids = [add_event(ctx, camera, minutes, evidence={EvidenceKind.CLIP: CLIP,
                                                     EvidenceKind.SNAPSHOT: JPEG}, tmp=tmp_path)
           for camera, minutes in (("door-1", 0), ("door-1", 10), ("door-1", 70), ("till", 5))]
    with ctx.sessions.begin() as s:
        s.execute(update(Event).values(status=EventStatus.CLOSED))
    return ids


def test_search_and_export(admin: Api, events: list[str]) -> None:
    found = admin.post("/api/subject-requests/search", json=WINDOW).json
    assert [e["id"] for e in found["events"]] == events[:2]
    assert found["evidence_objects"] == 4 and found["bytes"] == 2 * (len(CLIP) + len(JPEG))
    response = admin.post("/api/subject-requests/export", json=WINDOW)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        assert zf.read(f"events/{events[0]}/clip.mp4") == CLIP
        assert zf.read(f"events/{events[1]}/snapshot.jpg") == JPEG
        assert not any(events[2] in n or events[3] in n for n in zf.namelist())


def test_erase_needs_confirmation_then_removes_the_events(admin: Api, ctx: ServiceContext,
                                                          events: list[str]) -> None:
    assert admin.post("/api/subject-requests/erase", json=WINDOW).status_code == 422
    done = admin.post("/api/subject-requests/erase", json=WINDOW | {"confirm": True}).json
    assert done["erased"] == events[:2] and done["objects"] == {"clip": 2, "snapshot": 2}
    for event_id in events[:2]:
        assert admin.get(f"/api/events/{event_id}").status_code == 404
    assert admin.get(f"/api/events/{events[2]}").status_code == 200
    with ctx.sessions() as s:
        assert s.scalar(select(EvidenceObject.id).where(
            EvidenceObject.event_id.in_(events[:2]))) is None
        erased = s.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "erase")
                           .order_by(AuditEntry.id)).all()
    assert erased == [*events[:2], "door-1"]


@pytest.mark.parametrize(("body", "status"), [
    (WINDOW | {"camera": "nowhere"}, 404),
    (WINDOW | {"until": WINDOW["since"]}, 422),
    ({"camera": "door-1"}, 422),
])
def test_bad_requests(admin: Api, events: list[str], body: dict[str, str],
                      status: int) -> None:
    assert admin.post("/api/subject-requests/search", json=body).status_code == status


def test_retention_schedule(admin: Api, ctx: ServiceContext, events: list[str]) -> None:
    ctx.config = ServiceConfig.model_validate({"storage": {"retention_days": 30}})
    now = utcnow()
    with ctx.sessions.begin() as s:  # the second event's evidence is 40 days old
        s.execute(update(EvidenceObject).where(EvidenceObject.event_id == events[1])
                  .values(created_at=now - timedelta(days=40)))
    assert admin.post(f"/api/events/{events[2]}/review",
                      json={"decision": "confirm"}).status_code == 200
    body = admin.get("/api/cameras/door-1/retention").json
    size = len(CLIP) + len(JPEG)
    assert body["policy"]["max_age_days"] == 30 and body["privacy"] == "full"
    assert body["stored"] == {"objects": 6, "events": 3, "bytes": 3 * size}
    assert body["protected"] == {"objects": 2, "events": 1, "bytes": size}
    assert body["due"] == {"objects": 2, "events": 1, "bytes": size}
    (day,) = body["scheduled"]
    assert day["day"] == (now + timedelta(days=30)).date().isoformat()
    assert (day["objects"], day["events"]) == (2, 1)
    assert admin.get("/api/cameras/nowhere/retention").status_code == 404


def test_retention_respects_camera_restrictions(app: Flask, ctx: ServiceContext,
                                                events: list[str]) -> None:
    limited = signed_in(app, ctx, "tina", "viewer", cameras=["till"])
    assert limited.get("/api/cameras/door-1/retention").status_code == 404
    assert limited.get("/api/cameras/till/retention").json["stored"]["events"] == 1


def test_privacy_mode_is_a_camera_setting(admin: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    changed = admin.patch("/api/cameras/door-1", json={"settings": {"privacy": "pose_only"}})
    assert changed.status_code == 200 and changed.json["settings"] == {"privacy": "pose_only"}
    bad = admin.patch("/api/cameras/door-1", json={"settings": {"privacy": "faces"}})
    assert bad.status_code == 422 and "settings.privacy" in bad.json["error"]["fields"]
    assert admin.get("/api/cameras/door-1/retention").json["privacy"] == "pose_only"
    doc = admin.get("/api/openapi.json").json
    settings = doc["components"]["schemas"]["CameraOut"]["properties"]["settings"]
    assert settings["properties"]["privacy"]["enum"] == ["full", "blurred", "pose_only"]


def test_signage(admin: Api, viewer: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    admin.patch("/api/cameras/door-1", json={"settings": {"privacy": "pose_only"}})
    text = viewer.get("/api/privacy/signage")
    assert text.status_code == 200 and text.mimetype == "text/markdown"
    body = text.get_data(as_text=True)
    assert "[controller name: set privacy.controller" in body
    assert "| Door-1 | stick-figure body poses only" in body
    assert "deleted after 30 days" in body and "does **not** recognise faces" in body
    ctx.config = ServiceConfig(privacy=PrivacyConfig(controller="Corner Shop Ltd",
                                                     contact="privacy@corner.example",
                                                     dpo_contact="dpo@corner.example"))
    body = viewer.get("/api/privacy/signage").get_data(as_text=True)
    assert "**Controller:** Corner Shop Ltd" in body and "dpo@corner.example" in body
    assert "privacy@corner.example" in body.split("## Your rights")[1]
