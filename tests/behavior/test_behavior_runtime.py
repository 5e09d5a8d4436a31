"""ONNX runtime of the behaviour model: loading, validation and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")  # writes the test models
from pose_factory import mean_model

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import ModelLoadError, SequenceModel

CFG = FeatureConfig(rate_hz=10, window_s=2.0)


def test_loads_metadata_and_predicts(tmp_path):
    model = SequenceModel(mean_model(tmp_path / "m.onnx", CFG))
    assert model.feature_config == CFG and model.steps == 20
    assert model.threshold == 0.55
    assert model.version.startswith("mean-test 7 sha256:")
    x = np.zeros((3, 20, NUM_FEATURES), np.float32)
    x[1] = 1.0
    np.testing.assert_allclose(model.predict(x), [0.5, 1 / (1 + np.exp(-1)), 0.5], rtol=1e-6)
    assert model.predict(np.zeros((0, 20, NUM_FEATURES))).shape == (0,)


def test_predict_rejects_wrong_window_shape(tmp_path):
    model = SequenceModel(mean_model(tmp_path / "m.onnx", CFG))
    with pytest.raises(ValueError, match=r"\(n, 20, 104\)"):
        model.predict(np.zeros((2, 30, NUM_FEATURES), np.float32))


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ModelLoadError, match=r"nope\.onnx: no such file"):
        SequenceModel(tmp_path / "nope.onnx")


@pytest.mark.parametrize("content", [b"", b"not a model at all\n", "truncated"])
def test_broken_files_name_the_file_and_the_expected_shape(tmp_path, content):
    path = tmp_path / "bad.onnx"
    if content == "truncated":
        good = mean_model(tmp_path / "good.onnx", CFG).read_bytes()
        content = good[: len(good) // 2]
    path.write_bytes(content)
    with pytest.raises(ModelLoadError) as err:
        SequenceModel(path)
    assert str(path) in str(err.value)
    assert f"(batch, steps, {NUM_FEATURES})" in str(err.value)


def test_window_length_that_disagrees_with_feature_config_is_refused(tmp_path):
    path = mean_model(tmp_path / "m.onnx", CFG, steps=30)  # says 2 s at 10 Hz, graph takes 30
    with pytest.raises(ModelLoadError, match=r"expected input \(batch, 20, 104\)") as err:
        SequenceModel(path)
    assert str(path) in str(err.value)
