"""Learning from the store: missed-theft reports and the training-data export.

``POST /api/cameras/<id>/missed``: a reviewer marks a time span on a camera that should
have raised an alert; its poses (from the camera's track log) become a labelled clip.
``POST /api/dataset/export``: every reviewed event and missed-theft report as labelled
pose clips (ShopGuard's native ``.npz`` format) in one ZIP; poses and labels only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from flask import Blueprint, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from shopguard.feedback.track_log import read_span
from shopguard.privacy.audit import AuditAction
from shopguard.service.audit import audit
from shopguard.service.auth import ctx, current, db, require_camera, visible_cameras
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, offset_page
from shopguard.service.routes import api_route
from shopguard.storage.evidence.base import CHUNK
from shopguard.storage.models import Camera, MissedReport, utcnow
from shopguard.training.feedback import collect, write_zip

bp = Blueprint("feedback", __name__, url_prefix="/api")

#: The longest span a missed-theft report may cover.
MAX_SPAN = timedelta(minutes=10)


class MissedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime = Field(description="start of the span (ISO 8601 with time zone)")
    until: AwareDatetime = Field(description="end of the span; at most 10 minutes later")
    track_id: int | None = Field(default=None, ge=0, description="the person's track id "
                                 "(live view label), if known; needed when several people "
                                 "were in view")
    note: str = Field(default="", max_length=2000, description="for reviewers only; never "
                      "exported into training data")

    @model_validator(mode="after")
    def _span(self) -> MissedIn:
        if self.until <= self.since:
            raise ValueError("until must be after since")
        if self.until - self.since > MAX_SPAN:
            raise ValueError("the span may cover at most 10 minutes")
        return self


class MissedOut(BaseModel):
    id: int
    camera_id: str
    since: datetime
    until: datetime
    track_id: int | None
    note: str
    username: str | None
    created_at: datetime
    poses_logged: bool = Field(description="whether the camera's track log holds poses in "
                               "the span (without them the report cannot become a clip)")

    @classmethod
    def of(cls, row: MissedReport, poses_logged: bool) -> MissedOut:
        return cls(id=row.id, camera_id=row.camera_id, since=row.since, until=row.until,
                   track_id=row.track_id, note=row.note,
                   username=row.user.username if row.user else None,
                   created_at=row.created_at, poses_logged=poses_logged)


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cameras: list[str] | None = Field(default=None, description="default: every camera")
    background_hours: float = Field(default=0.0, ge=0, le=168, description="also every "
                                    "track of the cameras' track logs over the last hours "
                                    "(ordinary shopping, labelled normal)")


def _track_log_root() -> Path:
    return ctx().config.data_dir / "tracklog"


def _logged(row: MissedReport) -> bool:
    span = read_span(_track_log_root(), row.camera_id, row.since.timestamp(),
                     row.until.timestamp())
    return next(span, None) is not None


def _camera(camera_id: str) -> None:
    require_camera(camera_id)
    if db().get(Camera, camera_id) is None:
        raise ApiError(404, f"no camera {camera_id!r}")


@api_route(bp, "/cameras/<camera_id>/missed", "POST", "Report a missed theft",
           access="review", body=MissedIn, response=MissedOut, status=201, errors=(404, 422))
def report_missed(camera_id: str, body: MissedIn) -> MissedOut:
    """The span becomes a clip labelled as theft in the next dataset export (the poses of
    the person come from the camera's track log, kept ``feedback.track_log_hours``)."""
    _camera(camera_id)
    if body.since.astimezone(UTC) > utcnow():
        raise ApiError(422, "the span starts in the future", fields={"since": "in the future"})
    row = MissedReport(camera_id=camera_id, since=body.since.astimezone(UTC),
                       until=body.until.astimezone(UTC), track_id=body.track_id,
                       note=body.note, user_id=current().user_id)
    db().add(row)
    db().flush()
    audit(AuditAction.REVIEW, target_type="missed_report", target_id=str(row.id),
          camera_id=camera_id, session=db())
    db().commit()
    db().refresh(row, ["user"])
    return MissedOut.of(row, _logged(row))


@api_route(bp, "/cameras/<camera_id>/missed", "GET", "List a camera's missed-theft reports",
           access="view", query=PageQuery, response=Page[MissedOut], errors=(404,))
def list_missed(camera_id: str, query: PageQuery) -> Page[MissedOut]:
    _camera(camera_id)
    stmt = (select(MissedReport).where(MissedReport.camera_id == camera_id)
            .order_by(MissedReport.since.desc(), MissedReport.id.desc()))
    rows, total, nxt = offset_page(db(), stmt, query)
    return Page[MissedOut](items=[MissedOut.of(r, _logged(r)) for r in rows], total=total,
                           next=nxt)


@api_route(bp, "/dataset/export", "POST", "Export reviews as labelled pose clips (ZIP)",
           access="admin", body=ExportIn, produces="application/zip", errors=(422,))
def export_dataset(body: ExportIn) -> Response:
    """A ZIP of ``<clip id>.npz`` files (ShopGuard's native dataset format: keypoints,
    boxes, times, per-frame labels, metadata) and ``summary.json`` (clips by label, what
    was skipped and why). Confirmed events are labelled theft from the event's start to
    its end, dismissed events normal throughout, missed-theft reports theft inside their
    span. Poses and labels only: no pictures, no review notes."""
    allowed = visible_cameras()
    cameras = body.cameras if body.cameras is not None else allowed
    if allowed is not None and cameras is not None and not set(cameras) <= set(allowed):
        raise ApiError(422, "you may export only the cameras you can see",
                       fields={"cameras": "not allowed"})
    result = collect(db(), ctx().evidence, _track_log_root(), cameras=cameras,
                     background_hours=body.background_hours)
    out: IO[bytes] = tempfile.NamedTemporaryFile(suffix=".zip")  # noqa: SIM115 (stream closes)
    try:
        write_zip(Path(out.name), result)
        size = Path(out.name).stat().st_size
    except BaseException:
        out.close()
        raise
    audit(AuditAction.EXPORT, target_type="dataset", target_id="reviews",
          detail=result.summary() | {"cameras": cameras})

    def stream() -> Iterator[bytes]:
        try:
            with open(out.name, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk
        finally:
            out.close()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    response = Response(stream(), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="shopguard-reviews-{stamp}.zip"')
    response.headers["Cache-Control"] = "no-store"
    return response
