"""Each role's limits over every route: anonymous, viewer, reviewer, admin (table-driven).

The table is the specification; a test checks it covers exactly the app's routes, so a new
route cannot ship without deciding who may call it.
"""

from __future__ import annotations

import pytest
from api_helpers import Api, add_camera, add_event, signed_in
from flask import Flask

from shopguard.alerts.config import WebhookConfig
from shopguard.service.context import ServiceContext
from shopguard.service.openapi import openapi_path

RANK = {"public": 0, "view": 1, "review": 2, "admin": 3}
ROLE_RANK = {"anonymous": 0, "viewer": 1, "reviewer": 2, "admin": 3}

#: (method, path template, who may call it)
ROUTES: list[tuple[str, str, str]] = [
    ("POST", "/api/auth/login", "public"),
    ("GET", "/api/auth/me", "view"),
    ("POST", "/api/auth/logout", "view"),
    ("GET", "/api/users", "admin"),
    ("POST", "/api/users", "admin"),
    ("GET", "/api/users/{username}", "admin"),
    ("PATCH", "/api/users/{username}", "admin"),
    ("DELETE", "/api/users/{username}", "admin"),
    ("GET", "/api/tokens", "view"),
    ("POST", "/api/tokens", "view"),
    ("DELETE", "/api/tokens/{token_id}", "view"),
    ("GET", "/api/cameras", "view"),
    ("POST", "/api/cameras", "admin"),
    ("POST", "/api/cameras/test", "admin"),
    ("GET", "/api/cameras/{camera_id}", "view"),
    ("PATCH", "/api/cameras/{camera_id}", "admin"),
    ("DELETE", "/api/cameras/{camera_id}", "admin"),
    ("GET", "/api/cameras/{camera_id}/zones", "view"),
    ("PUT", "/api/cameras/{camera_id}/zones", "admin"),
    ("POST", "/api/cameras/{camera_id}/zones", "admin"),
    ("DELETE", "/api/cameras/{camera_id}/zones/{zone_id}", "admin"),
    ("GET", "/api/cameras/{camera_id}/live.mjpg", "view"),
    ("GET", "/api/cameras/{camera_id}/snapshot.jpg", "view"),
    ("GET", "/api/events", "view"),
    ("GET", "/api/events/{event_id}", "view"),
    ("GET", "/api/events/{event_id}/clip", "view"),
    ("GET", "/api/events/{event_id}/snapshot", "view"),
    ("POST", "/api/events/{event_id}/review", "review"),
    ("GET", "/api/channels", "admin"),
    ("POST", "/api/channels", "admin"),
    ("GET", "/api/channels/{name}", "admin"),
    ("PATCH", "/api/channels/{name}", "admin"),
    ("DELETE", "/api/channels/{name}", "admin"),
    ("POST", "/api/channels/{name}/test", "admin"),
    ("GET", "/api/deliveries", "admin"),
    ("GET", "/api/deliveries/{delivery_id}", "admin"),
    ("POST", "/api/deliveries/{delivery_id}/retry", "admin"),
    ("GET", "/api/models", "view"),
    ("GET", "/api/models/{name}", "view"),
    ("GET", "/api/health", "public"),
    ("GET", "/api/openapi.json", "view"),
    ("GET", "/api/stream", "view"),
    ("GET", "/metrics", "view"),
    ("GET", "/api/events/{event_id}/poses", "view"),
    ("GET", "/api/audit", "admin"),
    ("GET", "/api/audit/export", "admin"),
    ("POST", "/api/subject-requests/search", "admin"),
    ("POST", "/api/subject-requests/export", "admin"),
    ("POST", "/api/subject-requests/erase", "admin"),
    ("GET", "/api/cameras/{camera_id}/retention", "view"),
    ("GET", "/api/privacy/signage", "view"),
    ("POST", "/api/cameras/{camera_id}/missed", "review"),
    ("GET", "/api/cameras/{camera_id}/missed", "view"),
    ("POST", "/api/dataset/export", "admin"),
    ("GET", "/api/models/versions", "admin"),
    ("GET", "/api/models/versions/{version}", "admin"),
    ("POST", "/api/models/versions/{version}/promote", "admin"),
    ("PUT", "/api/models/versions/{version}/thresholds", "admin"),
    ("POST", "/api/models/rollback", "admin"),
    ("GET", "/api/models/thresholds", "view"),
    ("POST", "/ml/v4/deployments/{deployment_id}/predictions", "view"),
]

#: Values that make requests harmless: unknown ids (404) or empty bodies (422), so one
#: role's calls do not change what the next role sees.
IDS = {"username": "nobody", "token_id": "999", "camera_id": "door-1", "zone_id": "999",
       "event_id": "", "name": "nope", "delivery_id": "999", "version": "nope",
       "deployment_id": "nope"}


def test_table_covers_every_route(app: Flask) -> None:
    served = {
        (method, openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api", "/metrics", "/ml/"))
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert {(m, p) for m, p, _ in ROUTES} == served


def test_table_matches_declared_access(admin: Api) -> None:
    doc = admin.get("/api/openapi.json").json
    declared = {(m, p): op["x-access"] for p, item in doc["paths"].items()
                for m, op in ((k.upper(), v) for k, v in item.items())}
    assert declared == {(m, p): a for m, p, a in ROUTES}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "reviewer", "admin"])
def test_role_limits(role: str, app: Flask, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    ctx.hub.set_frame("door-1", b"\xff\xd8jpeg")
    ctx.channels.create(WebhookConfig(type="webhook", name="hook", url="https://e.test/h",
                                      secret="s"))
    ids = IDS | {"event_id": add_event(ctx, "door-1")}
    api = Api(app) if role == "anonymous" else signed_in(app, ctx, f"u-{role}", role)
    wrong = []
    for method, template, access in ROUTES:
        caller = api
        if template == "/api/auth/logout" and role != "anonymous":
            caller = signed_in(app, ctx, f"u-{role}-2", role)  # keep the first session alive
        response = caller.open(method, template.format(**ids),
                               json={} if method in ("POST", "PUT", "PATCH") else None)
        status = response.status_code
        response.close()  # ends SSE/MJPEG bodies without reading them
        allowed = ROLE_RANK[role] >= RANK[access]
        expected = "allowed" if allowed else 401 if role == "anonymous" else 403
        if (allowed and status in (401, 403)) or (not allowed and status != expected):
            wrong.append(f"{method} {template}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)
