"""Overlays on BGR images: person boxes, ids, scores, skeletons and zones.

Used by evidence snapshots, the MJPEG live view and the annotated ``analyze`` video.
Every function draws **in place** and returns the same image, so calls chain.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> image = np.zeros((120, 160, 3), np.uint8)
    >>> draw_tracks(image, Tracks.empty()) is image
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np

from shopguard.core import Image, Tracks
from shopguard.keypoints import KEYPOINT_NAMES, SKELETON_EDGES

Color = tuple[int, int, int]  # BGR

#: Distinct BGR colours for track ids (Tableau 10).
PALETTE: tuple[Color, ...] = (
    (180, 119, 31), (14, 127, 255), (44, 160, 44), (40, 39, 214), (189, 103, 148),
    (75, 86, 140), (194, 119, 227), (127, 127, 127), (34, 189, 188), (207, 190, 23),
)  # fmt: skip
#: Skeleton colours by body side: left limbs, right limbs, and edges across the body.
SIDE_COLORS: dict[str, Color] = {"left": (0, 165, 255), "right": (255, 128, 0), "mid": (0, 220, 0)}
#: Zone colours by kind; unknown kinds are drawn grey.
ZONE_COLORS: dict[str, Color] = {
    "shelf": (255, 170, 0),
    "checkout": (0, 200, 0),
    "exit": (0, 0, 230),
}
_GREY: Color = (160, 160, 160)


class ZoneLike(Protocol):
    """Anything with a name, a kind and a polygon in frame pixels (e.g. ``ZoneConfig``)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def polygon(self) -> Sequence[tuple[float, float]]: ...


def color_for_id(track_id: int) -> Color:
    """A stable palette colour for a track id."""
    return PALETTE[int(track_id) % len(PALETTE)]


def side(*keypoints: int) -> str:
    """``"left"`` or ``"right"`` when all keypoints are on that side of the body, else ``"mid"``."""
    sides = {KEYPOINT_NAMES[i].split("_")[0] for i in keypoints}
    return sides.pop() if len(sides) == 1 and sides <= {"left", "right"} else "mid"


def draw_tracks(
    image: Image,
    tracks: Tracks,
    labels: Sequence[str] | None = None,
    colors: Sequence[Color] | None = None,
    *,
    keypoint_conf: float = 0.3,
    skeleton: bool = True,
) -> Image:
    """Draw each person's box, label and skeleton.

    Args:
        image: BGR image, drawn on in place.
        tracks: the people to draw.
        labels: one text per person (e.g. ``"#3 0.82"``); default ``"#<id>"``.
        colors: one box colour per person (e.g. red above threshold); default by id.
        keypoint_conf: keypoints and edges below this confidence are not drawn.
        skeleton: draw keypoints and limbs as well as boxes.
    """
    if labels is not None and len(labels) != len(tracks):
        raise ValueError(f"{len(labels)} labels for {len(tracks)} tracks")
    if colors is not None and len(colors) != len(tracks):
        raise ValueError(f"{len(colors)} colours for {len(tracks)} tracks")
    thick = _thickness(image)
    for i, track_id in enumerate(tracks.ids):
        color = colors[i] if colors is not None else color_for_id(int(track_id))
        x0, y0, x1, y1 = (round(float(v)) for v in tracks.boxes[i])
        cv2.rectangle(image, (x0, y0), (x1, y1), color, thick)
        if skeleton:
            _draw_skeleton(image, tracks.keypoints[i], keypoint_conf, thick)
        draw_label(image, labels[i] if labels is not None else f"#{track_id}", (x0, y0), color)
    return image


def draw_zones(image: Image, zones: Sequence[ZoneLike], alpha: float = 0.2) -> Image:
    """Draw zone polygons, filled translucently, outlined and labelled ``name (kind)``."""
    if not zones:
        return image
    fill = image.copy()
    polygons = [np.round(np.asarray(z.polygon, np.float64)).astype(np.int32) for z in zones]
    for zone, poly in zip(zones, polygons, strict=True):
        cv2.fillPoly(fill, [poly], ZONE_COLORS.get(zone.kind, _GREY))
    cv2.addWeighted(fill, alpha, image, 1.0 - alpha, 0.0, dst=image)
    thick = _thickness(image)
    for zone, poly in zip(zones, polygons, strict=True):
        color = ZONE_COLORS.get(zone.kind, _GREY)
        cv2.polylines(image, [poly], True, color, thick, cv2.LINE_AA)
        top = poly[np.argmin(poly[:, 1])]
        draw_label(image, f"{zone.name} ({zone.kind})", (int(top[0]), int(top[1])), color)
    return image


def draw_label(image: Image, text: str, xy: tuple[int, int], color: Color) -> Image:
    """Text on a filled box whose bottom-left corner is at ``xy`` (kept inside the image)."""
    scale = max(0.4, min(image.shape[:2]) / 1000)
    thick = max(1, round(scale * 2))
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    x = min(max(xy[0], 0), max(image.shape[1] - w, 0))
    y = max(xy[1], h + base)
    cv2.rectangle(image, (x, y - h - base), (x + w, y), color, cv2.FILLED)
    ink = (0, 0, 0) if sum(color) > 382 else (255, 255, 255)
    cv2.putText(
        image, text, (x, y - base), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thick, cv2.LINE_AA
    )
    return image


def _draw_skeleton(image: Image, keypoints: np.ndarray, conf: float, thick: int) -> None:
    visible = keypoints[:, 2] >= conf
    points = np.round(keypoints[:, :2]).astype(np.int32)
    for a, b in SKELETON_EDGES:
        if visible[a] and visible[b]:
            pa, pb = (int(points[a][0]), int(points[a][1])), (int(points[b][0]), int(points[b][1]))
            cv2.line(image, pa, pb, SIDE_COLORS[side(a, b)], thick, cv2.LINE_AA)
    for i in np.flatnonzero(visible):
        center = (int(points[i][0]), int(points[i][1]))
        cv2.circle(image, center, thick + 1, SIDE_COLORS[side(int(i))], -1, cv2.LINE_AA)


def _thickness(image: Image) -> int:
    return max(1, round(min(image.shape[:2]) / 360))
