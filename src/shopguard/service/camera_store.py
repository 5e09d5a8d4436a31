"""Cameras live in the database (the API edits them); the config file seeds them once.

A camera row keeps ``id``, ``name``, ``source_url`` and ``enabled`` in columns and the
rest of its ``CameraConfig`` (frame rates, loop, motion, event overrides) in ``settings``;
its zones are rows of the zones table. These functions convert both ways, so the API
and the supervisor agree on what a camera is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopguard.behavior.config import ZoneConfig
from shopguard.config import CameraConfig
from shopguard.storage.models import Camera, Zone, ZoneKind

_COLUMNS = {"id", "name", "url", "enabled", "zones"}


def camera_settings(camera: CameraConfig) -> dict[str, Any]:
    """The ``settings`` JSON of a camera row: every field that has no column."""
    return camera.model_dump(mode="json", exclude=_COLUMNS, exclude_defaults=True)


def camera_from_row(row: Camera) -> CameraConfig:
    """The validated ``CameraConfig`` of a database row (zones included)."""
    zones = [
        ZoneConfig(name=z.name, kind=z.kind.value, polygon=[(p[0], p[1]) for p in z.polygon])
        for z in sorted(row.zones, key=lambda z: z.id)
    ]
    return CameraConfig.model_validate(
        {
            **(row.settings or {}),
            "id": row.id,
            "name": row.name,
            "url": row.source_url,
            "enabled": row.enabled,
            "zones": zones,
        }
    )


def save_camera(session: Session, camera: CameraConfig) -> Camera:
    """Insert or replace a camera and its zones."""
    row = session.get(Camera, camera.id) or Camera(id=camera.id)
    row.name = camera.name
    row.source_url = camera.url
    row.enabled = camera.enabled
    row.settings = camera_settings(camera)
    row.zones = [
        Zone(name=z.name, kind=ZoneKind(z.kind), polygon=[list(p) for p in z.polygon])
        for z in camera.zones
    ]
    session.add(row)
    session.flush()
    return row


def seed_cameras(session: Session, cameras: list[CameraConfig]) -> list[str]:
    """Add the config file's cameras that the database does not know yet; returns their ids.

    Cameras already in the database keep their (possibly API-edited) settings.
    """
    added = [c for c in cameras if session.get(Camera, c.id) is None]
    for camera in added:
        save_camera(session, camera)
    return [c.id for c in added]


def load_cameras(session: Session) -> list[CameraConfig]:
    """Every configured camera in the database, as validated configuration (rows created
    only to hold events, with no source URL, are left out)."""
    rows = session.scalars(select(Camera).where(Camera.source_url != "").order_by(Camera.id))
    return [camera_from_row(row) for row in rows]
