"""Evidence downloads: Range requests, path traversal, camera restrictions, sign-in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from api_helpers import Api, add_camera, add_event, signed_in
from flask import Flask

from shopguard.service.context import ServiceContext
from shopguard.storage.models import EvidenceKind, EvidenceObject

CLIP = bytes(range(256)) * 40  # 10 240 bytes
JPEG = b"\xff\xd8\xff\xe0" + b"j" * 500 + b"\xff\xd9"


@pytest.fixture
def event_id(ctx: ServiceContext, tmp_path: Path) -> str:
    add_camera(ctx, "door-1")
    return add_event(ctx, "door-1", evidence={EvidenceKind.CLIP: CLIP,
                                              EvidenceKind.SNAPSHOT: JPEG}, tmp=tmp_path)


def test_whole_clip_advertises_ranges(viewer: Api, event_id: str) -> None:
    response = viewer.get(f"/api/events/{event_id}/clip")
    assert response.status_code == 200
    assert response.data == CLIP
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(CLIP))
    assert response.mimetype == "video/mp4"
    snapshot = viewer.get(f"/api/events/{event_id}/snapshot")
    assert snapshot.status_code == 200 and snapshot.data == JPEG
    assert snapshot.mimetype == "image/jpeg"


@pytest.mark.parametrize(("header", "start", "end"), [
    ("bytes=0-99", 0, 100),
    ("bytes=100-100", 100, 101),
    ("bytes=10000-", 10000, 10240),
    ("bytes=-240", 10000, 10240),
    ("bytes=10200-99999", 10200, 10240),
    ("bytes=-99999", 0, 10240),
])
def test_range_gives_206_with_the_right_bytes(viewer: Api, event_id: str, header: str,
                                              start: int, end: int) -> None:
    response = viewer.get(f"/api/events/{event_id}/clip", headers={"Range": header})
    assert response.status_code == 206
    assert response.data == CLIP[start:end]
    assert response.headers["Content-Range"] == f"bytes {start}-{end - 1}/{len(CLIP)}"
    assert response.headers["Content-Length"] == str(end - start)


@pytest.mark.parametrize("header", [
    "bytes=10240-", "bytes=99999-100000", "bytes=500-100", "bytes=-0", "bytes=abc", "bytes=-",
])
def test_unsatisfiable_range_is_416(viewer: Api, event_id: str, header: str) -> None:
    response = viewer.get(f"/api/events/{event_id}/clip", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(CLIP)}"
    assert response.json["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-1,5-6"])
def test_other_units_and_multiple_ranges_get_the_whole_object(viewer: Api, event_id: str,
                                                              header: str) -> None:
    response = viewer.get(f"/api/events/{event_id}/clip", headers={"Range": header})
    assert response.status_code == 200 and response.data == CLIP


def test_evidence_needs_a_session(app: Flask, event_id: str) -> None:
    response = app.test_client().get(f"/api/events/{event_id}/clip")
    assert response.status_code == 401
    assert CLIP[:64] not in response.data


def test_event_without_that_evidence_is_404(viewer: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    bare = add_event(ctx, "door-1")
    assert viewer.get(f"/api/events/{bare}/clip").status_code == 404
    assert viewer.get("/api/events/no-such-event/snapshot").status_code == 404


@pytest.mark.parametrize("path", [
    "/api/events/../../../etc/passwd/clip",
    "/api/events/..%2F..%2F..%2Fetc%2Fpasswd/clip",
    "/api/events/%2e%2e%2f%2e%2e%2fsecret.key/snapshot",
    "/api/events//etc/passwd/clip",
    "/api/events/%2Fetc%2Fpasswd/clip",
])
def test_paths_in_the_url_reach_no_file(viewer: Api, event_id: str, path: str) -> None:
    response = viewer.get(path)
    assert response.status_code == 404
    assert b"root:" not in response.data


@pytest.mark.parametrize("key", ["../../secret.key", "/etc/passwd", "door-1/../../secret.key",
                                 "%2e%2e/secret.key"])
def test_tampered_evidence_keys_are_refused(viewer: Api, ctx: ServiceContext, event_id: str,
                                            tmp_path: Path, key: str) -> None:
    """Even a database row pointing outside the store reads nothing."""
    (tmp_path / "secret.key").write_text("TOP SECRET")
    with ctx.sessions.begin() as s:
        row = s.query(EvidenceObject).filter_by(event_id=event_id, kind="clip").one()
        row.key = key
    response = viewer.get(f"/api/events/{event_id}/clip")
    assert response.status_code == 404
    assert b"TOP SECRET" not in response.data and b"root:" not in response.data


def test_symlinked_evidence_is_refused(viewer: Api, ctx: ServiceContext, event_id: str,
                                       tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("TOP SECRET")
    with ctx.sessions() as s:
        key = s.query(EvidenceObject).filter_by(event_id=event_id, kind="snapshot").one().key
    path = ctx.evidence.local.path(key)
    path.unlink()
    os.symlink(outside, path)
    response = viewer.get(f"/api/events/{event_id}/snapshot")
    assert response.status_code == 404 and b"TOP SECRET" not in response.data


def test_restricted_user_cannot_reach_other_cameras(app: Flask, ctx: ServiceContext,
                                                    tmp_path: Path) -> None:
    add_camera(ctx, "door-1")
    add_camera(ctx, "till-2")
    mine = add_event(ctx, "door-1", evidence={EvidenceKind.CLIP: CLIP}, tmp=tmp_path)
    theirs = add_event(ctx, "till-2", minutes=1,
                       evidence={EvidenceKind.CLIP: CLIP, EvidenceKind.SNAPSHOT: JPEG},
                       tmp=tmp_path)
    ctx.hub.set_frame("till-2", JPEG)
    api = signed_in(app, ctx, "carol", "reviewer", cameras=["door-1"])

    assert [e["id"] for e in api.get("/api/events").json["items"]] == [mine]
    assert api.get("/api/events?camera=till-2").json["items"] == []
    for path in (f"/api/events/{theirs}", f"/api/events/{theirs}/clip",
                 f"/api/events/{theirs}/snapshot", "/api/cameras/till-2",
                 "/api/cameras/till-2/zones", "/api/cameras/till-2/snapshot.jpg",
                 "/api/cameras/till-2/live.mjpg"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert CLIP[:64] not in response.data and JPEG not in response.data
    assert api.post(f"/api/events/{theirs}/review",
                    json={"decision": "dismiss"}).status_code == 404
    assert [c["id"] for c in api.get("/api/cameras").json["items"]] == ["door-1"]
    assert api.get(f"/api/events/{mine}/clip").status_code == 200
