"""``/api/cameras/<id>/zones``: a camera's shelf, checkout and exit polygons.

Polygons are in frame pixels, 3–256 finite points, simple (no edge crosses another); the
configuration file's zones are checked the same way (``geometry.zone_problem``).
"""

from __future__ import annotations

from typing import Annotated

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import selectinload

from shopguard.service.auth import ctx, db, require_camera
from shopguard.service.errors import ApiError
from shopguard.service.geometry import MAX_COORDINATE, MAX_POINTS, polygon_problem
from shopguard.service.pagination import Page
from shopguard.service.routes import api_route
from shopguard.storage.models import Camera, Zone, ZoneKind

bp = Blueprint("zones", __name__, url_prefix="/api/cameras")

Coordinate = Annotated[float, Field(ge=0, le=MAX_COORDINATE, allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate]


class ZoneOut(BaseModel):
    id: int
    name: str
    kind: ZoneKind
    polygon: list[tuple[float, float]]

    @classmethod
    def of(cls, zone: Zone) -> ZoneOut:
        return cls(id=zone.id, name=zone.name, kind=zone.kind,
                   polygon=[(float(x), float(y)) for x, y in zone.polygon])


class ZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, description="ignored (zones are replaced)")
    name: str = Field(min_length=1, max_length=100)
    kind: ZoneKind
    polygon: list[Point] = Field(min_length=3, max_length=MAX_POINTS,
                                 description="[[x, y], …] in frame pixels")

    @field_validator("polygon")
    @classmethod
    def _simple(cls, polygon: list[Point]) -> list[Point]:
        problem = polygon_problem(polygon)
        if problem:
            raise ValueError(problem)
        return polygon


class ZonesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ZoneIn] = Field(max_length=100)

    @field_validator("items")
    @classmethod
    def _unique(cls, items: list[ZoneIn]) -> list[ZoneIn]:
        names = [z.name for z in items]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"zone names must be unique: {', '.join(repeated)}")
        return items


def _camera(camera_id: str) -> Camera:
    require_camera(camera_id)
    row = db().get(Camera, camera_id, options=[selectinload(Camera.zones)])
    if row is None:
        raise ApiError(404, f"no camera {camera_id!r}")
    return row


def _page(camera: Camera) -> Page[ZoneOut]:
    zones = sorted(camera.zones, key=lambda z: z.name)
    return Page[ZoneOut](items=[ZoneOut.of(z) for z in zones], total=len(zones), next=None)


def _new(camera: Camera, zone: ZoneIn) -> Zone:
    return Zone(camera_id=camera.id, name=zone.name, kind=zone.kind,
                polygon=[[x, y] for x, y in zone.polygon])


def _committed() -> None:
    db().commit()
    ctx().cameras_changed()


@api_route(bp, "/<camera_id>/zones", "GET", "List a camera's zones", access="view",
           response=Page[ZoneOut], errors=(404,))
def list_zones(camera_id: str) -> Page[ZoneOut]:
    return _page(_camera(camera_id))


@api_route(bp, "/<camera_id>/zones", "PUT", "Replace all zones of a camera", access="admin",
           body=ZonesIn, response=Page[ZoneOut], errors=(404, 422))
def replace_zones(camera_id: str, body: ZonesIn) -> Page[ZoneOut]:
    camera = _camera(camera_id)
    camera.zones.clear()
    db().flush()  # the old names are free before the new rows go in
    camera.zones.extend(_new(camera, z) for z in body.items)
    _committed()
    return _page(camera)


@api_route(bp, "/<camera_id>/zones", "POST", "Add a zone", access="admin", body=ZoneIn,
           response=ZoneOut, status=201, errors=(404, 409, 422))
def add_zone(camera_id: str, body: ZoneIn) -> ZoneOut:
    camera = _camera(camera_id)
    if any(z.name == body.name for z in camera.zones):
        raise ApiError(409, f"zone {body.name!r} exists", fields={"name": "already used"})
    zone = _new(camera, body)
    camera.zones.append(zone)
    _committed()
    return ZoneOut.of(zone)


@api_route(bp, "/<camera_id>/zones/<int:zone_id>", "DELETE", "Remove a zone", access="admin",
           status=204, errors=(404,))
def delete_zone(camera_id: str, zone_id: int) -> None:
    camera = _camera(camera_id)
    zone = next((z for z in camera.zones if z.id == zone_id), None)
    if zone is None:
        raise ApiError(404, f"no zone {zone_id} on camera {camera_id!r}")
    camera.zones.remove(zone)
    _committed()
