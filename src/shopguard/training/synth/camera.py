"""Pinhole CCTV camera: mounted at a height, yawed and tilted down, no lens distortion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopguard.training.synth.skeleton import Array


@dataclass(frozen=True, slots=True)
class Camera:
    """A pinhole camera in world coordinates (metres, z up).

    Attributes:
        position: (x, y, z) of the optical centre.
        yaw: direction of view on the floor plane (radians, ccw from +x).
        tilt: downward angle of the optical axis (radians, > 0 looks down).
        focal: focal length in pixels.
        width, height: image size in pixels (principal point at the centre).
    """

    position: tuple[float, float, float]
    yaw: float
    tilt: float
    focal: float
    width: int
    height: int

    @classmethod
    def look_at(
        cls,
        position: tuple[float, float, float],
        target: tuple[float, float, float],
        hfov_deg: float,
        width: int,
        height: int,
    ) -> Camera:
        """A camera at ``position`` aimed at ``target`` with a horizontal field of view."""
        d = np.subtract(target, position)
        yaw = float(np.arctan2(d[1], d[0]))
        tilt = float(np.arctan2(-d[2], np.hypot(d[0], d[1])))
        focal = width / 2 / np.tan(np.radians(hfov_deg) / 2)
        return cls(tuple(map(float, position)), yaw, tilt, float(focal), width, height)  # type: ignore[arg-type]

    def axes(self) -> Array:
        """(3, 3) rows: camera right, down and forward unit vectors in world coordinates."""
        cy, sy, ct, st = np.cos(self.yaw), np.sin(self.yaw), np.cos(self.tilt), np.sin(self.tilt)
        forward = np.array([cy * ct, sy * ct, -st])
        right = np.array([sy, -cy, 0.0])
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    def to_camera(self, points: Array) -> Array:
        """World points (..., 3) to camera coordinates (..., 3): x right, y down, z depth."""
        return np.asarray((np.asarray(points) - np.asarray(self.position)) @ self.axes().T)

    def project(self, points: Array) -> tuple[Array, Array]:
        """Pixel coordinates (..., 2) and depth (...,) of world points (behind: depth ≤ 0)."""
        c = self.to_camera(points)
        z = c[..., 2]
        safe = np.where(z > 1e-3, z, 1e-3)
        uv = np.stack(
            [
                self.focal * c[..., 0] / safe + self.width / 2,
                self.focal * c[..., 1] / safe + self.height / 2,
            ],
            -1,
        )
        return uv, z

    def meta(self) -> dict[str, float | list[float]]:
        """JSON-friendly description (stored in ``PoseClip.meta["camera"]``)."""
        return {
            "position": [round(v, 3) for v in self.position],
            "yaw_deg": round(float(np.degrees(self.yaw)), 2),
            "tilt_deg": round(float(np.degrees(self.tilt)), 2),
            "focal_px": round(self.focal, 1),
            "width": self.width,
            "height": self.height,
        }
