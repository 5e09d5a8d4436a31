"""``/api/cameras``: add, change and remove cameras; test a source URL.

Every change calls ``ServiceContext.cameras_changed`` after the commit, so the supervisor
starts, restarts or stops the camera's worker without a service restart.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from shopguard.config import SLUG_PATTERN, CameraConfig
from shopguard.privacy.config import PRIVACY_MODE_DOC, PRIVACY_MODES
from shopguard.service.api.zones import ZoneOut
from shopguard.service.auth import ctx, current, db, require_camera, visible_cameras
from shopguard.service.camera_store import camera_from_row
from shopguard.service.errors import ApiError, field_errors
from shopguard.service.pagination import Page, PageQuery, offset_page
from shopguard.service.routes import api_route
from shopguard.storage.models import Camera, Event, Role

bp = Blueprint("cameras", __name__, url_prefix="/api/cameras")

_USERINFO = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")
#: ``CameraConfig`` fields that are columns of the camera row, not ``settings``.
COLUMNS = frozenset({"id", "name", "url", "enabled", "zones"})
SETTINGS_FIELDS = sorted(set(CameraConfig.model_fields) - COLUMNS)
SETTINGS_DOC = f"analysis settings: {', '.join(SETTINGS_FIELDS)} (see CameraConfig)"
#: Settings documented field by field in the OpenAPI document (others: see CameraConfig).
Settings = Annotated[dict[str, Any], Field(json_schema_extra={"properties": {
    "privacy": {"enum": list(PRIVACY_MODES), "default": "full", "description": PRIVACY_MODE_DOC},
}})]


class CameraOut(BaseModel):
    id: str
    name: str
    source_url: str = Field(description="passwords in the URL are hidden from non-admins")
    enabled: bool
    settings: Settings = Field(description=SETTINGS_DOC)
    zones: list[ZoneOut]
    state: str | None = Field(description="worker state from the live health, if running")
    width: int | None = None
    height: int | None = None

    @classmethod
    def of(cls, row: Camera, *, reveal_url: bool) -> CameraOut:
        health = ctx().hub.health().get(row.id, {})
        url = row.source_url if reveal_url else _USERINFO.sub(r"\1:***@", row.source_url)
        return cls(id=row.id, name=row.name, source_url=url, enabled=row.enabled,
                   settings=dict(row.settings), zones=[ZoneOut.of(z) for z in row.zones],
                   state=health.get("state"), width=health.get("width") or None,
                   height=health.get("height") or None)


class CameraIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN, description="slug used in URLs, keys and topics")
    name: str = Field(default="", max_length=200)
    source_url: str = Field(min_length=1, description="RTSP/HTTP URL, file path or webcam:N")
    enabled: bool = True
    settings: Settings = Field(default_factory=dict, description=SETTINGS_DOC)


class CameraPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, min_length=1)
    enabled: bool | None = None
    settings: Settings | None = Field(default=None, description=SETTINGS_DOC)


class CameraTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1)


class CameraTestOut(BaseModel):
    ok: bool
    error: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    codec: str | None = None


def _check_config(row: Camera) -> None:
    """422 naming API fields unless the row makes a valid ``CameraConfig``."""
    misplaced = sorted(set(row.settings) & COLUMNS)
    if misplaced:
        raise ApiError(422, "these are not settings",
                       fields={f"settings.{k}": "not a setting" for k in misplaced})
    try:
        camera_from_row(row)
    except ValidationError as exc:
        fields = {}
        for key, msg in field_errors(exc).items():
            top = key.split(".")[0]
            if top == "url":
                fields["source_url"] = msg
            else:
                fields[key if top in COLUMNS else f"settings.{key}"] = msg
        raise ApiError(422, "invalid camera settings", fields=fields) from None


def _camera(camera_id: str) -> Camera:
    require_camera(camera_id)
    row = db().get(Camera, camera_id, options=[selectinload(Camera.zones)])
    if row is None:
        raise ApiError(404, f"no camera {camera_id!r}")
    return row


def _out(row: Camera) -> CameraOut:
    return CameraOut.of(row, reveal_url=current().role == Role.ADMIN)


def _committed() -> None:
    db().commit()
    ctx().cameras_changed()


@api_route(bp, "", "GET", "List cameras", access="view", query=PageQuery,
           response=Page[CameraOut])
def list_cameras(query: PageQuery) -> Page[CameraOut]:
    stmt = select(Camera).options(selectinload(Camera.zones)).order_by(Camera.id)
    visible = visible_cameras()
    if visible is not None:
        stmt = stmt.where(Camera.id.in_(visible))
    rows, total, nxt = offset_page(db(), stmt, query)
    return Page[CameraOut](items=[_out(r) for r in rows], total=total, next=nxt)


@api_route(bp, "", "POST", "Add a camera", access="admin", body=CameraIn, response=CameraOut,
           status=201, errors=(409, 422))
def create(body: CameraIn) -> CameraOut:
    if db().get(Camera, body.id) is not None:
        raise ApiError(409, f"camera {body.id!r} exists", fields={"id": "already used"})
    row = Camera(id=body.id, name=body.name or body.id, source_url=body.source_url,
                 enabled=body.enabled, settings=body.settings, zones=[])
    _check_config(row)
    db().add(row)
    _committed()
    return _out(row)


@api_route(bp, "/test", "POST", "Test a source URL", access="admin", body=CameraTestIn,
           response=CameraTestOut)
def test_connection(body: CameraTestIn) -> CameraTestOut:
    """Opens the source briefly (in the worker's way) and reports what it found."""
    return CameraTestOut.model_validate(ctx().test_connection(body.url))


@api_route(bp, "/<camera_id>", "GET", "Get a camera", access="view", response=CameraOut,
           errors=(404,))
def get(camera_id: str) -> CameraOut:
    return _out(_camera(camera_id))


@api_route(bp, "/<camera_id>", "PATCH", "Change a camera", access="admin", body=CameraPatch,
           response=CameraOut, errors=(404, 422))
def update(camera_id: str, body: CameraPatch) -> CameraOut:
    row = _camera(camera_id)
    for name in ("name", "source_url", "enabled", "settings"):
        value = getattr(body, name)
        if value is not None:
            setattr(row, name, value)
    _check_config(row)
    _committed()
    return _out(row)


@api_route(bp, "/<camera_id>", "DELETE", "Remove a camera", access="admin", status=204,
           errors=(404, 409))
def delete(camera_id: str) -> None:
    """A camera with stored events cannot be removed (disable it instead)."""
    row = _camera(camera_id)
    if db().scalar(select(exists().where(Event.camera_id == camera_id))):
        raise ApiError(409, f"camera {camera_id!r} has events; disable it instead")
    db().delete(row)
    _committed()
    ctx().hub.remove_camera(camera_id)
