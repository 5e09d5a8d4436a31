"""Merging datasets: splits by camera and day never share a group; the balance report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shopguard.cli import main
from shopguard.training.clip import PoseClip
from shopguard.training.datasets import read_native_dir, write_clip
from shopguard.training.merge import (
    SplitConfig,
    balance_report,
    group_of,
    merge,
    split_clips,
)


def clip(clip_id: str, positive: bool = False, n: int = 10, **meta) -> PoseClip:
    labels = np.zeros(n, np.uint8)
    if positive:
        labels[n // 2:] = 1
    return PoseClip(np.zeros((n, 17, 3), np.float32), np.zeros((n, 4), np.float32),
                    np.arange(n, dtype=np.float64), labels, {"clip_id": clip_id, **meta})


def store_clips() -> list[PoseClip]:
    out = []
    for cam in ("door", "aisle", "till"):
        for day in range(12):
            for k in range(3):
                out.append(clip(f"review-{cam}-{day}-{k}", positive=k == 0, source="review",
                                camera=cam, day=f"2026-05-{day + 1:02d}"))
    return out


def test_a_camera_day_never_straddles_two_splits():
    splits = split_clips(store_clips(), SplitConfig(0.2, 0.2))
    where: dict[str, set[str]] = {}
    for name, clips in splits.items():
        for c in clips:
            where.setdefault(group_of(c), set()).add(name)
    assert all(len(names) == 1 for names in where.values())
    assert len(where) == 36 and all(splits[name] for name in ("train", "val", "test"))


def test_held_out_cameras_and_test_marked_clips_go_to_test():
    clips = [*store_clips(), clip("v1-3", source="poselift", video="v1", split="test"),
             clip("syn-0-00001a", source="synthetic"), clip("syn-0-00001b", source="synthetic")]
    cfg = SplitConfig(0.15, 0.15, test_cameras=frozenset({"till"}))
    splits = split_clips(clips, cfg)
    test_ids = {c.clip_id for c in splits["test"]}
    assert {f"review-till-{d}-{k}" for d in range(12) for k in range(3)} <= test_ids
    assert "v1-3" in test_ids
    a, b = (next(n for n, cs in splits.items() if any(c.clip_id == i for c in cs))
            for i in ("syn-0-00001a", "syn-0-00001b"))
    assert a == b  # one visit cut in two stays together


def test_the_split_of_a_group_is_stable_when_data_grows():
    first = split_clips(store_clips()[:30], SplitConfig())
    grown = split_clips(store_clips(), SplitConfig())
    before = {c.clip_id: n for n, cs in first.items() for c in cs}
    after = {c.clip_id: n for n, cs in grown.items() for c in cs}
    assert all(after[i] == n for i, n in before.items())


def test_balance_counts_clips_frames_and_positives():
    splits = {"train": [clip("a", True, source="review", camera="door", day="d1"),
                        clip("b", False, source="synthetic")], "val": [], "test": []}
    report = balance_report(splits)
    train = report["train"]
    assert (train["clips"], train["positive_clips"], train["frames"],
            train["positive_frames"]) == (2, 1, 20, 5)
    assert train["positive_frame_fraction"] == pytest.approx(0.25)
    assert train["by_source"]["review"]["clips"] == 1 and set(train["by_camera"]) == {"door"}
    assert report["val"]["clips"] == 0


def test_merge_command_writes_splits_and_balance(tmp_path, capsys):
    reviews = tmp_path / "reviews"
    for c in store_clips():
        write_clip(reviews / f"{c.clip_id}.npz", c)
    out = tmp_path / "merged"
    assert main(["dataset", "merge", "--out", str(out), "--native", str(reviews),
                 "--synthetic", "4", "--test-cameras", "till"]) == 0
    printed = capsys.readouterr().out
    assert "synthetic" in printed and "review" in printed
    counts = {name: len(read_native_dir(out / name)) for name in ("train", "val", "test")}
    assert sum(counts.values()) >= 108 + 4 and counts["test"] >= 36
    balance = json.loads((out / "balance.json").read_text())
    assert balance["split_config"]["test_cameras"] == ["till"]
    assert balance["splits"]["test"]["by_camera"]["till"]["clips"] == 36
    assert main(["dataset", "balance", str(out)]) == 0
    assert "test" in capsys.readouterr().out


def test_merge_refuses_colliding_ids(tmp_path):
    with pytest.raises(ValueError, match="appears twice"):
        merge([("review", [clip("review-x"), clip("review-x")])], tmp_path, SplitConfig())
