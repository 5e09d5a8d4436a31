"""``/api/deliveries``: the alert outbox — what was sent where, what failed, retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shopguard.alerts.outbox import retry as retry_delivery
from shopguard.service.auth import ctx, db
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, offset_page
from shopguard.service.routes import api_route
from shopguard.storage.models import AlertDelivery, DeliveryAttempt, DeliveryStatus

bp = Blueprint("deliveries", __name__, url_prefix="/api/deliveries")


class DeliveryOut(BaseModel):
    id: int
    event_id: str | None = Field(description="null for camera-health notices")
    channel: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

    @classmethod
    def fields_of(cls, row: AlertDelivery) -> dict[str, Any]:
        pending = row.status == DeliveryStatus.PENDING
        return dict(id=row.id, event_id=row.event_id, channel=row.channel, status=row.status,
                    attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at if pending else None,
                    last_error=row.last_error, sent_at=row.sent_at, created_at=row.created_at)


class AttemptOut(BaseModel):
    at: datetime
    ok: bool
    error: str | None
    duration_s: float

    @classmethod
    def of(cls, row: DeliveryAttempt) -> AttemptOut:
        return cls(at=row.at, ok=row.ok, error=row.error, duration_s=row.duration_s)


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]


class DeliveryQuery(PageQuery):
    status: DeliveryStatus | None = None
    channel: str | None = None
    event_id: str | None = None


def _detail(row: AlertDelivery) -> DeliveryDetail:
    return DeliveryDetail(**DeliveryOut.fields_of(row),
                          attempt_log=[AttemptOut.of(a) for a in row.attempt_log])


@api_route(bp, "", "GET", "List alert deliveries", access="admin", query=DeliveryQuery,
           response=Page[DeliveryOut])
def list_deliveries(query: DeliveryQuery) -> Page[DeliveryOut]:
    """Newest first; filter by ``status``, ``channel`` or ``event_id``."""
    stmt = select(AlertDelivery).order_by(AlertDelivery.id.desc())
    for column, value in ((AlertDelivery.status, query.status),
                          (AlertDelivery.channel, query.channel),
                          (AlertDelivery.event_id, query.event_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    rows, total, nxt = offset_page(db(), stmt, query)
    return Page[DeliveryOut](items=[DeliveryOut(**DeliveryOut.fields_of(r)) for r in rows],
                             total=total, next=nxt)


@api_route(bp, "/<int:delivery_id>", "GET", "Get a delivery with its attempts",
           access="admin", response=DeliveryDetail, errors=(404,))
def get(delivery_id: int) -> DeliveryDetail:
    row = db().get(AlertDelivery, delivery_id, options=[selectinload(AlertDelivery.attempt_log)])
    if row is None:
        raise ApiError(404, f"no delivery {delivery_id}")
    return _detail(row)


@api_route(bp, "/<int:delivery_id>/retry", "POST", "Send a failed delivery again",
           access="admin", response=DeliveryDetail, errors=(404, 409))
def retry(delivery_id: int) -> DeliveryDetail:
    """Requeues a dead (or pending) delivery with a fresh attempt budget; 409 if sent."""
    try:
        row = retry_delivery(db(), delivery_id)
    except LookupError:
        raise ApiError(404, f"no delivery {delivery_id}") from None
    except ValueError as exc:
        raise ApiError(409, str(exc)) from None
    db().commit()
    outbox = ctx().outbox
    if outbox is not None:
        outbox.wake()
    return _detail(row)
