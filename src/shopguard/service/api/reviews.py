"""``/api/events/<id>/review``: a reviewer confirms, dismisses or escalates an event."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from shopguard.privacy.audit import AuditAction
from shopguard.service.api.events import EventDetail, event_detail, load_event
from shopguard.service.audit import audit_event
from shopguard.service.auth import ctx, current, db
from shopguard.service.event_sink import event_summary
from shopguard.service.routes import api_route
from shopguard.storage.models import ReviewStatus
from shopguard.storage.repository import add_review

bp = Blueprint("reviews", __name__, url_prefix="/api/events")

DECISIONS: dict[str, ReviewStatus] = {
    "confirm": ReviewStatus.CONFIRMED,
    "dismiss": ReviewStatus.DISMISSED,
    "escalate": ReviewStatus.ESCALATED,
}


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "dismiss", "escalate"]
    note: str = Field(default="", max_length=2000)


@api_route(bp, "/<event_id>/review", "POST", "Review an event", access="review",
           body=ReviewIn, response=EventDetail, errors=(404, 422))
def review(event_id: str, body: ReviewIn) -> EventDetail:
    """Records who decided what and when; the event's ``review_status`` follows the latest
    review, and ``event.reviewed`` goes out on the live stream."""
    event = load_event(event_id)
    principal = current()
    record = add_review(db(), event_id=event.id, decision=DECISIONS[body.decision],
                        user_id=principal.user_id, note=body.note)
    audit_event(AuditAction.REVIEW, event, session=db(), decision=body.decision)
    db().commit()  # the review and its audit row together
    db().refresh(event, ["reviews"])
    summary = event_summary(event) | {
        "review": {"decision": record.decision.value, "note": record.note,
                   "at": record.at.isoformat(), "username": principal.username}
    }
    ctx().hub.publish("event.reviewed", summary)
    return event_detail(event)
