"""Tiny end to end: synthetic clips → train → export → ONNX runtime → evaluate (seconds)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnx")

from shopguard.behavior.model import SequenceModel
from shopguard.cli import main
from shopguard.training.datasets import write_clip
from shopguard.training.synth import generate_clips

REPORT_KEYS = (
    "frame_roc_auc",
    "frame_pr_auc",
    "eer",
    "recall_at_fpr_1",
    "recall_at_fpr_5",
    "event_recall",
    "false_alerts_per_hour",
    "n_frames",
    "n_events",
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    argv = ["train", "--train-clips", "16", "--val-clips", "8", "--epochs", "1"]
    argv += ["--arch", "lstm", "tcn", "--window-s", "2", "--hidden", "8", "--out", str(out)]
    assert main(argv) == 0
    return out


def test_train_writes_model_curves_and_metrics(trained):
    for name in ("model.onnx", "model.pt", "lstm-curve.png", "tcn-curve.png", "metrics.json"):
        assert (trained / name).stat().st_size > 0, name
    summary = json.loads((trained / "metrics.json").read_text())
    assert {r["arch"] for r in summary["comparison"]} == {"lstm", "tcn"}
    assert summary["best_arch"] in ("lstm", "tcn")
    assert summary["data"]["train"]["clips"] == 16
    model = SequenceModel(trained / "model.onnx")
    assert model.feature_config.window_s == 2.0 and model.steps == 20
    assert model.threshold == pytest.approx(summary["threshold"], abs=1e-3)
    p = model.predict(np.zeros((5, 20, 104), np.float32))
    assert p.shape == (5,) and np.all((p >= 0) & (p <= 1))


def test_export_reproduces_the_trained_model(trained, tmp_path):
    out = tmp_path / "again.onnx"
    assert main(["export", str(trained / "model.pt"), "--out", str(out)]) == 0
    a, b = SequenceModel(trained / "model.onnx"), SequenceModel(out)
    x = np.random.default_rng(0).normal(size=(7, a.steps, 104)).astype(np.float32)
    np.testing.assert_allclose(a.predict(x), b.predict(x), atol=1e-6)
    assert a.threshold == b.threshold and a.feature_config == b.feature_config


def test_export_refuses_a_file_that_is_not_a_checkpoint(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_text("nope")
    assert main(["export", str(bad), "--out", str(tmp_path / "x.onnx")]) == 2
    assert "bad.pt" in capsys.readouterr().err


def test_evaluate_writes_the_report(trained, tmp_path):
    data = tmp_path / "data"
    for clip in generate_clips(seed=99, n=6, theft_fraction=0.5):
        write_clip(data / f"{clip.clip_id}.npz", clip)
    report_path = tmp_path / "report.json"
    argv = ["evaluate", str(data), "--format", "native", "--report", str(report_path)]
    argv += ["--model", str(trained / "model.onnx"), "--plots", str(tmp_path / "plots")]
    assert main(argv) == 0
    report = json.loads(report_path.read_text())
    for key in REPORT_KEYS:
        assert isinstance(report[key], int | float), key
    assert report["n_events"] >= 3 and report["n_frames"] > 100
    assert 0.0 <= report["frame_roc_auc"] <= 1.0
    assert (tmp_path / "plots" / "frame-score-roc.png").stat().st_size > 0
    by = report["by_behavior"]  # the native files keep what each clip shows
    assert sum(row["n_events"] for row in by.values()) == report["n_events"]
    assert all(b.startswith("theft:") for b, row in by.items() if row["n_events"])
    thefts = report["segment_peaks"]["thefts"]  # and the behaviour segments in them
    assert sum(row["n"] for row in thefts.values()) == report["n_events"]
    assert all(b.startswith("conceal_") for b in thefts)
    assert "walk" in report["segment_peaks"]["normal_clips"]


def test_evaluate_names_a_bad_model(tmp_path, capsys):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x00" * 64)
    argv = ["evaluate", str(tmp_path), "--report", str(tmp_path / "r.json"), "--model", str(bad)]
    assert main(argv) == 2
    assert "broken.onnx" in capsys.readouterr().err


def test_evaluate_chooses_the_threshold_and_stores_it_in_the_model(trained, tmp_path):
    data = tmp_path / "data"
    for clip in generate_clips(seed=98, n=6, theft_fraction=0.5):
        write_clip(data / f"{clip.clip_id}.npz", clip)
    model_path = tmp_path / "model.onnx"
    shutil.copyfile(trained / "model.onnx", model_path)
    report_path = tmp_path / "report.json"
    argv = ["evaluate", str(data), "--model", str(model_path), "--report", str(report_path),
            "--choose-threshold", "--max-false-per-hour", "1000", "--save-threshold"]
    assert main(argv) == 0
    report = json.loads(report_path.read_text())
    sweep = report["threshold_sweep"]
    best = max(row["event_recall"] for row in sweep)
    chosen = max(row["threshold"] for row in sweep if row["event_recall"] == best)
    assert report["threshold"] == pytest.approx(chosen) and report["event_recall"] == best
    assert SequenceModel(model_path).threshold == pytest.approx(chosen, abs=1e-3)
    original = SequenceModel(trained / "model.onnx").threshold
    assert original == pytest.approx(json.loads((trained / "metrics.json").read_text())[
        "threshold"], abs=1e-3)  # the copy was changed, not the trained model


@pytest.mark.parametrize("extra", [["--save-threshold"], ["--choose-threshold", "--threshold",
                                   "0.5"], ["--choose-threshold", "--save-threshold"]])
def test_evaluate_refuses_contradictory_threshold_options(extra, tmp_path, capsys):
    argv = ["evaluate", str(tmp_path), "--report", str(tmp_path / "r.json"), *extra]
    assert main(argv) == 2
    assert "threshold" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
