"""Face blurring from keypoints: the face ellipse loses its texture, the rest is untouched."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_scene import Scene

from shopguard.core import Tracks
from shopguard.events.face_blur import BlurMethod, blur_faces, face_ellipses
from shopguard.keypoints import FACE_KEYPOINTS, KP


@pytest.mark.parametrize("method", ["gaussian", "pixelate"])
def test_face_texture_is_destroyed_and_the_rest_kept(method: BlurMethod) -> None:
    scene = Scene()
    before = scene.image(1.0)
    after = blur_faces(before.copy(), scene.tracks(1.0), method)
    face_before = scene.face_region(before, 1.0).astype(float)
    face_after = scene.face_region(after, 1.0).astype(float)
    assert face_after.var() < 0.15 * face_before.var()
    assert np.array_equal(after[120:], before[120:])  # body and floor
    assert np.array_equal(after[:, :20], before[:, :20])


def test_ellipse_follows_the_head_width_from_ears_and_eyes() -> None:
    tracks = Scene().tracks(0.0)
    (e,) = face_ellipses(tracks)
    x = Scene().x(0.0)
    assert e.cx == pytest.approx(x) and 66 < e.cy < 74
    # eye distance 10 px → head 24 px (more than ears 20 × 1.1 and 0.3 × box 60)
    assert e.ax == pytest.approx(0.6 * 24) and e.ay > e.ax


def test_box_width_sizes_the_face_when_only_the_nose_is_seen() -> None:
    tracks = Scene().tracks(0.0)
    tracks.keypoints[0, list(FACE_KEYPOINTS), 2] = 0.0
    tracks.keypoints[0, KP.NOSE, 2] = 0.9
    (e,) = face_ellipses(tracks)
    assert e.ax == pytest.approx(0.6 * 0.3 * 60)


def test_people_without_visible_face_points_are_left_alone() -> None:
    scene = Scene()
    tracks = scene.tracks(0.0)
    tracks.keypoints[0, list(FACE_KEYPOINTS), 2] = 0.05
    image = scene.image(0.0)
    assert face_ellipses(tracks) == []
    assert np.array_equal(blur_faces(image.copy(), tracks), image)
    assert np.array_equal(blur_faces(image.copy(), Tracks.empty()), image)
