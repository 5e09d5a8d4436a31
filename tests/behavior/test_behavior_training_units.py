"""Training building blocks: window labelling, calibration, architectures, checkpoints,
the auxiliary behaviour head."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
import torch
from pose_factory import place, pose

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.training.clip import PoseClip
from shopguard.training.export import export_onnx
from shopguard.training.models import ARCHS, build_model, load_checkpoint, save_checkpoint
from shopguard.training.synth.behaviors import BEHAVIORS
from shopguard.training.train import (
    TrainConfig,
    WindowSet,
    build_windows,
    fit_temperature,
    predict_logits,
    train_model,
)

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


def test_windows_are_kept_in_half_precision_close_to_the_features():
    from shopguard.behavior.features import extract_windows

    clip = still_clip()
    data = build_windows([clip], CFG, stride_s=1.0, min_history_s=1.0)
    exact = extract_windows(clip.timestamps, clip.keypoints, np.arange(1.0, 10.0), CFG)
    assert data.x.dtype == np.float16
    np.testing.assert_allclose(data.x.astype(np.float32), exact.features[exact.valid],
                               rtol=1e-3, atol=1e-3)


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


def test_windows_carry_the_behaviour_they_end_in():
    clip = still_clip()
    clip.meta["segments"] = [
        {"behavior": "browse", "t_start": 0.0, "t_end": 5.5, "label": 0},
        {"behavior": "conceal_sleeve", "t_start": 6.0, "t_end": 7.0, "label": 1},
        {"behavior": "not_in_the_vocabulary", "t_start": 8.0, "t_end": 9.9, "label": 0},
    ]
    data = build_windows([clip], CFG, stride_s=1.0)  # ends at 1, 2, ..., 9 s
    browse, sleeve = BEHAVIORS.index("browse"), BEHAVIORS.index("conceal_sleeve")
    assert data.behavior.tolist() == [browse] * 5 + [sleeve, sleeve, -1, -1]
    assert (build_windows([still_clip()], CFG, stride_s=1.0).behavior == -1).all()


def test_the_behaviour_vocabulary_covers_every_generated_segment():
    from shopguard.training.synth import iter_clips, split_seed

    names = {s["behavior"] for c in iter_clips(split_seed("val"), 60, theft_fraction=0.5)
             for s in c.meta["segments"]}
    assert names <= set(BEHAVIORS), names - set(BEHAVIORS)
    assert len(BEHAVIORS) == len(set(BEHAVIORS))


@pytest.mark.parametrize("arch", ARCHS)
def test_the_auxiliary_head_is_trained_but_not_exported(arch, tmp_path):
    model = build_model(arch, NUM_FEATURES, hidden=8, aux_classes=5).eval()
    x = torch.randn(3, 20, NUM_FEATURES)
    logit, aux = model.forward_aux(x)
    assert logit.shape == (3,) and aux is not None and aux.shape == (3, 5)
    torch.testing.assert_close(model(x), logit)
    assert build_model(arch, NUM_FEATURES, hidden=8).forward_aux(x)[1] is None
    path = export_onnx(model, tmp_path / "m.onnx", CFG, arch=arch, temperature=1.0)
    from shopguard.behavior.model import SequenceModel

    served = SequenceModel(path).predict(x.numpy())
    np.testing.assert_allclose(served, torch.sigmoid(logit).detach().numpy(), atol=1e-5)


def _separable_windows(n: int, seed: int) -> WindowSet:
    """Windows whose label and behaviour (one of three, or unknown) show in feature 0."""
    rng = np.random.default_rng(seed)
    behavior = rng.integers(-1, 3, n)
    x = rng.normal(0, 1, (n, 4, NUM_FEATURES)).astype(np.float32)
    x[:, :, 0] += 4.0 * behavior[:, None]
    y = (behavior == 2).astype(np.float32)
    return WindowSet(x, y, np.zeros(n, np.int64), np.ones(n, np.float32), behavior)


def test_training_with_an_auxiliary_weight_learns_the_behaviours(tmp_path):
    train, val = _separable_windows(600, 0), _separable_windows(300, 1)
    cfg = TrainConfig(hidden=8, epochs=15, batch_size=64, lr=1e-2, threads=1, aux_weight=0.5)
    result = train_model(train, val, cfg, progress=False)
    assert result.model.aux is not None and result.model.aux.out_features == len(BEHAVIORS)
    with torch.no_grad():
        _, aux = result.model.forward_aux(torch.from_numpy(val.x))
    known = val.behavior >= 0
    assert aux is not None
    accuracy = (aux.argmax(1).numpy()[known] == val.behavior[known]).mean()
    assert accuracy > 0.9  # chance is 1/3
    assert result.val_pr_auc > 0.9
    plain = train_model(train, val, TrainConfig(hidden=8, epochs=1, threads=1), progress=False)
    assert plain.model.aux is None

    info = {"arch": "lstm", "hidden": 8, "aux_classes": len(BEHAVIORS),
            "feature_config": CFG.model_dump()}
    loaded, _ = load_checkpoint(save_checkpoint(tmp_path / "aux.pt", result.model, info))
    np.testing.assert_allclose(predict_logits(loaded, val.x), predict_logits(result.model, val.x))


def test_a_negative_auxiliary_weight_is_refused():
    with pytest.raises(ValueError, match="aux_weight"):
        TrainConfig(aux_weight=-0.1)
