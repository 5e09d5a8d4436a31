"""``shopguard models`` and ``shopguard evaluate --compare-with`` against a real registry."""

from __future__ import annotations

import json

import pytest
from registry_helpers import DOWN, UP

from shopguard.cli import main
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.models import ModelStatus, ModelVersion
from shopguard.training.datasets import write_clip
from shopguard.training.synth import generate_clips


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "shopguard.yaml"
    path.write_text(f"data_dir: {tmp_path / 'var'}\n")
    return path


@pytest.fixture
def heldout(tmp_path):
    """Synthetic clips dressed as two store cameras (thefts included)."""
    folder = tmp_path / "merged" / "test"
    for i, clip in enumerate(generate_clips(7, 6, theft_fraction=0.5)):
        clip.meta |= {"camera": "door" if i % 2 else "till", "day": "2026-05-01",
                      "source": "review"}
        write_clip(folder / f"{clip.clip_id}.npz", clip)
    return tmp_path / "merged"


def versions(tmp_path):
    sessions = session_factory(init_db(f"sqlite:///{tmp_path / 'var' / 'shopguard.db'}"))
    with sessions() as s:
        return {r.version: r for r in s.query(ModelVersion)}


def test_register_compare_promote_thresholds_rollback(config, heldout, tmp_path, capsys):
    cfg = ["--config", str(config)]
    assert main(["models", "register", str(UP), *cfg]) == 0
    assert main(["models", "promote", "v1", *cfg]) == 0
    assert main(["models", "register", str(DOWN), "--note", "fine-tuned", *cfg]) == 0
    capsys.readouterr()
    assert main(["models", "promote", "v2", *cfg]) == 1
    assert "never compared" in capsys.readouterr().err

    report = tmp_path / "out" / "compare.json"
    assert main(["evaluate", str(heldout), "--split", "test", "--model", "v2",
                 "--compare-with", "active", "--report", str(report),
                 "--plots", str(tmp_path / "out"), *cfg]) == 0
    compared = json.loads(report.read_text())
    assert compared["baseline"] == "v1" and compared["n_clips"] == 6
    assert compared["candidate"]["model"] == "v2" and compared["active"]["model"] == "v1"
    for side in ("candidate", "active"):
        assert {"frame_roc_auc", "frame_pr_auc", "event_recall", "frame_recall_at_threshold",
                "false_alerts_per_hour"} <= set(compared[side])
    assert (tmp_path / "out" / "roc-compare.png").stat().st_size > 1000
    stored = versions(tmp_path)["v2"].metrics["comparison"]
    assert stored["data"] == compared["data"] and stored["worse"] == compared["worse"]

    expected = 1 if compared["worse"] else 0  # the verdict decides, nothing else
    assert main(["models", "promote", "v2", *cfg]) == expected
    if expected:
        assert main(["models", "promote", "v2", "--force-reason", "pilot at the till",
                     *cfg]) == 0
    rows = versions(tmp_path)
    assert rows["v2"].status == ModelStatus.ACTIVE and rows["v1"].status == ModelStatus.RETIRED
    assert rows["v2"].forced_reason == ("pilot at the till" if expected else None)

    assert main(["models", "thresholds", "v2", "--data", str(heldout / "test"),
                 "--max-false-per-hour", "500", "--min-normal-hours", "0", *cfg]) == 0
    thresholds = versions(tmp_path)["v2"].thresholds
    assert set(thresholds["cameras"]) == {"door", "till"}
    assert all(0.0 < t <= 1.0 for t in thresholds["cameras"].values())
    assert thresholds["chosen"]["max_false_per_hour"] == 500
    capsys.readouterr()
    assert main(["models", "list", *cfg]) == 0
    listing = capsys.readouterr().out
    assert "v2" in listing and "active" in listing and "fine-tuned" in listing

    assert main(["models", "rollback", *cfg]) == 0
    assert versions(tmp_path)["v1"].status == ModelStatus.ACTIVE


def test_two_files_compare_without_a_registry(heldout, tmp_path):
    report = tmp_path / "r.json"
    assert main(["evaluate", str(heldout), "--split", "test", "--model", str(UP),
                 "--compare-with", str(DOWN), "--report", str(report)]) == 0
    assert json.loads(report.read_text())["baseline"] == "affine-down.onnx"


def test_errors_name_the_problem(config, tmp_path, capsys):
    assert main(["models", "promote", "v9", "--config", str(config)]) == 2
    assert "no model version 'v9'" in capsys.readouterr().err
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"x")
    assert main(["models", "register", str(bad), "--config", str(config)]) == 2
    assert main(["models", "rollback", "--config", str(config)]) == 2
