"""``/api/cameras/<id>/retention`` (what the retention rules delete when) and
``/api/privacy/signage`` (the entrance notice, Markdown, from the configuration)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response
from pydantic import BaseModel, Field

from shopguard.privacy.config import PRIVACY_MODE_DOC, PrivacyMode
from shopguard.privacy.retention_view import Amount, policy_of, retention_outlook
from shopguard.privacy.signage import signage_markdown
from shopguard.service.auth import ctx, db, require_camera
from shopguard.service.camera_store import camera_from_row, load_cameras
from shopguard.service.errors import ApiError
from shopguard.service.routes import api_route
from shopguard.storage.models import Camera

bp = Blueprint("privacy", __name__, url_prefix="/api")


class AmountOut(BaseModel):
    objects: int = Field(description="evidence objects (clips, snapshots, pose data)")
    events: int
    bytes: int

    @classmethod
    def of(cls, a: Amount) -> AmountOut:
        return cls(objects=a.objects, events=a.events, bytes=a.bytes)


class DeletionDayOut(AmountOut):
    day: date = Field(description="UTC day the age rule deletes these")


class RetentionPolicyOut(BaseModel):
    max_age_days: float | None = Field(description="unconfirmed evidence is deleted after "
                                                   "this many days; null: never by age")
    min_free_bytes: int | None = Field(description="below this free disk space the oldest "
                                                   "unconfirmed evidence goes first")
    protected: list[str] = Field(description="review statuses never deleted automatically")


class RetentionOut(BaseModel):
    camera_id: str
    privacy: PrivacyMode = Field(description=PRIVACY_MODE_DOC)
    policy: RetentionPolicyOut
    stored: AmountOut = Field(description="all evidence of this camera")
    protected: AmountOut = Field(description="confirmed or escalated: kept until deleted "
                                             "by hand")
    due: AmountOut = Field(description="past its age: the next retention run deletes it")
    scheduled: list[DeletionDayOut] = Field(description="next deletion days, soonest first")
    later: AmountOut = Field(description="deleted after the last day listed")


@api_route(bp, "/cameras/<camera_id>/retention", "GET", "A camera's retention schedule",
           access="view", response=RetentionOut, errors=(404,))
def camera_retention(camera_id: str) -> RetentionOut:
    """The retention policy and what it will delete when: by UTC day for the next 14
    deletion days, with the protected (confirmed) evidence it keeps."""
    require_camera(camera_id)
    row = db().get(Camera, camera_id)
    if row is None:
        raise ApiError(404, f"no camera {camera_id!r}")
    policy = policy_of(ctx().config)
    o = retention_outlook(db(), camera_id, policy)
    return RetentionOut(
        camera_id=camera_id,
        privacy=camera_from_row(row).privacy,
        policy=RetentionPolicyOut(max_age_days=policy.max_age_days,
                                  min_free_bytes=policy.min_free_bytes,
                                  protected=["confirmed", "escalated"]),
        stored=AmountOut.of(o.stored), protected=AmountOut.of(o.protected),
        due=AmountOut.of(o.due), later=AmountOut.of(o.later),
        scheduled=[DeletionDayOut(day=d.day, **AmountOut.of(d.amount).model_dump())
                   for d in o.scheduled],
    )


@api_route(bp, "/privacy/signage", "GET", "The entrance notice (Markdown)", access="view",
           produces="text/markdown")
def signage() -> Response:
    """Controller and contact, purpose, cameras and their privacy modes, retention, no
    biometric identification, and the visitor's rights — from the configuration
    (``privacy`` section) and the cameras. A template to check and print."""
    text = signage_markdown(ctx().config, load_cameras(db()))
    return Response(text, mimetype="text/markdown")
