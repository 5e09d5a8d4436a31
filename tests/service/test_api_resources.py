"""Cameras, zones, reviews, channels, deliveries, users, models, health and metrics."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from api_helpers import PASSWORD, Api, Recorder, add_camera, add_event, signed_in
from flask import Flask

from shopguard.alerts.testing import HttpRecorder, Reply, http_recorder
from shopguard.service.context import ModelInfo, ServiceContext
from shopguard.storage.models import AlertDelivery, DeliveryStatus, Event

__all__ = ["http_recorder"]

SQUARE = [[0, 0], [100, 0], [100, 100], [0, 100]]


class Outbox:
    """A stand-in sender: counts and records wake-ups (the API only calls ``wake``)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter(sent=4, failed=2, dead=1)
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def test_camera_lifecycle_reloads_workers(admin: Api, viewer: Api, ctx: ServiceContext,
                                          recorder: Recorder) -> None:
    body = {"id": "door-1", "name": "Front door", "source_url": "rtsp://u:pw@cam/1",
            "settings": {"analysis_fps": 8, "loop": True}}
    created = admin.post("/api/cameras", json=body)
    assert created.status_code == 201, created.json
    assert created.json["settings"] == {"analysis_fps": 8, "loop": True}
    assert recorder.camera_changes == 1
    assert admin.post("/api/cameras", json=body).status_code == 409
    # passwords in source URLs are for admins only
    assert admin.get("/api/cameras/door-1").json["source_url"] == "rtsp://u:pw@cam/1"
    assert viewer.get("/api/cameras/door-1").json["source_url"] == "rtsp://u:***@cam/1"

    changed = admin.patch("/api/cameras/door-1", json={"enabled": False, "name": "Door"})
    assert changed.json["enabled"] is False and changed.json["name"] == "Door"
    assert recorder.camera_changes == 2

    assert admin.put("/api/cameras/door-1/zones",
                     json={"items": [{"name": "A", "kind": "shelf", "polygon": SQUARE}]}
                     ).status_code == 200
    assert recorder.camera_changes == 3
    assert admin.delete("/api/cameras/door-1").status_code == 204
    assert recorder.camera_changes == 4
    assert admin.get("/api/cameras/door-1").status_code == 404


def test_camera_with_events_cannot_be_deleted(admin: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    add_event(ctx, "door-1")
    response = admin.delete("/api/cameras/door-1")
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"


def test_connection_test_uses_the_service_probe(admin: Api, recorder: Recorder) -> None:
    ok = admin.post("/api/cameras/test", json={"url": "rtsp://cam/1"}).json
    assert ok["ok"] is True and ok["width"] == 1280
    bad = admin.post("/api/cameras/test", json={"url": "http://nothing"}).json
    assert bad == {"ok": False, "error": "no stream", "width": 1280, "height": 720,
                   "fps": 15.0, "codec": "h264"}
    assert recorder.tested == ["rtsp://cam/1", "http://nothing"]


def test_zones_replace_add_and_remove(admin: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    zones = [{"name": "shelf A", "kind": "shelf", "polygon": SQUARE},
             {"name": "exit", "kind": "exit", "polygon": [[200, 0], [300, 0], [250, 90]]}]
    page = admin.put("/api/cameras/door-1/zones", json={"items": zones}).json
    assert [z["name"] for z in page["items"]] == ["exit", "shelf A"]
    # replacing again with the same names works (old rows go first)
    page = admin.put("/api/cameras/door-1/zones", json={"items": zones[:1]}).json
    assert page["total"] == 1
    added = admin.post("/api/cameras/door-1/zones",
                       json={"name": "till", "kind": "checkout", "polygon": SQUARE})
    assert added.status_code == 201
    assert admin.post("/api/cameras/door-1/zones",
                      json={"name": "till", "kind": "checkout", "polygon": SQUARE}
                      ).status_code == 409
    assert admin.delete(f"/api/cameras/door-1/zones/{added.json['id']}").status_code == 204
    listed = admin.get("/api/cameras/door-1/zones").json["items"]
    assert [(z["name"], z["polygon"]) for z in listed] == [("shelf A", SQUARE)]
    assert admin.get("/api/cameras/nope/zones").status_code == 404


def test_review_records_who_and_when_and_goes_live(reviewer: Api,
                                                   ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    event_id = add_event(ctx, "door-1")
    with ctx.hub.subscribe() as sub:
        response = reviewer.post(f"/api/events/{event_id}/review",
                                 json={"decision": "dismiss", "note": "staff member"})
        message = sub.get(timeout=1)
    assert response.status_code == 200
    assert response.json["review_status"] == "dismissed"
    review = response.json["reviews"][-1]
    assert review["username"] == "rita" and review["note"] == "staff member"
    assert review["at"].endswith("Z")
    assert message is not None and message.kind == "event.reviewed"
    assert message.data["id"] == event_id and message.data["review_status"] == "dismissed"
    assert message.data["review"]["username"] == "rita"
    second = reviewer.post(f"/api/events/{event_id}/review", json={"decision": "confirm"})
    assert second.json["review_status"] == "confirmed" and len(second.json["reviews"]) == 2
    with ctx.sessions() as s:
        assert s.get(Event, event_id).review_status == "confirmed"  # type: ignore[union-attr]


def test_channel_secrets_are_write_only(admin: Api, ctx: ServiceContext) -> None:
    body = {"name": "sms", "kind": "twilio_sms",
            "config": {"account_sid": "AC" + "0" * 32, "from": "+15550000000",
                       "to": ["+15551111111"]},
            "secrets": {"auth_token": "TWILIO-SECRET-VALUE"}}
    created = admin.post("/api/channels", json=body)
    assert created.status_code == 201, created.json
    assert created.json["secrets_set"] == ["auth_token"]
    assert created.json["config"]["from"] == "+15550000000"
    for response in (created, admin.get("/api/channels"), admin.get("/api/channels/sms")):
        assert b"TWILIO-SECRET" not in response.data and b"auth_token\":" not in response.data
    # a change without secrets keeps them
    changed = admin.patch("/api/channels/sms", json={"config": {"to": ["+15552222222"]},
                                                     "enabled": False})
    assert changed.status_code == 200, changed.json
    stored = ctx.channels.get("sms")
    assert stored.auth_token.get_secret_value() == "TWILIO-SECRET-VALUE"  # type: ignore[union-attr]
    assert stored.to == ["+15552222222"] and stored.enabled is False  # type: ignore[union-attr]
    # secrets cannot sneak in through config, nor unknown secrets through secrets
    bad = admin.post("/api/channels", json=body | {"name": "sms2", "config": {
        **body["config"], "auth_token": "x"}, "secrets": {"password": "y"}})  # type: ignore[dict-item]
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"config.auth_token", "secrets.password"}
    assert admin.post("/api/channels", json=body).status_code == 409
    assert admin.delete("/api/channels/sms").status_code == 204
    assert admin.get("/api/channels").json["total"] == 0


def test_channel_validation_names_fields(admin: Api) -> None:
    response = admin.post("/api/channels", json={"name": "hook", "kind": "webhook",
                                                 "config": {"url": "not a url"}})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"config.url"}
    no_secret = admin.post("/api/channels", json={"name": "hook", "kind": "webhook",
                                                  "config": {"url": "https://e.test/h"}})
    assert no_secret.json["error"]["fields"] == {"config": "secret or secret_env is required"}
    unknown = admin.post("/api/channels", json={"name": "pager", "kind": "pager"})
    assert unknown.json["error"]["fields"] == {"kind": "one of twilio_sms, webhook, email, mqtt"}


def test_channel_test_sends_to_the_receiver(admin: Api, http_recorder: HttpRecorder) -> None:
    admin.post("/api/channels", json={"name": "hook", "kind": "webhook",
                                      "config": {"url": f"{http_recorder.url}/hook"},
                                      "secrets": {"secret": "s3cret"}})
    result = admin.post("/api/channels/hook/test").json
    assert result["ok"] is True and result["error"] is None
    assert http_recorder.requests[0].json()["kind"] == "test"
    http_recorder.script(Reply(status=500))
    failed = admin.post("/api/channels/hook/test").json
    assert failed["ok"] is False and "500" in failed["error"]
    assert admin.post("/api/channels/nope/test").status_code == 404


def test_channels_persist_privately(tmp_path: Path) -> None:
    from shopguard.alerts.config import WebhookConfig
    from shopguard.service.channel_registry import ChannelRegistry

    path = tmp_path / "channels.json"
    changes: list[int] = []
    registry = ChannelRegistry(path=path, on_change=lambda cs: changes.append(len(cs)))
    registry.create(WebhookConfig(type="webhook", name="hook", url="https://e.test/h",
                                  secret="s3cret"))
    assert oct(path.stat().st_mode & 0o777) == "0o600" and changes == [1]
    reloaded = ChannelRegistry(path=path).get("hook")
    assert reloaded.secret.get_secret_value() == "s3cret"  # type: ignore[union-attr]


def test_deliveries_list_filter_and_retry(app: Flask, admin: Api, ctx: ServiceContext) -> None:
    outbox = Outbox()
    ctx.outbox = outbox
    add_camera(ctx, "door-1")
    event_id = add_event(ctx, "door-1")
    with ctx.sessions.begin() as s:
        for channel, status in (("sms", DeliveryStatus.DEAD), ("hook", DeliveryStatus.SENT),
                                ("mail", DeliveryStatus.PENDING)):
            s.add(AlertDelivery(event_id=event_id, channel=channel, status=status, attempts=3,
                                idempotency_key=f"{event_id}.{channel}", last_error="boom"))
    listed = admin.get("/api/deliveries").json
    assert [d["channel"] for d in listed["items"]] == ["mail", "hook", "sms"]
    dead = admin.get("/api/deliveries?status=dead").json["items"]
    assert [d["channel"] for d in dead] == ["sms"]
    assert admin.get("/api/deliveries?channel=hook").json["total"] == 1
    retried = admin.post(f"/api/deliveries/{dead[0]['id']}/retry")
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "pending" and retried.json["attempts"] == 0
    assert outbox.woken == 1
    sent_id = admin.get("/api/deliveries?status=sent").json["items"][0]["id"]
    assert admin.post(f"/api/deliveries/{sent_id}/retry").status_code == 409
    assert admin.post("/api/deliveries/999/retry").status_code == 404
    detail = admin.get(f"/api/deliveries/{sent_id}").json
    assert detail["attempt_log"] == [] and detail["next_attempt_at"] is None


def test_users_crud_and_last_admin(admin: Api, app: Flask) -> None:
    created = admin.post("/api/users", json={"username": "carol", "password": PASSWORD,
                                             "role": "reviewer", "cameras": ["door-1"]})
    assert created.status_code == 201
    assert created.json["cameras"] == ["door-1"] and "password" not in created.json
    assert admin.post("/api/users", json={"username": "carol",
                                          "password": PASSWORD}).status_code == 409
    short = admin.post("/api/users", json={"username": "dan", "password": "short"})
    assert short.status_code == 422 and "password" in short.json["error"]["fields"]
    assert admin.patch("/api/users/carol", json={"role": "admin", "cameras": None}
                       ).json["cameras"] is None
    assert [u["username"] for u in admin.get("/api/users").json["items"]] == ["alice", "carol"]
    assert admin.delete("/api/users/carol").status_code == 204
    # alice is now the only admin: she can neither demote, disable nor delete herself
    assert admin.patch("/api/users/alice", json={"role": "viewer"}).status_code == 409
    assert admin.patch("/api/users/alice", json={"disabled": True}).status_code == 409
    assert admin.delete("/api/users/alice").status_code == 409
    assert admin.get("/api/auth/me").json["user"]["role"] == "admin"


def test_role_change_applies_to_the_open_session(app: Flask, admin: Api,
                                                 ctx: ServiceContext) -> None:
    viewer = signed_in(app, ctx, "victor", "viewer")
    add_camera(ctx, "door-1")
    event_id = add_event(ctx, "door-1")
    review = {"decision": "confirm"}
    assert viewer.post(f"/api/events/{event_id}/review", json=review).status_code == 403
    admin.patch("/api/users/victor", json={"role": "reviewer"})
    assert viewer.post(f"/api/events/{event_id}/review", json=review).status_code == 200


def test_models_with_cards(viewer: Api, ctx: ServiceContext, tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    card.write_text("# Behaviour model\nTrained on synthetic data.\n")
    ctx.models = [
        ModelInfo(name="yolo11n-pose", kind="pose", version="11n", path=tmp_path / "p.onnx",
                  card_path=tmp_path / "missing.md", sha256="ab" * 32, license="AGPL-3.0"),
        ModelInfo(name="behavior-gru", kind="behavior", version="3", card_path=card),
    ]
    items = viewer.get("/api/models").json["items"]
    assert [(m["name"], m["file"], m["card"]) for m in items] == [
        ("yolo11n-pose", "p.onnx", None), ("behavior-gru", None, card.read_text())]
    assert viewer.get("/api/models/behavior-gru").json["version"] == "3"
    assert viewer.get("/api/models/nope").status_code == 404


def test_health_is_public_but_details_need_sign_in(app: Flask, viewer: Api,
                                                   ctx: ServiceContext) -> None:
    ctx.hub.set_health("door-1", {"state": "live", "fps_in": 15.0,
                                  "last_error": "rtsp://u:pw@cam failed"})
    ctx.hub.set_health("till-2", {"state": "reconnecting", "fps_in": 0.0})
    anonymous = app.test_client().get("/api/health").json
    assert anonymous["status"] == "degraded" and anonymous["version"] == "test"
    assert anonymous["cameras"] == [{"camera_id": "door-1", "state": "live"},
                                    {"camera_id": "till-2", "state": "reconnecting"}]
    assert anonymous["database"] is None and anonymous["outbox"] is None
    signed = viewer.get("/api/health").json
    assert signed["cameras"][0]["fps_in"] == 15.0
    assert signed["database"] == {"ok": True} and signed["outbox"] == {"pending": 0, "dead": 0}
    restricted = signed_in(app, ctx, "carol", "viewer", cameras=["till-2"])
    assert [c["camera_id"] for c in restricted.get("/api/health").json["cameras"]] == ["till-2"]


def test_metrics_in_prometheus_format(viewer: Api, ctx: ServiceContext) -> None:
    ctx.outbox = Outbox()
    ctx.hub.set_health("door-1", {"state": "live", "frames_in": 1500, "frames_analysed": 500,
                                  "inference_ms": 23.5, "evidence_queue": 3})
    response = viewer.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = response.data.decode().splitlines()
    for line in ('shopguard_frames_in_total{camera="door-1"} 1500',
                 'shopguard_frames_analysed_total{camera="door-1"} 500',
                 'shopguard_inference_ms{camera="door-1"} 23.5',
                 'shopguard_queue_depth{camera="door-1"} 3',
                 'shopguard_camera_up{camera="door-1"} 1',
                 "shopguard_alerts_sent_total 4", "shopguard_alerts_failed_total 2",
                 "shopguard_alerts_dead_total 1", "# TYPE shopguard_frames_in_total counter",
                 "# TYPE shopguard_inference_ms gauge"):
        assert line in lines, line
    ctx.hub.remove_camera("door-1")
    assert b"door-1" not in viewer.get("/metrics").data
