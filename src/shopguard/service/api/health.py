"""``/api/health``: is the service up, and how is each camera doing (no sign-in needed).

Anonymous callers (load balancers, uptime checks) get the overall status and each
camera's state; signed-in users get the full reports of the cameras they may see, the
database and the outbox backlog.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from shopguard.service.auth import Principal, ctx, db, identify
from shopguard.service.errors import ApiError
from shopguard.service.routes import api_route
from shopguard.storage.models import AlertDelivery, DeliveryStatus

bp = Blueprint("health", __name__, url_prefix="/api")

HEALTHY_STATES = frozenset({"live"})


class CameraHealthOut(BaseModel):
    """A camera's latest report; signed-in users get every field the worker sends
    (fps_in, fps_analysed, inference_ms, last_frame_at, last_error, restarts, …)."""

    model_config = ConfigDict(extra="allow")

    camera_id: str
    state: str


class DatabaseOut(BaseModel):
    ok: bool


class OutboxOut(BaseModel):
    pending: int
    dead: int


class HealthOut(BaseModel):
    status: str = Field(description="ok, degraded (a camera is not live) or error (database)")
    version: str
    cameras: list[CameraHealthOut]
    database: DatabaseOut | None = Field(description="signed-in callers only")
    outbox: OutboxOut | None = Field(description="signed-in callers only")


def _caller() -> Principal | None:
    try:
        return identify()
    except ApiError:  # a bad token on a public route: answer as to anyone
        return None


def _outbox() -> OutboxOut | None:
    try:
        counts = dict(db().execute(
            select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all())
    except SQLAlchemyError:
        return None
    return OutboxOut(pending=counts.get(DeliveryStatus.PENDING, 0),
                     dead=counts.get(DeliveryStatus.DEAD, 0))


@api_route(bp, "/health", "GET", "Service and camera health", access="public",
           response=HealthOut)
def health() -> HealthOut:
    principal = _caller()
    reports = sorted(ctx().hub.health().items())
    cameras: list[dict[str, Any]]
    if principal is None:
        cameras = [{"camera_id": cid, "state": h.get("state", "unknown")} for cid, h in reports]
    else:
        cameras = [h | {"state": h.get("state", "unknown")} for cid, h in reports
                   if principal.sees(cid)]
    outbox = _outbox()
    db_ok = outbox is not None
    status = "error" if not db_ok else "ok" if all(
        c["state"] in HEALTHY_STATES for c in cameras) else "degraded"
    return HealthOut(
        status=status,
        version=ctx().version,
        cameras=[CameraHealthOut.model_validate(c) for c in cameras],
        database=DatabaseOut(ok=db_ok) if principal is not None else None,
        outbox=outbox if principal is not None else None,
    )
