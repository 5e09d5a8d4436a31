"""Event lists: cursor and offset pages, and every filter."""

from __future__ import annotations

from typing import Any

from api_helpers import Api, add_camera, add_event
from sqlalchemy import update

from shopguard.service.context import ServiceContext
from shopguard.storage.models import Event, EventStatus, ReviewStatus


def _all_pages(api: Api, query: str, limit: int) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages = []
    url = f"/api/events?limit={limit}&{query}"
    while True:
        page = api.get(url).json
        pages.append(page)
        ids += [e["id"] for e in page["items"]]
        if page["next"] is None:
            return ids, pages
        url = f"/api/events?limit={limit}&cursor={page['next']}&{query}"


def test_cursor_pages_cover_every_event_once_newest_first(viewer: Api,
                                                           ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    created = [add_event(ctx, "door-1", minutes=i) for i in range(7)]
    ids, pages = _all_pages(viewer, "", 3)
    assert ids == created[::-1]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert all(p["total"] == 7 for p in pages)


def test_cursor_pages_stay_stable_while_events_arrive(viewer: Api,
                                                      ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    created = [add_event(ctx, "door-1", minutes=i) for i in range(5)]
    first = viewer.get("/api/events?limit=2").json
    add_event(ctx, "door-1", minutes=60)  # newer than everything: lands on page one
    rest = viewer.get(f"/api/events?limit=10&cursor={first['next']}").json
    assert [e["id"] for e in first["items"] + rest["items"]] == created[::-1]
    assert rest["next"] is None and rest["total"] == 6


def test_same_start_time_is_ordered_by_id(viewer: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    created = sorted(add_event(ctx, "door-1") for _ in range(5))
    ids, _ = _all_pages(viewer, "", 2)
    assert ids == created[::-1]


def test_offset_pages(viewer: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    created = [add_event(ctx, "door-1", minutes=i) for i in range(5)][::-1]
    page = viewer.get("/api/events?limit=2&offset=2").json
    assert [e["id"] for e in page["items"]] == created[2:4]
    assert page["next"] is not None
    last = viewer.get(f"/api/events?limit=2&cursor={page['next']}").json
    assert [e["id"] for e in last["items"]] == created[4:]
    assert viewer.get("/api/events?limit=2&offset=4").json["next"] is None


def test_filters(viewer: Api, ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    add_camera(ctx, "till-2")
    a = add_event(ctx, "door-1", minutes=0, score=0.3)
    b = add_event(ctx, "door-1", minutes=10, score=0.9)
    c = add_event(ctx, "till-2", minutes=20, score=0.7)
    with ctx.sessions.begin() as s:
        s.execute(update(Event).where(Event.id == b).values(status=EventStatus.CLOSED))
        s.execute(update(Event).where(Event.id == c).values(
            review_status=ReviewStatus.CONFIRMED))

    def ids(query: str) -> set[str]:
        response = viewer.get(f"/api/events?{query}")
        assert response.status_code == 200, response.json
        assert response.json["total"] == len(response.json["items"])
        return {e["id"] for e in response.json["items"]}

    assert ids("") == {a, b, c}
    assert ids("camera=door-1") == {a, b}
    assert ids("since=2026-05-01T12:10:00Z") == {b, c}
    assert ids("until=2026-05-01T12:10:00%2B00:00") == {a}
    assert ids("since=2026-05-01T12:05:00&until=2026-05-01T12:15:00") == {b}  # naive: UTC
    assert ids("since=2026-05-01T14:05:00%2B02:00") == {b, c}  # other zones convert
    assert ids("status=closed") == {b}
    assert ids("status=open&camera=door-1") == {a}
    assert ids("review_status=confirmed") == {c}
    assert ids("review_status=new") == {a, b}
    assert ids("min_score=0.7") == {b, c}
    assert ids("camera=nowhere") == set()


def test_event_detail_has_reasons_reviews_and_evidence(reviewer: Api,
                                                       ctx: ServiceContext) -> None:
    add_camera(ctx, "door-1")
    event_id = add_event(ctx, "door-1")
    reviewer.post(f"/api/events/{event_id}/review", json={"decision": "escalate", "note": "n"})
    detail = reviewer.get(f"/api/events/{event_id}").json
    assert detail["camera_name"] == "Door-1"
    assert detail["reasons"][0]["text"] == "hand at waistband for 2.1 s"
    assert detail["reviews"][0]["username"] == "rita"
    assert detail["evidence"] == [] and detail["has_clip"] is False
