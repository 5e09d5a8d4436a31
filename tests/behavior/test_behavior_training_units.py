"""Training building blocks: window labelling, calibration, architectures, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
import torch
from pose_factory import place, pose

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.training.clip import PoseClip
from shopguard.training.models import ARCHS, build_model, load_checkpoint, save_checkpoint
from shopguard.training.train import build_windows, fit_temperature

CFG = FeatureConfig(rate_hz=10, window_s=2.0)


def still_clip(seconds: float = 10.0, fps: float = 10.0, theft=(6.0, 7.0)) -> PoseClip:
    t = np.arange(0, seconds, 1 / fps)
    kps = np.stack([place(pose())] * len(t))
    boxes = np.tile(np.array([[200, 50, 440, 440]], np.float32), (len(t), 1))
    labels = ((t >= theft[0]) & (t <= theft[1])).astype(np.uint8)
    return PoseClip(kps, boxes, t, labels, {"clip_id": "still"})


def test_windows_take_the_label_of_their_last_frame():
    data = build_windows([still_clip()], CFG, stride_s=1.0, min_history_s=1.0)
    assert data.x.shape == (9, 20, NUM_FEATURES)  # ends at 1, 2, ..., 9 s
    assert data.y.tolist() == [0, 0, 0, 0, 0, 1, 1, 0, 0]
    assert (data.clip == 0).all()


def test_dense_windows_add_examples_around_thefts_only():
    sparse = build_windows([still_clip()], CFG, stride_s=1.0)
    dense = build_windows([still_clip()], CFG, stride_s=1.0, dense_s=0.1)
    assert len(dense) == len(sparse) + 30 - 3  # every frame in 5–8 s, minus shared ends
    assert dense.y.sum() == 11


def test_ambiguous_windows_around_a_theft_get_weight_zero():
    data = build_windows([still_clip()], CFG, stride_s=0.5, onset_s=0.3, after_s=2.0)
    ends = np.arange(1.0, 10.0, 0.5)  # theft 6.0-7.0 s
    assert data.y.tolist() == ((ends >= 6.0) & (ends <= 7.0)).tolist()
    ambiguous = (ends == 6.0) | ((ends > 7.0) & (ends <= 9.0))
    assert data.w.tolist() == (~ambiguous).tolist()
    assert build_windows([still_clip()], CFG, stride_s=0.5).w.all()


def test_temperature_recovers_overconfident_logits():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 4, 50_000)
    y = rng.random(len(z)) < 1 / (1 + np.exp(-z / 2.0))
    assert fit_temperature(z, y) == pytest.approx(2.0, rel=0.1)


@pytest.mark.parametrize("arch", ARCHS)
def test_architectures_map_windows_to_one_logit(arch):
    model = build_model(arch, NUM_FEATURES, hidden=8)
    assert model(torch.zeros(3, 20, NUM_FEATURES)).shape == (3,)


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="transformer"):
        build_model("transformer", NUM_FEATURES)  # type: ignore[arg-type]


def test_checkpoint_round_trip(tmp_path):
    model = build_model("gru", NUM_FEATURES, hidden=8)
    info = {"arch": "gru", "hidden": 8, "feature_config": CFG.model_dump(), "temperature": 1.5}
    path = save_checkpoint(tmp_path / "m.pt", model, info)
    loaded, got = load_checkpoint(path)
    x = torch.randn(2, 20, NUM_FEATURES)
    torch.testing.assert_close(loaded(x), model.eval()(x))
    assert got["temperature"] == 1.5
    with pytest.raises(ValueError, match="feature_config"):
        save_checkpoint(tmp_path / "x.pt", model, {"arch": "gru", "hidden": 8})
