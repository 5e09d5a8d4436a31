"""``shopguard synth data`` writes a readable native dataset."""

from __future__ import annotations

from pathlib import Path

from shopguard.cli import main
from shopguard.training.datasets import load_dataset


def test_synth_data_writes_the_requested_number_of_clips(tmp_path: Path) -> None:
    argv = [
        "synth",
        "data",
        "--out",
        str(tmp_path),
        "--split",
        "val",
        "--n",
        "3",
        "--theft-fraction",
        "1",
    ]
    assert main(argv) == 0
    clips = load_dataset(tmp_path, "native", split="val")
    assert len(clips) == 3
    assert all(c.meta["role"] == "thief" for c in clips)


def test_synth_data_rejects_bad_arguments(tmp_path: Path) -> None:
    assert main(["synth", "data", "--out", str(tmp_path), "--n", "0"]) == 2
    assert not (tmp_path / "train").exists()
