"""Queries and writes the event manager and the API use; all take the caller's session.

Nothing here commits: the caller owns the transaction, so an event, its evidence rows
and its outbox rows land together or not at all.

Example:
    >>> from shopguard.storage.db import init_db, session_factory
    >>> Session = session_factory(init_db("sqlite:///:memory:"))
    >>> with Session.begin() as s:
    ...     ev = create_event(s, camera_id="door-1", track_id=3, started_at=utcnow(),
    ...                       peak_score=0.8)
    ...     list_events(s, EventFilter(min_score=0.5)).total
    1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from shopguard.core import Reason
from shopguard.storage.models import (
    Camera,
    Event,
    EventStatus,
    EvidenceKind,
    EvidenceObject,
    Review,
    ReviewStatus,
    StoreKind,
    utcnow,
)

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events ``list_events`` returns; ``None`` fields do not filter.

    ``since`` is inclusive and ``until`` exclusive, both on ``started_at``.
    """

    camera_ids: Sequence[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    status: EventStatus | None = None
    review_status: ReviewStatus | None = None
    min_score: float | None = None


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of events, newest first, and the number of events matching the filter."""

    items: list[Event]
    total: int
    limit: int
    offset: int


def ensure_camera(session: Session, camera_id: str, name: str | None = None) -> Camera:
    """The camera row for ``camera_id``, created (named ``name`` or the id) if missing."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        camera = Camera(id=camera_id, name=name or camera_id)
        session.add(camera)
    return camera


def reasons_to_json(reasons: Iterable[Reason | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``Reason`` objects (or dicts with the same fields) as JSON-ready dicts.

    Raises ``TypeError`` for a dict with missing or unknown fields.
    """
    return [asdict(r if isinstance(r, Reason) else Reason(**r)) for r in reasons]


def create_event(
    session: Session,
    *,
    camera_id: str,
    track_id: int,
    started_at: datetime,
    peak_score: float = 0.0,
    peak_t: float = 0.0,
    reasons: Iterable[Reason | Mapping[str, Any]] = (),
    model_version: str = "",
    event_id: str | None = None,
) -> Event:
    """Add an open event (and its camera row if new) and flush, so ``event.id`` is set."""
    if not 0.0 <= peak_score <= 1.0:
        raise ValueError(f"peak_score must be in [0, 1], got {peak_score}")
    ensure_camera(session, camera_id)
    event = Event(
        camera_id=camera_id,
        track_id=track_id,
        started_at=started_at,
        peak_score=peak_score,
        peak_t=peak_t,
        reasons=reasons_to_json(reasons),
        model_version=model_version,
    )
    if event_id is not None:
        event.id = event_id
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, event_id: str) -> Event | None:
    """The event with ``event_id``, or ``None``."""
    return session.get(Event, event_id)


def _filtered(query: Select[Any], f: EventFilter) -> Select[Any]:
    if f.camera_ids is not None:
        query = query.where(Event.camera_id.in_(list(f.camera_ids)))
    if f.since is not None:
        query = query.where(Event.started_at >= f.since)
    if f.until is not None:
        query = query.where(Event.started_at < f.until)
    if f.status is not None:
        query = query.where(Event.status == f.status)
    if f.review_status is not None:
        query = query.where(Event.review_status == f.review_status)
    if f.min_score is not None:
        query = query.where(Event.peak_score >= f.min_score)
    return query


def list_events(
    session: Session, filters: EventFilter | None = None, *, limit: int = 50, offset: int = 0
) -> EventPage:
    """Events matching ``filters``, newest ``started_at`` first, ``limit`` from ``offset``."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be in [1, {MAX_PAGE}], got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be ≥ 0, got {offset}")
    f = filters or EventFilter()
    total = session.scalar(_filtered(select(func.count(Event.id)), f)) or 0
    rows = session.scalars(
        _filtered(select(Event), f)
        .order_by(Event.started_at.desc(), Event.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return EventPage(items=list(rows), total=total, limit=limit, offset=offset)


def close_event(session: Session, event: Event, ended_at: datetime | None = None) -> Event:
    """Mark ``event`` closed at ``ended_at`` (now by default)."""
    event.status = EventStatus.CLOSED
    event.ended_at = ended_at or utcnow()
    session.flush()
    return event


def add_evidence(
    session: Session,
    *,
    event_id: str,
    kind: EvidenceKind,
    store: StoreKind,
    key: str,
    size: int,
    sha256: str,
    uploaded: bool,
) -> EvidenceObject:
    """Record an evidence object of an event (the bytes are the evidence store's job)."""
    row = EvidenceObject(
        event_id=event_id,
        kind=EvidenceKind(kind),
        store=StoreKind(store),
        key=key,
        size=size,
        sha256=sha256,
        uploaded=uploaded,
    )
    session.add(row)
    session.flush()
    return row


def add_review(
    session: Session,
    *,
    event_id: str,
    decision: ReviewStatus,
    user_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Review:
    """Record a review and set the event's ``review_status`` to its decision.

    Raises ``LookupError`` if the event does not exist, ``ValueError`` for an unknown
    decision or for ``new`` (a review must decide something).
    """
    decision = ReviewStatus(decision)
    if decision is ReviewStatus.NEW:
        raise ValueError("a review must confirm, dismiss or escalate")
    event = session.get(Event, event_id)
    if event is None:
        raise LookupError(f"no event {event_id!r}")
    review = Review(event_id=event_id, decision=decision, user_id=user_id, note=note)
    if at is not None:
        review.at = at
    event.review_status = decision
    session.add(review)
    session.flush()
    return review


# ----- keyset pages (for the API's cursors: stable while new events arrive) ---------------


def list_events_before(
    session: Session,
    filters: EventFilter | None = None,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> EventPage:
    """Like ``list_events``, but the page starts after the event ``before`` — its
    ``(started_at, id)`` — in the same newest-first order; evidence rows are loaded too.

    ``total`` counts every event matching ``filters``; ``offset`` is 0.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be in [1, {MAX_PAGE}], got {limit}")
    f = filters or EventFilter()
    total = session.scalar(_filtered(select(func.count(Event.id)), f)) or 0
    query = _filtered(select(Event), f).options(selectinload(Event.evidence))
    if before is not None:
        started, event_id = before
        query = query.where(
            or_(
                Event.started_at < started,
                and_(Event.started_at == started, Event.id < event_id),
            )
        )
    rows = session.scalars(query.order_by(Event.started_at.desc(), Event.id.desc()).limit(limit))
    return EventPage(items=list(rows), total=total, limit=limit, offset=0)
