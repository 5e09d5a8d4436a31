"""Synthetic clip, split and scene generation."""

from __future__ import annotations

import numpy as np
import pytest

from shopguard.training.sources import TRAIN_THEFT_FRACTION, synthetic_splits
from shopguard.training.synth import (
    generate_clips,
    generate_scene,
    generate_split,
    scene_clips,
    split_seed,
)
from shopguard.training.synth.observe import POSE_SLIP_NOISE


@pytest.fixture(scope="module")
def clips() -> list:
    return generate_clips(11, 12, theft_fraction=0.5)


def test_same_seed_gives_identical_clips_and_other_seeds_differ(clips: list) -> None:
    again = generate_clips(11, 12, theft_fraction=0.5)
    for a, b in zip(clips, again, strict=True):
        assert a.clip_id == b.clip_id
        np.testing.assert_array_equal(a.keypoints, b.keypoints)
        np.testing.assert_array_equal(a.labels, b.labels)
    other = generate_clips(12, 2)
    assert not np.array_equal(other[0].keypoints[:5], clips[0].keypoints[:5])


def test_clips_are_well_formed(clips: list) -> None:
    assert len(clips) == 12
    for c in clips:
        assert len(c) >= 8
        assert np.all(np.diff(c.timestamps) > 0)
        conf = c.keypoints[..., 2]
        assert conf.min() >= 0 and conf.max() <= 1
        assert np.all(c.keypoints[conf == 0][:, :2] == 0)
        assert np.all(c.boxes[:, 2] >= c.boxes[:, 0]) and np.all(c.boxes[:, 3] >= c.boxes[:, 1])
        m = c.meta
        assert m["source"] == "synthetic" and 5 <= m["fps"] <= 30
        w, _h = m["frame_size"]
        vis = c.keypoints[conf > 0]
        assert vis[:, 0].min() > -w * 0.2 and vis[:, 0].max() < w * 1.2
        assert {z["kind"] for z in m["zones"]} <= {"shelf", "checkout", "exit"}
        assert all({"behavior", "t_start", "t_end", "label"} <= set(s) for s in m["segments"])


def test_positive_frames_are_exactly_the_concealment_segments(clips: list) -> None:
    thieves = [c for c in clips if c.meta["role"] == "thief"]
    assert len(thieves) >= 5
    assert sum(int(c.labels.any()) for c in thieves) >= 4
    for c in clips:
        if c.meta["id_switch_t"] is not None:
            continue
        spans = [(s["t_start"], s["t_end"]) for s in c.meta["segments"] if s["label"] == 1]
        inside = np.zeros(len(c), bool)
        for a, b in spans:
            inside |= (c.timestamps >= a - 1e-3) & (c.timestamps <= b + 1e-3)
        np.testing.assert_array_equal(c.labels.astype(bool), inside)
        if c.meta["role"] != "thief":
            assert not c.labels.any()


def test_theft_fraction_controls_the_number_of_thieves() -> None:
    roles = [c.meta["role"] for c in generate_clips(5, 10, theft_fraction=0.0)]
    assert "thief" not in roles
    with pytest.raises(ValueError, match="theft_fraction"):
        generate_clips(5, 2, theft_fraction=1.5)


def test_splits_are_fixed_and_disjoint() -> None:
    train, val = generate_split("train", 2), generate_split("val", 2)
    assert train[0].clip_id != val[0].clip_id
    np.testing.assert_array_equal(train[0].keypoints, generate_split("train", 1)[0].keypoints)
    with pytest.raises(ValueError, match="split"):
        generate_split("dev", 1)  # type: ignore[arg-type]


def test_scene_has_shoppers_zones_and_in_frame_truth() -> None:
    scene = generate_scene(2, duration=20.0, fps=10.0, n_shoppers=4, n_thieves=1)
    assert scene.frame_size == (1280, 720) and len(scene.times) == 200
    assert {z["kind"] for z in scene.zones} == {"shelf", "checkout", "exit"}
    assert [s.role for s in scene.shoppers].count("thief") == 1
    for s in scene.shoppers:
        vis = s.keypoints[s.keypoints[..., 2] > 0]
        assert np.all((vis[:, 0] >= 0) & (vis[:, 0] < 1280) & (vis[:, 1] >= 0) & (vis[:, 1] < 720))
        assert s.joints.shape == (200, 24, 3) and s.held.shape == (200, 2)
        assert not s.labels[~s.present].any()
    assert any(s.present.any() for s in scene.shoppers)
    assert all(len(c) >= 2 for c in scene_clips(scene))


def test_scene_clips_with_noise_are_the_same_tracks_as_a_pose_model_would_see_them() -> None:
    scene = generate_scene(3, duration=20.0, fps=10.0, n_shoppers=4, n_thieves=1)
    exact = scene_clips(scene)
    noisy = scene_clips(scene, noise=POSE_SLIP_NOISE)

    assert [c.clip_id for c in noisy] == [c.clip_id for c in exact]
    for e, n in zip(exact, noisy, strict=True):
        np.testing.assert_array_equal(n.timestamps, e.timestamps)
        np.testing.assert_array_equal(n.labels, e.labels)
        seen = (e.keypoints[..., 2] > 0) & (n.keypoints[..., 2] > 0)
        assert 0.2 < n.keypoints[seen, 2].mean() < 0.95  # confidences, not visibility
        error = np.linalg.norm(n.keypoints[seen, :2] - e.keypoints[seen, :2], axis=-1)
        assert 0 < np.median(error) < 20
        assert not n.keypoints[e.keypoints[..., 2] == 0, 2].any()  # hidden stays hidden
        assert n.meta["noise_profile"] == "pose-slip"
    again = scene_clips(scene, noise=POSE_SLIP_NOISE)
    np.testing.assert_array_equal(again[0].keypoints, noisy[0].keypoints)  # seeded


def test_synthetic_splits_are_the_fixed_splits() -> None:
    """``shopguard train``'s synthetic data (now with a progress bar) is still the train
    seed at 50 % thieves and the fixed validation split."""
    train, val = synthetic_splits(4, 3, progress=False)
    expected = generate_clips(split_seed("train"), 4, theft_fraction=TRAIN_THEFT_FRACTION)
    assert [c.clip_id for c in train] == [c.clip_id for c in expected]
    assert [c.clip_id for c in val] == [c.clip_id for c in generate_split("val", 3)]
    assert np.array_equal(train[0].keypoints, expected[0].keypoints)


def test_cli_writes_the_shoppers_of_unrendered_scenes(tmp_path, capsys) -> None:
    from shopguard.cli import main
    from shopguard.training.datasets import load_dataset

    args = ["synth", "scenes", "--out", str(tmp_path), "--split", "val", "--first-seed", "5",
            "--n", "2", "--duration", "20", "--fps", "5", "--thieves", "1",
            "--noise", "pose-slip"]
    assert main(args) == 0
    clips = load_dataset(tmp_path, "native", split="val")
    assert clips and {c.meta["noise_profile"] for c in clips} == {"pose-slip"}
    assert {c.clip_id.split("-")[1] for c in clips} == {"5", "6"}
    expected = scene_clips(generate_scene(5, duration=20.0, fps=5.0, n_thieves=1),
                           noise=POSE_SLIP_NOISE)
    written = {c.clip_id: c for c in clips}
    for clip in expected:
        np.testing.assert_allclose(written[clip.clip_id].keypoints, clip.keypoints)
    assert f"of 2 scenes to {tmp_path / 'val'}" in capsys.readouterr().out
    assert main([*args[:8], "--n", "0"]) == 2


def test_a_shelf_too_short_to_stand_along_still_gets_shoppers() -> None:
    scene = generate_scene(30101, duration=20.0, fps=5.0, n_thieves=1)  # used to crash
    short = [b for b in scene.store.shelves if b.hi[1] - b.lo[1] < 0.6 and b.name != "shelf_back"]
    assert short and scene.shoppers
