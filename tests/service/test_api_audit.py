"""The audit trail through the API: every evidence access writes its row before any byte
is sent; only admins read or export the trail, and nobody can change it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import Api, add_camera, add_event
from sqlalchemy import select, text

from shopguard.service.context import ServiceContext
from shopguard.storage.models import AuditEntry, Event, EvidenceKind

CLIP = bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0" + b"j" * 200 + b"\xff\xd9"
POSES = b'{"format": "shopguard.poses/1", "frames": []}'


@pytest.fixture
def event_id(ctx: ServiceContext, tmp_path: Path) -> str:
    add_camera(ctx, "door-1")
    event = add_event(ctx, "door-1", evidence={EvidenceKind.CLIP: CLIP,
                                               EvidenceKind.SNAPSHOT: JPEG}, tmp=tmp_path)
    poses = tmp_path / "poses.json"
    poses.write_bytes(POSES)
    with ctx.sessions.begin() as s:
        row = s.get(Event, event)
        assert row is not None
        ctx.evidence.add(s, row, EvidenceKind.POSES, poses)
    return event


def rows(ctx: ServiceContext, **where: str) -> list[AuditEntry]:
    with ctx.sessions() as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, column) == value)
        return list(s.scalars(stmt))


def test_each_evidence_access_writes_its_row(viewer: Api, ctx: ServiceContext,
                                             event_id: str) -> None:
    ua = {"User-Agent": "pytest-browser/1.0"}
    assert viewer.get(f"/api/events/{event_id}", headers=ua).status_code == 200
    assert viewer.get(f"/api/events/{event_id}/clip", headers=ua).data == CLIP
    ranged = viewer.get(f"/api/events/{event_id}/clip", headers=ua | {"Range": "bytes=0-99"})
    assert ranged.status_code == 206
    assert viewer.get(f"/api/events/{event_id}/snapshot", headers=ua).data == JPEG
    poses = viewer.get(f"/api/events/{event_id}/poses", headers=ua)
    assert poses.data == POSES and poses.mimetype == "application/json"
    got = [(r.username, r.action, r.target_type, r.target_id, r.camera_id, r.ip, r.user_agent)
           for r in rows(ctx, username="victor") if r.action != "login"]
    base = ("event", event_id, "door-1", "127.0.0.1", "pytest-browser/1.0")
    assert got == [("victor", action, *base) for action in
                   ("view_event", "view_clip", "view_clip", "download_snapshot", "view_poses")]
    clip_rows = rows(ctx, action="view_clip")
    assert clip_rows[0].detail == {"range": None, "bytes": len(CLIP)}
    assert clip_rows[1].detail == {"range": "bytes=0-99", "bytes": 100}
    assert clip_rows[0].user_id is not None


def test_refused_and_missing_evidence_writes_no_access_row(app: object, viewer: Api,
                                                            ctx: ServiceContext,
                                                            event_id: str) -> None:
    assert viewer.get("/api/events/nope/clip").status_code == 404
    assert Api(app).get(f"/api/events/{event_id}/clip").status_code == 401  # type: ignore[arg-type]
    assert [r.action for r in rows(ctx)] == ["login"]


def test_no_audit_row_means_no_evidence(viewer: Api, ctx: ServiceContext,
                                        event_id: str) -> None:
    engine = ctx.sessions.kw["bind"]
    with engine.begin() as connection:  # the trail cannot be written any more
        connection.execute(text("DROP TABLE audit_log"))
    response = viewer.get(f"/api/events/{event_id}/clip")
    assert response.status_code == 500
    assert CLIP[:64] not in response.data


def test_review_and_its_row_commit_together(reviewer: Api, ctx: ServiceContext,
                                            event_id: str) -> None:
    response = reviewer.post(f"/api/events/{event_id}/review", json={"decision": "confirm"})
    assert response.status_code == 200
    (row,) = rows(ctx, action="review")
    assert (row.username, row.target_id, row.detail) == ("rita", event_id,
                                                         {"decision": "confirm"})


def test_logins_are_recorded(app: object, ctx: ServiceContext) -> None:
    from api_helpers import add_user

    add_user(ctx, "wendy", "viewer")
    api = Api(app)  # type: ignore[arg-type]
    assert api.login("wendy", "wrong password").status_code == 401
    assert api.login("wendy").status_code == 200
    failed, ok = rows(ctx)
    assert (failed.action, failed.user_id, failed.target_id) == ("login_failed", None, "wendy")
    assert (ok.action, ok.username, ok.target_type) == ("login", "wendy", "user")


def test_only_admins_read_and_nobody_changes_the_trail(admin: Api, reviewer: Api,
                                                       viewer: Api, event_id: str) -> None:
    viewer.get(f"/api/events/{event_id}")
    for api in (reviewer, viewer):
        assert api.get("/api/audit").status_code == 403
        assert api.get("/api/audit/export").status_code == 403
    for api in (admin, reviewer):
        assert api.delete("/api/audit").status_code == 405
        assert api.delete("/api/audit/1").status_code in (404, 405)
        assert api.patch("/api/audit/1", json={"username": "x"}).status_code in (404, 405)
    assert admin.get("/api/audit").json["total"] == 4  # 3 logins and the view


def test_admin_lists_with_filters_and_pages(admin: Api, viewer: Api, event_id: str) -> None:
    for _ in range(3):
        viewer.get(f"/api/events/{event_id}/snapshot")
    page = admin.get("/api/audit?action=download_snapshot&limit=2").json
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next"]
    rest = admin.get(f"/api/audit?action=download_snapshot&limit=2&cursor={page['next']}").json
    ids = [r["id"] for r in page["items"] + rest["items"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and rest["next"] is None
    assert admin.get("/api/audit?user=victor").json["total"] == 4  # login + 3 snapshots
    assert admin.get(f"/api/audit?target={event_id}&camera=door-1").json["total"] == 3
    assert admin.get("/api/audit?since=2999-01-01T00:00:00").json["total"] == 0
    assert admin.get("/api/audit?cursor=bm9wZQ").status_code == 400


def test_export_csv_and_json(admin: Api, viewer: Api, event_id: str) -> None:
    viewer.get(f"/api/events/{event_id}/clip")
    csv_response = admin.get("/api/audit/export?action=view_clip")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    lines = csv_response.get_data(as_text=True).splitlines()
    assert lines[0].split(",")[:5] == ["id", "at", "user_id", "username", "action"]
    assert len(lines) == 2 and ",victor,view_clip,event," in lines[1]
    data = json.loads(admin.get("/api/audit/export?format=json&user=victor").data)
    assert [r["action"] for r in data] == ["view_clip", "login"]
    exports = admin.get("/api/audit?action=export_audit").json["items"]
    assert [e["detail"] for e in exports] == [{"format": "json", "user": "victor"},
                                              {"format": "csv", "action": "view_clip"}]
