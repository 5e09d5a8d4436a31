"""Malformed requests get 400/422 with field messages in the one error shape."""

from __future__ import annotations

import json

import pytest
from api_helpers import Api, add_camera
from flask import Flask

from shopguard.service.context import ServiceContext
from shopguard.service.geometry import polygon_problem

SQUARE = [[0, 0], [100, 0], [100, 100], [0, 100]]


def _error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, (response.status_code, response.data)  # type: ignore[attr-defined]
    body = response.json["error"]  # type: ignore[attr-defined]
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    return dict(body)


def test_malformed_json_is_400(admin: Api) -> None:
    error = _error(admin.post("/api/cameras", data="{not json", content_type="application/json"),
                   400)
    assert error["code"] == "bad_request" and "body" in error["fields"]  # type: ignore[operator]


def test_bodies_must_be_declared_json(admin: Api, app: Flask, ctx: ServiceContext) -> None:
    """A cross-site HTML form (text/plain) cannot post JSON-looking bodies, not even to
    the login, which has no CSRF token yet."""
    from api_helpers import PASSWORD, add_user

    add_user(ctx, "bob", "viewer")
    body = json.dumps({"username": "bob", "password": PASSWORD})
    login = app.test_client().post("/api/auth/login", data=body, content_type="text/plain")
    assert _error(login, 415)["code"] == "unsupported_media_type"
    ok = app.test_client().post("/api/auth/login", data=body,
                                content_type="application/json; charset=utf-8")
    assert ok.status_code == 200


def test_a_json_array_is_422(admin: Api) -> None:
    _error(admin.post("/api/cameras", json=[1, 2]), 422)


def test_missing_and_wrong_fields_are_named(admin: Api) -> None:
    error = _error(admin.post("/api/cameras", json={"id": "Not A Slug", "enabled": "maybe",
                                                    "colour": "red"}), 422)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"id", "enabled", "source_url", "colour"}  # type: ignore[arg-type]


def test_camera_settings_are_validated_like_the_config_file(admin: Api) -> None:
    body = {"id": "door-1", "source_url": "rtsp://cam/1",
            "settings": {"analysis_fps": 500, "motion": {"pixel_threshold": 0}, "bogus": 1}}
    error = _error(admin.post("/api/cameras", json=body), 422)
    assert set(error["fields"]) == {"settings.analysis_fps",  # type: ignore[arg-type]
                                    "settings.motion.pixel_threshold", "settings.bogus"}
    error = _error(admin.post("/api/cameras", json=body | {"settings": {"url": "x"}}), 422)
    assert "settings.url" in error["fields"]  # type: ignore[operator]


@pytest.mark.parametrize(("polygon", "problem"), [
    ([[0, 0], [10, 0]], "at least 3"),
    ([[0, 0], [10, 10], [10, 0], [0, 10]], "cross"),
    ([[0, 0], [10, 0], [20, 0]], "overlap"),  # flat: folds back on itself
    ([[0, 0], [10, 0], [10, 0], [0, 10]], "repeats"),
    ([[0, 0], [10, 0], [5, 0], [5, 10]], "overlap"),
    ([[0, 0], [-5, 0], [0, 5]], "greater than or equal"),
    ([[0, 0], [1e300, 0], [0, 5]], "less than or equal"),
    ([[0, 0], ["a", 0], [0, 5]], "valid number"),
    ([[0, 0, 0], [1, 0], [0, 5]], "at most 2"),
    ([[i, (i % 2) * 5] for i in range(257)], "at most 256"),
])
def test_bad_polygons_are_refused(admin: Api, ctx: ServiceContext, polygon: list[object],
                                  problem: str) -> None:
    add_camera(ctx, "door-1")
    body = {"items": [{"name": "A", "kind": "shelf", "polygon": polygon}]}
    error = _error(admin.put("/api/cameras/door-1/zones", json=body), 422)
    messages = " ".join(error["fields"].values())  # type: ignore[attr-defined]
    assert any(k.startswith("items.0.polygon") for k in error["fields"])  # type: ignore[attr-defined]
    assert problem in messages, messages


def test_non_finite_coordinates_are_refused(admin: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    raw = '{"name": "A", "kind": "exit", "polygon": [[0, 0], [NaN, 0], [0, Infinity]]}'
    error = _error(admin.post("/api/cameras/door-1/zones", data=raw,
                              content_type="application/json"), 422)
    assert {"polygon.1.0", "polygon.2.1"} <= set(error["fields"])  # type: ignore[arg-type]


def test_zone_kind_and_duplicate_names(admin: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    error = _error(admin.put("/api/cameras/door-1/zones", json={"items": [
        {"name": "A", "kind": "toilet", "polygon": SQUARE}]}), 422)
    assert "items.0.kind" in error["fields"]  # type: ignore[operator]
    error = _error(admin.put("/api/cameras/door-1/zones", json={"items": [
        {"name": "A", "kind": "shelf", "polygon": SQUARE},
        {"name": "A", "kind": "exit", "polygon": SQUARE}]}), 422)
    assert "items" in error["fields"]  # type: ignore[operator]


def test_big_polygon_is_accepted_quickly(admin: Api, ctx: ServiceContext) -> None:
    import math

    add_camera(ctx, "door-1")
    circle = [[500 + 400 * math.cos(2 * math.pi * i / 256),
               500 + 400 * math.sin(2 * math.pi * i / 256)] for i in range(256)]
    response = admin.post("/api/cameras/door-1/zones",
                          json={"name": "round", "kind": "checkout", "polygon": circle})
    assert response.status_code == 201, response.json


def test_polygon_checks() -> None:
    assert polygon_problem([(0, 0), (4, 0), (4, 4), (2, 1), (0, 4)]) is None  # concave
    assert polygon_problem([(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)]) is not None  # touches
    assert polygon_problem([(0, 0), (4, 0), (0, 4), (4, 4)]) is not None  # bow tie


def test_bad_query_parameters_are_400(viewer: Api) -> None:
    for query, field in (("limit=0", "limit"), ("limit=x", "limit"), ("since=yesterday", "since"),
                         ("status=gone", "status"), ("min_score=2", "min_score"),
                         ("offset=-1", "offset")):
        error = _error(viewer.get(f"/api/events?{query}"), 400)
        assert field in error["fields"], query  # type: ignore[operator]
    error = _error(viewer.get("/api/events?cursor=%%%"), 400)
    assert "cursor" in error["fields"]  # type: ignore[operator]


def test_review_decision_must_be_known(reviewer: Api, ctx: ServiceContext) -> None:
    from api_helpers import add_event

    add_camera(ctx, "door-1")
    event_id = add_event(ctx, "door-1")
    error = _error(reviewer.post(f"/api/events/{event_id}/review",
                                 json={"decision": "shrug", "note": "x" * 3000}), 422)
    assert set(error["fields"]) == {"decision", "note"}  # type: ignore[arg-type]


def test_oversized_body_is_413(admin: Api) -> None:
    error = _error(admin.post("/api/cameras", data=b"{" + b" " * (2 << 20) + b"}",
                              content_type="application/json"), 413)
    assert error["code"] == "payload_too_large"


def test_unknown_api_path_and_wrong_method_are_json(admin: Api, app: Flask) -> None:
    assert _error(admin.get("/api/nothing-here"), 404)["code"] == "not_found"
    assert _error(app.test_client().get("/api/nothing-here"), 404)["code"] == "not_found"
    response = admin.open("PUT", "/api/events")
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_server_errors_hide_details(ctx: ServiceContext, admin: Api) -> None:
    def broken(url: str) -> dict[str, object]:
        raise RuntimeError("secret internal detail")

    ctx.test_connection = broken
    response = admin.post("/api/cameras/test", json={"url": "rtsp://x"})
    error = _error(response, 500)
    assert error["code"] == "internal_error" and b"secret internal" not in response.data
