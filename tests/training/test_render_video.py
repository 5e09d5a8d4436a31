"""Synthetic video renderer: figures, occlusion by shelves, MP4 + ground truth output."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from shopguard.cli import main
from shopguard.keypoints import KP
from shopguard.training.render import SceneRenderer, render_scene_video
from shopguard.training.render.figure import draw_person
from shopguard.training.synth import generate_scene
from shopguard.training.synth.scene import Scene


@pytest.fixture(scope="module")
def scene() -> Scene:
    return generate_scene(1, duration=30.0, fps=2.0, frame_size=(640, 360), n_shoppers=4)


def _busy_frame(scene: Scene) -> int:
    counts = [sum(bool(s.present[i]) for s in scene.shoppers) for i in range(len(scene.times))]
    return int(np.argmax(counts))


def test_figure_covers_its_skeleton_at_the_right_depth(scene: Scene) -> None:
    fi = _busy_frame(scene)
    shopper = next(s for s in scene.shoppers if s.present[fi])
    layer = draw_person(scene.camera, shopper, fi)
    assert layer is not None
    ys, xs = np.nonzero(layer.mask)
    uv, z = scene.camera.project(shopper.joints[fi, [KP.NOSE, KP.LEFT_HIP, KP.RIGHT_ANKLE]])
    for u, v in uv:
        if 0 <= u < 640 and 0 <= v < 360:
            assert xs.min() + layer.x0 - 3 <= u <= xs.max() + layer.x0 + 3
            assert ys.min() + layer.y0 - 3 <= v <= ys.max() + layer.y0 + 3
    depth = layer.depth[layer.mask]
    assert z.min() - 0.4 < np.median(depth) < z.max() + 0.4


def test_ground_truth_boxes_hold_the_drawn_people(scene: Scene) -> None:
    renderer = SceneRenderer(scene)
    fi = _busy_frame(scene)
    frame = renderer.frame(fi)
    assert frame.image.shape == (360, 640, 3) and frame.people
    empty = renderer.background.image.astype(int)
    for p in frame.people:
        x0, y0, x1, y1 = p["box"]
        assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 360
        assert 0 < p["visible_fraction"] <= 1
        changed = np.abs(frame.image[y0:y1, x0:x1].astype(int) - empty[y0:y1, x0:x1]).sum(-1) > 60
        assert changed.mean() > 0.15  # the box is not just background


def test_shelves_hide_people_behind_them(scene: Scene) -> None:
    shelf_depth = SceneRenderer(scene).background.depth
    hidden = 0
    for s in scene.shoppers:
        for fi in np.nonzero(s.present)[0]:
            vis = s.keypoints[fi, :, 2] == 0
            uv, z = scene.camera.project(s.joints[fi, :17])
            inside = (uv[:, 0] >= 0) & (uv[:, 0] < 640) & (uv[:, 1] >= 0) & (uv[:, 1] < 360)
            for k in np.nonzero(vis & inside & (z > 0))[0]:
                u, v = uv[k].astype(int)
                around = shelf_depth[max(v - 2, 0) : v + 3, max(u - 2, 0) : u + 3]
                assert around.min() < z[k]  # something in front (2 px slack at edges)
                hidden += 1
    assert hidden > 0


def test_video_and_ground_truth_files(tmp_path: Path) -> None:
    assert (
        main(
            [
                "synth",
                "video",
                "--out",
                str(tmp_path),
                "--seed",
                "2",
                "--duration",
                "3",
                "--fps",
                "4",
                "--shoppers",
                "3",
            ]
        )
        == 0
    )
    video = tmp_path / "synth_2.mp4"
    with av.open(str(video)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    assert len(frames) == 12 and frames[0].shape == (720, 1280, 3)
    gt = json.loads(video.with_suffix(".json").read_text())
    assert gt["simulated"] is True and gt["fps"] == 4 and len(gt["frames"]) == 12
    assert {z["kind"] for z in gt["zones"]} == {"shelf", "checkout", "exit"}
    assert len(gt["shoppers"]) == 3


def test_render_scene_video_returns_the_path(tmp_path: Path) -> None:
    short = generate_scene(3, duration=1.0, fps=2.0, frame_size=(320, 180), n_shoppers=1)
    out = render_scene_video(short, tmp_path / "x" / "clip.mp4", progress=False)
    assert out == tmp_path / "x" / "clip.mp4" and out.stat().st_size > 0
