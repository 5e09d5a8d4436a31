"""Body model, camera and store geometry of the synthetic shopper generator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from shopguard.keypoints import KP
from shopguard.training.synth import behaviors as bh
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.kinematics import timeline_joints
from shopguard.training.synth.motion import Timeline
from shopguard.training.synth.scene import Store
from shopguard.training.synth.skeleton import HEAD_TOP, Body


def _actor(seed: int = 0) -> bh.Actor:
    rng = np.random.default_rng(seed)
    return bh.Actor(Body.sample(rng, height=1.75), rng, "right", 1.0, 1.2)


def test_standing_body_is_upright_and_has_the_requested_height() -> None:
    a = _actor()
    tl = Timeline()
    tl.place(0.0, 0.0, 0.0)
    tl.wait(2.0)
    j = timeline_joints(a.body, tl, np.linspace(0, 2, 20), a.rng)
    z = j[..., 2].mean(0)
    assert z[HEAD_TOP] == pytest.approx(1.75, abs=0.06)
    order = [KP.NOSE, KP.LEFT_SHOULDER, KP.LEFT_ELBOW, KP.LEFT_HIP, KP.LEFT_KNEE, KP.LEFT_ANKLE]
    assert np.all(np.diff(z[order]) < 0)
    # Facing +x: the right shoulder is on the -y side.
    assert j[:, KP.RIGHT_SHOULDER, 1].mean() < j[:, KP.LEFT_SHOULDER, 1].mean()


def test_walking_moves_at_the_requested_speed_and_swings_the_legs() -> None:
    a = _actor(1)
    tl = Timeline()
    tl.place(0.0, 0.0, 0.0)
    tl.walk([(6.0, 0.0)], 1.2)
    t = np.linspace(1.0, 4.0, 90)
    j = timeline_joints(a.body, tl, t, a.rng)
    speed = (j[-1, KP.LEFT_HIP, 0] - j[0, KP.LEFT_HIP, 0]) / 3.0
    assert speed == pytest.approx(1.2, rel=0.1)
    stride = j[:, KP.LEFT_ANKLE, 0] - j[:, KP.RIGHT_ANKLE, 0]
    assert stride.max() > 0.3 and stride.min() < -0.3


def test_front_pocket_concealment_puts_the_wrist_at_the_hip_and_labels_the_span() -> None:
    a = _actor(2)
    tl = Timeline()
    tl.place(0.0, 0.0, 0.0)
    stop = bh.Stop(0.0, 0.0, 0.0, 0.5, 1.8, "shelf_1")
    bh.pick_item(tl, a, stop, "right")
    bh.conceal(tl, a, "front_pocket", "right")
    ((start, end),) = tl.labels
    seg = next(s for s in tl.segments if s["label"] == 1)
    assert (seg["behavior"], seg["t_start"], seg["t_end"]) == ("conceal_front_pocket", start, end)
    j = timeline_joints(a.body, tl, np.array([start - 0.05, end - 0.05]), a.rng)
    to_hip = np.linalg.norm(j[:, KP.RIGHT_WRIST] - j[:, KP.RIGHT_HIP], axis=-1)
    assert to_hip[0] > 0.25  # still holding the item up to inspect it
    assert to_hip[1] < 0.15  # at the pocket when the hand starts to leave
    item_end = tl.items["right"][-1][1]
    assert start < item_end < end


def test_camera_projects_the_aim_point_to_the_image_centre() -> None:
    cam = Camera.look_at((0.0, 0.0, 3.0), (5.0, 0.0, 1.0), 90.0, 1280, 720)
    uv, z = cam.project(np.array([[5.0, 0.0, 1.0], [5.0, -1.0, 1.0], [-5.0, 0.0, 1.0]]))
    assert uv[0] == pytest.approx([640, 360], abs=1e-6)
    assert uv[1, 0] > 640  # -y is to the camera's right when it looks along +x
    assert z[2] < 0  # behind the camera


def test_shelf_hides_what_is_behind_it_but_not_what_is_in_front() -> None:
    store = Store.sample(np.random.default_rng(3))
    shelf = store.shelves[-1]
    cx, cy = (shelf.lo[0] + shelf.hi[0]) / 2, (shelf.lo[1] + shelf.hi[1]) / 2
    cam = Camera.look_at((shelf.lo[0] - 1.2, cy, 2.5), (cx, cy, 0.5), 90.0, 640, 480)
    behind = np.array([shelf.hi[0] + 0.5, cy, 0.3])
    front = np.array([shelf.lo[0] - 0.5, cy, 0.3])
    above = np.array([shelf.hi[0] + 0.5, cy, shelf.hi[2] + 1.0])
    assert store.occluded(cam, np.stack([behind, front, above])).tolist() == [True, False, False]


def test_routes_stay_off_the_shelves() -> None:
    rng = np.random.default_rng(4)
    store = Store.sample(rng)
    for stop in store.stops(rng, 10):
        path = [(store.door_x, 0.8), *store.route((store.door_x, 0.8), (stop.x, stop.y))]
        pts = np.concatenate([np.linspace(p, q, 30) for p, q in itertools.pairwise(path)])
        for box in store.shelves:
            inside = (
                (pts[:, 0] > box.lo[0])
                & (pts[:, 0] < box.hi[0])
                & (pts[:, 1] > box.lo[1])
                & (pts[:, 1] < box.hi[1])
            )
            assert not inside.any(), (box.name, stop)
