"""Zones of one camera (shelf, checkout, exit polygons in frame pixels) and point tests.

Example:
    >>> zones = ZoneSet([ZoneConfig(name="A", kind="shelf", polygon=[(0, 0), (10, 0), (10, 10)])])
    >>> zones.find((8.0, 2.0), "shelf")
    'A'
    >>> zones.find((2.0, 8.0), "shelf") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import ZoneConfig, ZoneKind


def contains(polygon: npt.NDArray[np.float64], points: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Even-odd point-in-polygon test for (N, 2) points against a (V, 2) polygon."""
    p = np.atleast_2d(np.asarray(points, np.float64))
    x, y = p[:, 0:1], p[:, 1:2]
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    inside = crosses & (x < x_at)
    return np.asarray(inside.sum(axis=1) % 2 == 1)


def _inside(polygon: Sequence[tuple[float, float]], x: float, y: float) -> bool:
    """Even-odd test of one point (plain Python: faster than numpy for one point)."""
    inside = False
    x0, y0 = polygon[-1]
    for x1, y1 in polygon:
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
        x0, y0 = x1, y1
    return inside


class ZoneSet:
    """The zones of one camera, looked up by kind.

    Raises:
        ValueError: when two zones share a name.
    """

    def __init__(self, zones: Iterable[ZoneConfig]) -> None:
        self.zones: tuple[ZoneConfig, ...] = tuple(zones)
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"zone names must be unique, repeated: {dupes}")

    @classmethod
    def from_dicts(cls, zones: Sequence[Mapping[str, Any]]) -> ZoneSet:
        """Zones from plain dicts (``PoseClip.meta["zones"]``), validated."""
        return cls(ZoneConfig.model_validate(dict(z)) for z in zones)

    def __len__(self) -> int:
        return len(self.zones)

    def has(self, kind: ZoneKind) -> bool:
        """Whether any zone has this kind."""
        return any(z.kind == kind for z in self.zones)

    def find(self, point: tuple[float, float], kind: ZoneKind) -> str | None:
        """Name of the first zone of ``kind`` containing ``point``, if any."""
        for zone in self.zones:
            if zone.kind == kind and _inside(zone.polygon, point[0], point[1]):
                return zone.name
        return None
