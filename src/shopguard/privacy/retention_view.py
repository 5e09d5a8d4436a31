"""What the retention rules will delete for one camera, and when.

Evidence of an unconfirmed event is deleted ``max_age_days`` after it was stored
(``shopguard.storage.retention``); evidence of a confirmed or escalated event is kept
until someone deletes it. The outlook groups the camera's evidence by the UTC day its
age rule deletes it, so a store manager can see what goes when. The disk-space rule may
delete unprotected evidence earlier; it has no date.

Example:
    >>> from shopguard.storage.db import init_db, session_factory
    >>> from shopguard.storage.retention import RetentionPolicy
    >>> with session_factory(init_db("sqlite:///:memory:"))() as s:
    ...     retention_outlook(s, "door-1", RetentionPolicy(max_age_days=30)).stored.objects
    0
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopguard.config import ServiceConfig
from shopguard.storage.models import Event, EvidenceObject, utcnow
from shopguard.storage.retention import PROTECTED, RetentionPolicy

GB = 1 << 30


def policy_of(config: ServiceConfig) -> RetentionPolicy:
    """The retention policy the service applies (``storage.retention_days`` and
    ``storage.min_free_gb``)."""
    storage = config.storage
    floor = int(storage.min_free_gb * GB) if storage.min_free_gb is not None else None
    return RetentionPolicy(max_age_days=storage.retention_days, min_free_bytes=floor)


@dataclass(slots=True)
class Amount:
    """A number of evidence objects, the events they belong to, and their bytes."""

    objects: int = 0
    events: int = 0
    bytes: int = 0


@dataclass(frozen=True, slots=True)
class DeletionDay:
    """Evidence the age rule deletes on ``day`` (UTC)."""

    day: date
    amount: Amount


@dataclass(slots=True)
class RetentionOutlook:
    """One camera's stored evidence and its deletion schedule; ``due`` is evidence already
    past its age (the next retention run, at most an hour away, deletes it)."""

    camera_id: str
    policy: RetentionPolicy
    stored: Amount = field(default_factory=Amount)
    protected: Amount = field(default_factory=Amount)
    due: Amount = field(default_factory=Amount)
    scheduled: list[DeletionDay] = field(default_factory=list)
    later: Amount = field(default_factory=Amount)


def _amount(rows: list[tuple[str, int]]) -> Amount:
    return Amount(len(rows), len({event_id for event_id, _ in rows}), sum(s for _, s in rows))


def retention_outlook(
    session: Session,
    camera_id: str,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    days: int = 14,
) -> RetentionOutlook:
    """The camera's evidence totals, protected items and the next ``days`` deletion days
    (the rest is summed in ``later``)."""
    now = now or utcnow()
    stmt = (
        select(EvidenceObject.created_at, EvidenceObject.size, EvidenceObject.event_id,
               Event.review_status)
        .join(Event, Event.id == EvidenceObject.event_id)
        .where(Event.camera_id == camera_id)
    )
    rows = session.execute(stmt).all()
    outlook = RetentionOutlook(camera_id, policy)
    outlook.stored = _amount([(r.event_id, r.size) for r in rows])
    outlook.protected = _amount([(r.event_id, r.size) for r in rows
                                 if r.review_status in PROTECTED])
    if policy.max_age_days is None:
        return outlook
    age = timedelta(days=policy.max_age_days)
    due: list[tuple[str, int]] = []
    by_day: dict[date, list[tuple[str, int]]] = defaultdict(list)
    for r in rows:
        if r.review_status in PROTECTED:
            continue
        when = r.created_at + age
        (due if when <= now else by_day[when.date()]).append((r.event_id, r.size))
    ordered = sorted(by_day)
    outlook.due = _amount(due)
    outlook.scheduled = [DeletionDay(d, _amount(by_day[d])) for d in ordered[:days]]
    outlook.later = _amount([item for d in ordered[days:] for item in by_day[d]])
    return outlook
