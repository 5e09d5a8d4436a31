"""Left/right consistency of a track (``shopguard.behavior.sides``), in the scorer and
in training."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")  # writes the test model
from pose_factory import (
    RIGHT_AT_WAISTBAND,
    RIGHT_REACHING,
    RecordingModel,
    box_of,
    mean_model,
    place,
    pose,
)

from shopguard.behavior.config import FeatureConfig, ScorerConfig
from shopguard.behavior.model import SequenceModel
from shopguard.behavior.scorer import Scorer
from shopguard.behavior.sides import SideKeeper, steady_sides
from shopguard.core import Poses, Tracks
from shopguard.keypoints import FLIP_INDEX
from shopguard.training.clip import PoseClip
from shopguard.training.train import build_windows

SWAP = np.array(FLIP_INDEX)
CFG = FeatureConfig(window_s=2.0, rate_hz=5.0, steady_sides=True)


def _walk(rng: np.random.Generator, frames: int = 60, fps: float = 5.0):
    """A shopper walking right, reaching and hiding something, with pixel noise."""
    t = np.arange(frames) / fps
    arms = [None, RIGHT_REACHING, RIGHT_AT_WAISTBAND]
    kps = np.stack([place(pose(arms[(i // 12) % 3]), cx=200 + 6 * i) for i in range(frames)])
    kps[..., :2] += rng.normal(0, 2.0, kps[..., :2].shape)
    kps[rng.random(kps.shape[:2]) < 0.1, 2] = 0.1  # unconfident joints
    return t, kps.astype(np.float32)


def _mirror(rng: np.random.Generator, kps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frames with their labels mirrored in short episodes (never the first frames)."""
    mirrored = np.zeros(len(kps), bool)
    for start in rng.choice(np.arange(3, len(kps) - 3), 8, replace=False):
        mirrored[start : start + int(rng.integers(1, 4))] ^= True
    out = kps.copy()
    out[mirrored] = kps[mirrored][:, SWAP]
    return out, mirrored


def test_mirrored_frames_are_swapped_back() -> None:
    rng = np.random.default_rng(1)
    t, kps = _walk(rng)
    flickering, mirrored = _mirror(rng, kps)
    assert mirrored.sum() >= 8

    np.testing.assert_array_equal(steady_sides(t, flickering), kps)


def test_a_consistent_track_is_left_alone() -> None:
    rng = np.random.default_rng(2)
    t, kps = _walk(rng)
    keeper = SideKeeper()
    out = np.stack([keeper.update(float(ti), k) for ti, k in zip(t, kps, strict=True)])
    np.testing.assert_array_equal(out, kps)
    assert keeper.swaps == 0
    # A track that is mirrored from its first frame stays mirrored (a person facing the
    # other way): the keeper only keeps the sides steady.
    np.testing.assert_array_equal(steady_sides(t, kps[:, SWAP]), kps[:, SWAP])


def test_too_few_joints_decide_nothing() -> None:
    rng = np.random.default_rng(3)
    t, kps = _walk(rng, frames=20)
    kps[:, 7:, 2] = 0.0  # only the shoulders (and the face) are seen
    flickering, _ = _mirror(rng, kps)
    np.testing.assert_array_equal(steady_sides(t, flickering), flickering)
    assert steady_sides(t[:0], kps[:0]).shape == (0, 17, 3)


def _scored_windows(model: SequenceModel, t: np.ndarray, kps: np.ndarray) -> tuple:
    recording = RecordingModel(model)
    scorer = Scorer(recording, [], ScorerConfig(stride_s=0.4, min_history_s=1.0))
    for ti, k in zip(t, kps, strict=True):
        poses = Poses(box_of(k)[None], np.ones(1, np.float32), k[None])
        scorer.update(Tracks(poses, np.array([4])), float(ti))
    return np.concatenate(recording.batches), scorer.stats["side_swaps"]


@pytest.mark.parametrize("steady", [True, False])
def test_scorer_and_training_see_the_steadied_track(tmp_path, steady: bool) -> None:
    rng = np.random.default_rng(4)
    t, kps = _walk(rng)
    flickering, mirrored = _mirror(rng, kps)
    cfg = CFG.model_copy(update={"steady_sides": steady})
    model = SequenceModel(mean_model(tmp_path / "m.onnx", cfg))

    clean, _ = _scored_windows(model, t, kps)
    seen, swaps = _scored_windows(model, t, flickering)

    expected = (True, mirrored.sum()) if steady else (False, 0)
    assert (np.array_equal(seen, clean), swaps) == expected
    labels = np.zeros(len(t), np.uint8)
    windows = [build_windows([PoseClip(k, np.zeros((len(t), 4), np.float32), t, labels, {})],
                             cfg, stride_s=0.4).x for k in (kps, flickering)]
    assert np.array_equal(*windows) == steady
