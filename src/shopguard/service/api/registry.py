"""``/api/models/versions``: the behaviour model registry (admins), and the operating
thresholds the cameras run with (everyone signed in).

A promotion the registry refuses (the candidate is worse than the active model on the
held-out split, or was never compared with it) answers 409 with the reasons; sending
``force_reason`` promotes anyway and stores the reason. Running cameras pick up a
promotion or rollback within ``models.poll_s`` seconds, without a restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from shopguard.registry import store
from shopguard.registry.runtime import operating_events
from shopguard.service.audit import request_actor
from shopguard.service.auth import ctx, current, db, visible_cameras
from shopguard.service.camera_store import camera_from_row
from shopguard.service.errors import ApiError
from shopguard.service.routes import api_route
from shopguard.storage.models import Camera, ModelStatus, ModelVersion

bp = Blueprint("registry", __name__, url_prefix="/api/models")


class VersionOut(BaseModel):
    version: str
    kind: str
    status: str = Field(description="candidate, active or retired")
    sha256: str
    size: int
    metrics: dict[str, Any] = Field(description="training and evaluation metrics; "
                                    "`comparison` holds the held-out comparison with the "
                                    "model that was active when it was evaluated")
    training_data: dict[str, Any]
    thresholds: dict[str, Any] = Field(description="`default` and per-camera `cameras`")
    note: str
    created_at: datetime
    created_by: str
    promoted_at: datetime | None
    promoted_by: str | None
    forced_reason: str | None = Field(description="why a refused promotion was forced")
    refusals: list[str] = Field(description="why promoting it now would be refused "
                                "(empty: it may be promoted; only for candidates)")

    @classmethod
    def of(cls, row: ModelVersion, active: ModelVersion | None) -> VersionOut:
        refusals = (store.comparison_reasons(row, active)
                    if active is not None and row.status != ModelStatus.ACTIVE else [])
        return cls(version=row.version, kind=row.kind, status=row.status.value,
                   sha256=row.sha256, size=row.size, metrics=row.metrics,
                   training_data=row.training_data, thresholds=row.thresholds, note=row.note,
                   created_at=row.created_at, created_by=row.created_by,
                   promoted_at=row.promoted_at, promoted_by=row.promoted_by,
                   forced_reason=row.forced_reason, refusals=refusals)


class VersionList(BaseModel):
    items: list[VersionOut]
    active: str | None


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force_reason: str | None = Field(default=None, max_length=2000,
                                     description="promote even if refused; stored")


class ThresholdsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: float | None = Field(default=None, gt=0, le=1)
    cameras: dict[str, float] = Field(default_factory=dict,
                                      description="camera id → threshold in (0, 1]")


class ThresholdsOut(BaseModel):
    version: str | None = Field(description="the active behaviour model version")
    default: float | None
    cameras: dict[str, float] = Field(description="the threshold each camera runs with: its "
                                      "own `events` block, else one stored for it, else "
                                      "`events.threshold` written in the configuration, "
                                      "else the version's default")
    chosen: dict[str, Any] = Field(description="how the thresholds were chosen, if recorded")


def _version(version: str) -> ModelVersion:
    try:
        return store.get_version(db(), version)
    except store.RegistryError:
        raise ApiError(404, f"no model version {version!r}") from None


@api_route(bp, "/versions", "GET", "List behaviour model versions", access="admin",
           response=VersionList)
def list_versions() -> VersionList:
    active = store.active_version(db())
    return VersionList(items=[VersionOut.of(r, active) for r in store.list_versions(db())],
                       active=active.version if active else None)


@api_route(bp, "/versions/<version>", "GET", "Get a model version", access="admin",
           response=VersionOut, errors=(404,))
def get_version(version: str) -> VersionOut:
    return VersionOut.of(_version(version), store.active_version(db()))


@api_route(bp, "/versions/<version>/promote", "POST", "Promote a model version",
           access="admin", body=PromoteIn, response=VersionOut, errors=(404, 409))
def promote(version: str, body: PromoteIn) -> VersionOut:
    """Refused (409, reasons in ``fields``) when the candidate is worse than the active
    model on the held-out split, unless ``force_reason`` is given."""
    _version(version)
    try:
        row = store.promote(db(), version, by=current().username,
                            force_reason=body.force_reason, actor=request_actor())
    except store.PromotionRefused as exc:
        db().rollback()
        raise ApiError(409, str(exc), code="promotion_refused",
                       fields={f"reason.{i}": r for i, r in enumerate(exc.reasons)}) from None
    except store.RegistryError as exc:
        db().rollback()
        raise ApiError(409, str(exc)) from None
    db().commit()
    return VersionOut.of(row, row)


@api_route(bp, "/rollback", "POST", "Re-activate the previously active version",
           access="admin", response=VersionOut, errors=(409,))
def rollback() -> VersionOut:
    try:
        row = store.rollback(db(), by=current().username, actor=request_actor())
    except store.RegistryError as exc:
        db().rollback()
        raise ApiError(409, str(exc)) from None
    db().commit()
    return VersionOut.of(row, row)


@api_route(bp, "/versions/<version>/thresholds", "PUT", "Set a version's thresholds",
           access="admin", body=ThresholdsIn, response=VersionOut, errors=(404, 422))
def set_thresholds(version: str, body: ThresholdsIn) -> VersionOut:
    """Replaces the default and per-camera operating thresholds; cameras running this
    version switch within ``models.poll_s`` seconds."""
    row = _version(version)
    thresholds = {**row.thresholds, "default": body.default, "cameras": body.cameras,
                  "chosen": {"by": current().username, "how": "set by hand"}}
    try:
        row = store.set_thresholds(db(), version, thresholds, actor=request_actor())
    except store.RegistryError as exc:
        raise ApiError(422, str(exc), fields={"cameras": str(exc)}) from None
    db().commit()
    return VersionOut.of(row, store.active_version(db()))


@api_route(bp, "/thresholds", "GET", "Operating thresholds of the cameras", access="view",
           response=ThresholdsOut)
def thresholds() -> ThresholdsOut:
    """What the dashboard shows next to each camera: the threshold it runs with."""
    active = store.active_version(db())
    stored: dict[str, Any] = dict(active.thresholds) if active is not None else {}
    per_camera = dict(stored.get("cameras") or {})
    allowed = visible_cameras()
    rows = db().scalars(select(Camera).order_by(Camera.id))
    cameras = {
        row.id: operating_events(ctx().config, camera, store.camera_threshold(stored, row.id),
                                 row.id in per_camera).threshold
        for row in rows if allowed is None or row.id in allowed
        for camera in [camera_from_row(row)]
    }
    return ThresholdsOut(version=active.version if active else None,
                         default=stored.get("default"), cameras=cameras,
                         chosen=dict(stored.get("chosen") or {}))
