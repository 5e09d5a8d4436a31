"""The ``blurred`` and ``pose_only`` pictures, on frames drawn by hand."""

from __future__ import annotations

import numpy as np

from shopguard.core import Poses, Tracks
from shopguard.events.config import EventConfig
from shopguard.keypoints import KP
from shopguard.privacy.render import draw_skeletons, hand_circles, pixelate_people
from shopguard.privacy.transform import PrivacyTransform

W, H = 320, 240
BOX = (100.0, 20.0, 180.0, 220.0)  # a 200 px tall person


def _texture() -> np.ndarray:
    """Fine random detail everywhere: any pixelation or copy shows."""
    return np.random.default_rng(3).integers(0, 256, (H, W, 3), np.uint8)


def _person(wrist: tuple[float, float], elbow: tuple[float, float] | None = (140, 110),
            face: tuple[float, float] = (140, 40)) -> Tracks:
    kps = np.zeros((1, 17, 3), np.float32)
    kps[0, KP.RIGHT_WRIST] = (*wrist, 0.9)
    if elbow is not None:
        kps[0, KP.RIGHT_ELBOW] = (*elbow, 0.9)
    for k, dx in ((KP.NOSE, 0), (KP.LEFT_EYE, 5), (KP.RIGHT_EYE, -5)):
        kps[0, k] = (face[0] + dx, face[1], 0.9)
    poses = Poses(np.asarray([BOX], np.float32), np.ones(1, np.float32), kps)
    return Tracks(poses, np.asarray([4]))


def _disc(cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r


def test_hand_radius_follows_the_forearm() -> None:
    (x, y, r), = hand_circles(_person(wrist=(140, 150), elbow=(140, 110)))
    assert (x, y) == (140, 150) and r == 30  # 0.75 × 40 px forearm
    (_, _, short), = hand_circles(_person(wrist=(140, 112), elbow=(140, 110)))
    assert short == 8  # at least 4 % of the person's height
    (_, _, guessed), = hand_circles(_person(wrist=(140, 150), elbow=None))
    assert guessed == 30  # no elbow: 15 % of the height


def test_body_is_pixelated_except_the_hand_and_outside_the_body_is_untouched() -> None:
    original = _texture()
    tracks = _person(wrist=(140, 150))
    out = pixelate_people(original.copy(), tracks)
    hand = _disc(140, 150, 29)
    body = np.zeros((H, W), bool)
    body[20:220, 100:180] = True
    assert (out[hand] == original[hand]).all()
    hidden = body & ~_disc(140, 150, 31)
    assert (out[hidden] != original[hidden]).any(axis=1).mean() > 0.95
    # 14 blocks of 17 px from the grown box's top (y=0, x=92): one block is one colour
    assert (out[52:67, 93:109] == out[52, 93]).all()
    far = np.ones((H, W), bool)
    far[:, 88:192] = False  # box plus its 10 % margin
    assert (out[far] == original[far]).all()


def test_a_face_next_to_the_hand_stays_hidden() -> None:
    original = _texture()
    tracks = _person(wrist=(140, 45), elbow=(140, 85), face=(140, 40))  # hand at the face
    out = pixelate_people(original.copy(), tracks)
    face = _disc(140, 40, 8)
    assert (out[face] != original[face]).any(axis=1).mean() > 0.9


def test_skeletons_are_drawn_and_pose_only_returns_a_new_picture() -> None:
    canvas = np.zeros((H, W, 3), np.uint8)
    tracks = _person(wrist=(140, 150))
    draw_skeletons(canvas, tracks)
    assert canvas[130, 140].any()  # on the forearm (elbow → wrist)
    frame = _texture()
    picture = PrivacyTransform("pose_only").apply(frame, tracks)
    assert picture is not frame and not np.array_equal(picture, frame)
    assert (frame == _texture()).all()  # the analysed frame is never modified


def test_transform_per_mode() -> None:
    frame, tracks = _texture(), _person(wrist=(140, 150))
    assert PrivacyTransform("full").apply(frame, tracks) is frame
    blurred = PrivacyTransform("blurred").apply(frame, tracks)
    assert blurred is not frame and (frame == _texture()).all()
    config = EventConfig()
    assert PrivacyTransform("full").evidence_config(config).blur_faces
    assert PrivacyTransform("blurred").evidence_config(config).blur_faces
    assert not PrivacyTransform("pose_only").evidence_config(config).blur_faces
    assert PrivacyTransform("pose_only").records_poses
    assert not PrivacyTransform("full").records_poses
