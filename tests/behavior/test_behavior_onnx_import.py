"""Rebuilding a trainable model from an exported ONNX file (fine-tuning the shipped model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from shopguard.behavior.config import FeatureConfig  # noqa: E402
from shopguard.behavior.features import NUM_FEATURES  # noqa: E402
from shopguard.behavior.model import SequenceModel  # noqa: E402
from shopguard.paths import models_dir, pose_model_path  # noqa: E402
from shopguard.training.export import export_onnx  # noqa: E402
from shopguard.training.models import build_model  # noqa: E402
from shopguard.training.onnx_import import load_base_model, load_onnx_model  # noqa: E402

FEATURES = FeatureConfig(window_s=2.0, rate_hz=5.0)


@pytest.mark.parametrize("arch", ["lstm", "gru", "tcn"])
def test_exported_weights_come_back_exactly(tmp_path: Path, arch: str) -> None:
    torch.manual_seed(3)
    model = build_model(arch, NUM_FEATURES, hidden=12)  # type: ignore[arg-type]
    path = export_onnx(model, tmp_path / "m.onnx", FEATURES, arch=arch, temperature=1.7)

    rebuilt, info = load_onnx_model(path)

    assert (info["arch"], info["hidden"], info["num_features"]) == (arch, 12, NUM_FEATURES)
    assert info["feature_config"] == FEATURES.model_dump()
    assert info["temperature"] == pytest.approx(1.7)
    original = model.state_dict()
    for name, value in rebuilt.state_dict().items():
        assert torch.equal(value, original[name]), name  # gate order and transposes undone


def test_shipped_model_rebuilds_and_scores_as_served() -> None:
    path = models_dir() / "behavior-lstm.onnx"
    model, info = load_base_model(path)
    x = np.random.default_rng(1).normal(size=(3, 40, NUM_FEATURES)).astype(np.float32)
    with torch.no_grad():
        probs = torch.sigmoid(model(torch.from_numpy(x)) / info["temperature"]).numpy()
    np.testing.assert_allclose(probs, SequenceModel(path).predict(x), atol=1e-5)
    assert info["feature_config"]["head_fallback"] is True


def test_files_that_are_not_behaviour_models_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00not a protobuf\xff" * 10)
    with pytest.raises(ValueError, match="not an ONNX model"):
        load_onnx_model(garbage)
    with pytest.raises(ValueError, match="not a ShopGuard behaviour model"):
        load_onnx_model(pose_model_path())
    with pytest.raises(ValueError, match="not a ShopGuard behaviour checkpoint"):
        load_base_model(tmp_path / "missing.pt")
