"""``/api/events``: the suspicious episodes, filtered and paged, with their reasons.

Pages are newest first; ``next`` is a cursor that stays valid while new events arrive.
A user limited to some cameras sees only those cameras' events (others answer 404).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopguard.privacy.audit import AuditAction
from shopguard.service.audit import audit_event
from shopguard.service.auth import db, require_camera, visible_cameras
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shopguard.service.routes import api_route
from shopguard.storage.models import (
    Camera,
    Event,
    EventStatus,
    EvidenceKind,
    Review,
    ReviewStatus,
)
from shopguard.storage.repository import EventFilter, list_events, list_events_before

bp = Blueprint("events", __name__, url_prefix="/api/events")


class ReasonOut(BaseModel):
    code: str
    text: str
    t_start: float = Field(description="stream clock, seconds (like peak_t)")
    t_end: float
    weight: float = 0.0


class EventOut(BaseModel):
    id: str
    camera_id: str
    camera_name: str
    track_id: int
    status: EventStatus
    review_status: ReviewStatus
    started_at: datetime
    ended_at: datetime | None
    peak_score: float
    peak_t: float
    reasons: list[ReasonOut]
    model_version: str
    has_clip: bool
    has_snapshot: bool

    @classmethod
    def fields_of(cls, event: Event, camera_name: str) -> dict[str, Any]:
        kinds = {e.kind for e in event.evidence}
        return dict(
            id=event.id, camera_id=event.camera_id, camera_name=camera_name,
            track_id=event.track_id, status=event.status, review_status=event.review_status,
            started_at=event.started_at, ended_at=event.ended_at, peak_score=event.peak_score,
            peak_t=event.peak_t, reasons=event.reasons, model_version=event.model_version,
            has_clip=EvidenceKind.CLIP in kinds, has_snapshot=EvidenceKind.SNAPSHOT in kinds,
        )


class ReviewOut(BaseModel):
    decision: ReviewStatus
    note: str
    at: datetime
    username: str | None = Field(description="null once the reviewer's account is deleted")

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        username = review.user.username if review.user is not None else None
        return cls(decision=review.decision, note=review.note, at=review.at, username=username)


class EvidenceOut(BaseModel):
    kind: EvidenceKind
    size: int
    created_at: datetime
    url: str = Field(description="API path serving the bytes (supports Range)")


class ScorePoint(BaseModel):
    t: float = Field(description="stream clock, seconds (like peak_t)")
    score: float


class EventDetail(EventOut):
    reviews: list[ReviewOut]
    evidence: list[EvidenceOut]
    scores: list[ScorePoint] = Field(description="the track's score over time")
    clip_t0: float | None = Field(description="stream time of the clip's first frame")


class EventQuery(PageQuery):
    camera: str | None = Field(default=None, description="camera id")
    since: datetime | None = Field(default=None, description="started at or after (ISO-8601)")
    until: datetime | None = Field(default=None, description="started before (ISO-8601)")
    status: EventStatus | None = None
    review_status: ReviewStatus | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """Times without a zone are UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _camera_names() -> dict[str, str]:
    return {cid: name for cid, name in db().execute(select(Camera.id, Camera.name))}


def load_event(event_id: str) -> Event:
    """The event, if the caller may see its camera; else 404."""
    event = db().get(Event, event_id, options=[selectinload(Event.evidence)])
    if event is None:
        raise ApiError(404, f"no event {event_id!r}")
    require_camera(event.camera_id, "event")
    return event


def event_detail(event: Event) -> EventDetail:
    name = _camera_names().get(event.camera_id, event.camera_id)
    kind_path: dict[EvidenceKind, Literal["clip", "snapshot", "poses"]] = {
        EvidenceKind.CLIP: "clip", EvidenceKind.SNAPSHOT: "snapshot", EvidenceKind.POSES: "poses"}
    evidence = [
        EvidenceOut(kind=e.kind, size=e.size, created_at=e.created_at,
                    url=f"/api/events/{event.id}/{kind_path[e.kind]}")
        for e in event.evidence
    ]
    reviews = [ReviewOut.of(r) for r in event.reviews]
    scores = [ScorePoint(t=t, score=s) for t, s in event.score_timeline or []]
    return EventDetail(**EventOut.fields_of(event, name), reviews=reviews, evidence=evidence,
                       scores=scores, clip_t0=event.clip_t0)


def _filters(query: EventQuery) -> EventFilter:
    cameras = visible_cameras()
    if query.camera is not None:
        cameras = [query.camera] if cameras is None or query.camera in cameras else []
    return EventFilter(camera_ids=cameras, since=query.since, until=query.until,
                       status=query.status, review_status=query.review_status,
                       min_score=query.min_score)


def _position(cursor: str) -> tuple[datetime, str]:
    value = decode_cursor(cursor)
    try:
        started, event_id = value
        return datetime.fromisoformat(started), str(event_id)
    except (TypeError, ValueError):
        raise ApiError(400, "malformed cursor", fields={"cursor": "not an events cursor"}) \
            from None


@api_route(bp, "", "GET", "List events", access="view", query=EventQuery,
           response=Page[EventOut])
def list_(query: EventQuery) -> Page[EventOut]:
    """Newest first. Filters combine; ``cursor`` (from ``next``) or ``offset`` pages."""
    filters, fetch = _filters(query), query.limit + 1  # one more: is there a next page?
    if query.cursor is None and query.offset:
        page = list_events(db(), filters, limit=fetch, offset=query.offset)
    else:
        before = _position(query.cursor) if query.cursor is not None else None
        page = list_events_before(db(), filters, before=before, limit=fetch)
    rows = page.items[: query.limit]
    names = _camera_names()
    items = [EventOut(**EventOut.fields_of(e, names.get(e.camera_id, e.camera_id))) for e in rows]
    more = len(page.items) > query.limit
    nxt = encode_cursor([rows[-1].started_at.isoformat(), rows[-1].id]) if more else None
    return Page[EventOut](items=items, total=page.total, next=nxt)


@api_route(bp, "/<event_id>", "GET", "Get an event with its reviews and evidence",
           access="view", response=EventDetail, errors=(404,))
def get(event_id: str) -> EventDetail:
    """Viewing an event is recorded in the audit log."""
    event = load_event(event_id)
    audit_event(AuditAction.VIEW_EVENT, event)
    return event_detail(event)
