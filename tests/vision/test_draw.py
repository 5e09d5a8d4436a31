"""Overlay drawing: boxes, labels, side-coloured skeletons, confidence cut-off, zones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from shopguard.core import Poses, Tracks
from shopguard.keypoints import KP
from shopguard.vision.draw import (
    SIDE_COLORS,
    ZONE_COLORS,
    color_for_id,
    draw_tracks,
    draw_zones,
    side,
)


def one_person(track_id: int = 4) -> Tracks:
    kps = np.zeros((1, 17, 3), np.float32)
    kps[0, KP.LEFT_SHOULDER] = (150, 100, 0.9)
    kps[0, KP.LEFT_ELBOW] = (150, 160, 0.9)
    kps[0, KP.RIGHT_SHOULDER] = (90, 100, 0.9)
    kps[0, KP.RIGHT_ELBOW] = (90, 160, 0.1)  # too unsure to draw
    box = np.array([[60, 60, 180, 220]], np.float32)
    return Tracks(Poses(box, np.ones(1, np.float32), kps), np.array([track_id]))


def near(pixel: np.ndarray, color: tuple[int, int, int]) -> bool:
    """Equal up to anti-aliasing."""
    return bool(np.abs(pixel.astype(int) - color).max() <= 40)


def blank() -> np.ndarray:
    return np.zeros((240, 320, 3), np.uint8)


def test_box_in_id_colour_and_left_limb_in_left_colour() -> None:
    image = draw_tracks(blank(), one_person(4))
    assert tuple(image[140, 180]) == color_for_id(4)  # right edge of the box
    assert near(image[130, 150], SIDE_COLORS["left"])  # mid left upper arm
    assert image[130, 90].sum() == 0  # right elbow below keypoint_conf: no limb


def test_label_and_colour_overrides() -> None:
    image = draw_tracks(blank(), one_person(), labels=["#4 0.93"], colors=[(0, 0, 255)])
    assert tuple(image[140, 180]) == (0, 0, 255)
    label = image[40:60, 60:140]  # the label sits above the box's top-left corner
    assert (label == (0, 0, 255)).all(axis=-1).sum() > 200


def test_skeleton_can_be_left_out() -> None:
    image = draw_tracks(blank(), one_person(), skeleton=False)
    assert image[130, 150].sum() == 0


def test_label_count_must_match() -> None:
    with pytest.raises(ValueError):
        draw_tracks(blank(), one_person(), labels=["a", "b"])


def test_sides() -> None:
    assert side(KP.LEFT_HIP, KP.LEFT_KNEE) == "left"
    assert side(KP.RIGHT_WRIST) == "right"
    assert side(KP.LEFT_HIP, KP.RIGHT_HIP) == "mid" and side(KP.NOSE) == "mid"


@dataclass
class Zone:
    name: str
    kind: str
    polygon: list[tuple[float, float]]


def test_zones_are_tinted_inside_and_untouched_outside() -> None:
    image = np.full((240, 320, 3), 100, np.uint8)
    draw_zones(image, [Zone("A", "shelf", [(20, 100), (150, 100), (150, 200), (20, 200)])])
    inside = image[170, 80].astype(int)
    tint = np.array(ZONE_COLORS["shelf"])
    assert np.abs(inside - (0.2 * tint + 0.8 * 100)).max() <= 1
    assert (image[20, 300] == 100).all()
    assert not (image[85:100, 20:100] == 100).all()  # label above the polygon
