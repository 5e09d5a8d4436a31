"""PoseLift reader on a small fake dataset written in the real on-disk format."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from shopguard.training.datasets import load_dataset
from shopguard.training.datasets.poselift import read_poselift_video


def _person(x: float, y: float, xywh: bool) -> list[np.ndarray]:
    kps = np.zeros((17, 3), np.float32)
    kps[:, 0] = x + np.linspace(0, 40, 17)
    kps[:, 1] = y + np.linspace(0, 160, 17)
    kps[:, 2] = 0.9
    box = [x - 5, y - 5, 50, 170] if xywh else [x - 5, y - 5, x + 45, y + 165]
    return [np.array(box, np.float32), kps]


def _write(
    root: Path, split: str, name: str, frames: int, xywh: bool = True, gt: np.ndarray | None = None
) -> None:
    data: dict[int, dict[int, list[np.ndarray]]] = {}
    for f in range(frames):
        people = {}
        if f % 5 != 4:  # some frames are empty
            people[1] = _person(100 + f, 200, xywh)
        if f >= 3:
            people[7] = _person(900, 300 - f, xywh)
        data[f] = people
    (root / split).mkdir(parents=True, exist_ok=True)
    with (root / split / f"{name}.pkl").open("wb") as fh:
        pickle.dump(data, fh)
    if gt is not None:
        (root / "GT").mkdir(exist_ok=True)
        np.save(root / "GT" / f"{name}.npy", gt)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    gt = np.zeros(12, np.int64)
    gt[6:9] = 1
    _write(tmp_path, "Train", "C1_001", 10)
    _write(tmp_path, "Test", "C2_014", 12, gt=gt)
    _write(tmp_path, "Test", "C3_002", 8, xywh=False)
    return tmp_path


def test_tracks_become_clips_with_frame_labels(root: Path) -> None:
    clips = {c.clip_id: c for c in load_dataset(root, "poselift", split="test")}
    assert sorted(clips) == ["C2_014-1", "C2_014-7", "C3_002-1", "C3_002-7"]
    a = clips["C2_014-1"]
    frames = [f for f in range(12) if f % 5 != 4]
    np.testing.assert_allclose(a.timestamps, np.array(frames) / 15.0)
    np.testing.assert_array_equal(a.labels, [1 if 6 <= f <= 8 else 0 for f in frames])
    assert a.meta["camera"] == "C2" and a.meta["source"] == "poselift" and a.meta["split"] == "test"
    b = clips["C2_014-7"]
    assert b.timestamps[0] == pytest.approx(3 / 15.0) and b.labels.tolist() == [
        0,
        0,
        0,
        1,
        1,
        1,
        0,
        0,
        0,
    ]
    assert not clips["C3_002-1"].labels.any()  # no GT file: all normal


def test_box_format_is_detected_and_converted_to_xyxy(root: Path) -> None:
    clips = {c.clip_id: c for c in load_dataset(root, "poselift")}
    for cid in ("C1_001-1", "C3_002-1"):
        c = clips[cid]
        np.testing.assert_allclose(c.boxes[0], [95, 195, 145, 365])
    assert clips["C1_001-1"].meta["bbox_format"] == "xywh"
    assert clips["C3_002-1"].meta["bbox_format"] == "xyxy"
    forced = read_poselift_video(root / "Test" / "C3_002.pkl", bbox_format="xywh", fps=30)
    np.testing.assert_allclose(forced[0].boxes[0], [95, 195, 240, 560])
    assert forced[0].timestamps[1] == pytest.approx(1 / 30)


def test_bad_input_names_the_file(root: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no Train, Test folder"):
        load_dataset(tmp_path / "GT", "poselift")
    with pytest.raises(FileNotFoundError, match="missing"):
        load_dataset(tmp_path / "missing", "poselift")
    bad = root / "Test" / "C9_bad.pkl"
    with bad.open("wb") as fh:
        pickle.dump({0: {1: [np.zeros(4), np.zeros((5, 3))]}}, fh)
    with pytest.raises(ValueError, match=r"C9_bad\.pkl: frame 0, person 1"):
        read_poselift_video(bad)
    bad.write_bytes(b"\x80\x04garbage")
    with pytest.raises(ValueError, match=r"C9_bad\.pkl: not a readable pickle"):
        read_poselift_video(bad)
    np.save(root / "GT" / "C1_001.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"C1_001\.npy: 3 labels"):
        load_dataset(root, "poselift", split="train")
