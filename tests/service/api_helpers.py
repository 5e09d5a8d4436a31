"""Helpers of the API tests: a CSRF-aware client, users, cameras and events with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shopguard.service.accounts import create_user
from shopguard.service.context import ServiceContext
from shopguard.storage.models import Camera, EvidenceKind
from shopguard.storage.repository import create_event

PASSWORD = "correct horse battery"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A settable wall clock (seconds) for sessions and rate limits."""

    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@dataclass
class Recorder:
    """What the app called back: camera changes and connection tests."""

    camera_changes: int = 0
    tested: list[str] = field(default_factory=list)

    def cameras_changed(self) -> None:
        self.camera_changes += 1

    def test_connection(self, url: str) -> dict[str, Any]:
        self.tested.append(url)
        return {"ok": url.startswith("rtsp://"), "width": 1280, "height": 720, "fps": 15.0,
                "codec": "h264", "error": None if url.startswith("rtsp://") else "no stream"}


class Api:
    """A test client that signs in and sends the CSRF token on writes."""

    def __init__(self, app: Flask, csrf: str | None = None):
        self.client: FlaskClient = app.test_client()
        self.csrf = csrf

    def login(self, username: str, password: str = PASSWORD) -> Any:
        response = self.client.post("/api/auth/login",
                                    json={"username": username, "password": password})
        if response.status_code == 200:
            self.csrf = response.json["csrf_token"]
        return response

    def open(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if self.csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.open("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.open("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.open("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.open("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.open("DELETE", path, **kw)


def add_user(ctx: ServiceContext, username: str, role: str,
             cameras: list[str] | None = None) -> int:
    with ctx.sessions.begin() as s:
        return create_user(s, username, PASSWORD, role, cameras).id


def signed_in(app: Flask, ctx: ServiceContext, username: str, role: str,
              cameras: list[str] | None = None) -> Api:
    add_user(ctx, username, role, cameras)
    api = Api(app)
    assert api.login(username).status_code == 200
    return api


def add_camera(ctx: ServiceContext, camera_id: str, url: str = "rtsp://cam/stream") -> None:
    with ctx.sessions.begin() as s:
        s.add(Camera(id=camera_id, name=camera_id.title(), source_url=url, settings={}))


def add_event(ctx: ServiceContext, camera_id: str, minutes: float = 0.0, score: float = 0.8,
              evidence: dict[EvidenceKind, bytes] | None = None, tmp: Path | None = None) -> str:
    """An event on ``camera_id`` started ``minutes`` after ``T0``, with evidence files."""
    with ctx.sessions.begin() as s:
        event = create_event(
            s, camera_id=camera_id, track_id=1, started_at=T0 + timedelta(minutes=minutes),
            peak_score=score,
            reasons=[{"code": "conceal", "text": "hand at waistband for 2.1 s",
                      "t_start": 1.0, "t_end": 3.1, "weight": 0.6}],
        )
        for kind, data in (evidence or {}).items():
            assert tmp is not None
            path = tmp / f"{event.id}-{kind.value}{'.mp4' if kind == 'clip' else '.jpg'}"
            path.write_bytes(data)
            ctx.evidence.add(s, event, kind, path)
        return event.id
