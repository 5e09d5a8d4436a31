"""``shopguard train --from MERGED --base VERSION``: fine-tuning starts from the registered
model's weights (its checkpoint, else its ONNX file) and keeps its architecture and
features (a few seconds of training)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")  # export

from shopguard.behavior.model import SequenceModel  # noqa: E402
from shopguard.cli import main  # noqa: E402
from shopguard.training.models import load_checkpoint  # noqa: E402

TINY = ["--epochs", "1", "--hidden", "8", "--window-s", "2", "--threads", "1"]


@pytest.mark.slow
def test_fine_tune_a_registered_version_on_merged_data(tmp_path, capsys):
    config = tmp_path / "shopguard.yaml"
    config.write_text(f"data_dir: {tmp_path / 'var'}\n")
    cfg = ["--config", str(config)]
    merged = tmp_path / "merged"
    assert main(["dataset", "merge", "--out", str(merged), "--synthetic", "24",
                 "--val-fraction", "0.3", "--test-fraction", "0.1"]) == 0
    base = tmp_path / "base"
    assert main(["train", "--train-clips", "12", "--val-clips", "6", *TINY,
                 "--out", str(base)]) == 0
    assert main(["models", "register", str(base / "model.onnx"), "--checkpoint",
                 str(base / "model.pt"), "--metrics", str(base / "metrics.json"), *cfg]) == 0
    assert main(["models", "register", str(base / "model.onnx"), "--version", "bare",
                 *cfg]) == 0
    capsys.readouterr()

    tuned = tmp_path / "tuned"
    assert main(["train", "--from", str(merged), "--base", "v1", "--lr", "1e-9",
                 "--epochs", "1", "--threads", "1", "--out", str(tuned), *cfg]) == 0
    assert "fine-tuning" in capsys.readouterr().out
    summary = json.loads((tuned / "metrics.json").read_text())
    assert summary["base"].endswith("v1.pt") and summary["data"]["source"].startswith("native")
    before, info = load_checkpoint(base / "model.pt")
    after, tuned_info = load_checkpoint(tuned / "model.pt")
    assert (tuned_info["arch"], tuned_info["hidden"]) == (info["arch"], 8)
    assert tuned_info["feature_config"] == info["feature_config"]
    for (name, a), b in zip(before.state_dict().items(), after.state_dict().values(),
                            strict=True):
        assert torch.allclose(a, b, atol=1e-4), name  # started from the base weights

    registered_onnx = tmp_path / "from-onnx"  # registered without a checkpoint
    assert main(["train", "--from", str(merged), "--base", "bare", "--lr", "1e-9",
                 "--epochs", "1", "--threads", "1", "--steady-sides",
                 "--out", str(registered_onnx), *cfg]) == 0
    summary = json.loads((registered_onnx / "metrics.json").read_text())
    assert summary["base"].endswith("bare.onnx")
    steadied = SequenceModel(registered_onnx / "model.onnx").feature_config
    assert steadied.model_dump() == info["feature_config"] | {"steady_sides": True}
    after = load_checkpoint(registered_onnx / "model.pt")[0]
    for (name, a), b in zip(before.state_dict().items(), after.state_dict().values(),
                            strict=True):
        assert torch.allclose(a, b, atol=1e-4), name

    assert main(["train", "--from", str(merged), "--base", "v9", "--out",
                 str(tmp_path / "x"), *cfg]) == 2
    assert "no model version 'v9'" in capsys.readouterr().err
