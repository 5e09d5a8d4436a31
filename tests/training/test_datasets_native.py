"""Native ``.npz`` dataset: round trips and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopguard.training.clip import PoseClip
from shopguard.training.datasets import load_dataset, read_clip, write_clip, write_native_dir


def _clip(n: int = 6, clip_id: str = "a/b c") -> PoseClip:
    rng = np.random.default_rng(n)
    return PoseClip(
        keypoints=rng.random((n, 17, 3)).astype(np.float32),
        boxes=rng.random((n, 4)).astype(np.float32),
        timestamps=np.arange(n) / 7.5,
        labels=(np.arange(n) % 2).astype(np.uint8),
        meta={
            "clip_id": clip_id,
            "fps": np.float64(7.5),
            "zones": [{"name": "z", "polygon": [[1, 2]]}],
        },
    )


def test_clip_round_trips_exactly(tmp_path: Path) -> None:
    clip = _clip()
    back = read_clip(write_clip(tmp_path / "x.npz", clip))
    for name in ("keypoints", "boxes", "timestamps", "labels"):
        np.testing.assert_array_equal(getattr(back, name), getattr(clip, name))
        assert getattr(back, name).dtype == getattr(clip, name).dtype
    assert back.meta == {**clip.meta, "fps": 7.5}


def test_directory_round_trip_with_splits(tmp_path: Path) -> None:
    clips = [_clip(4, "one"), _clip(5, "two")]
    paths = write_native_dir(tmp_path / "train", clips)
    assert [p.name for p in paths] == ["one.npz", "two.npz"]
    back = load_dataset(tmp_path, "native", split="train")
    assert [c.clip_id for c in back] == ["one", "two"] and [len(c) for c in back] == [4, 5]
    with pytest.raises(ValueError, match="same file name"):
        write_native_dir(tmp_path / "dup", [_clip(4, "x"), _clip(5, "x")])


def test_truncated_file_names_the_file(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "t.npz", _clip())
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"t\.npz"):
        read_clip(path)


def test_wrong_shapes_and_missing_arrays_name_the_file(tmp_path: Path) -> None:
    clip = _clip()
    bad = tmp_path / "shape.npz"
    np.savez(
        bad,
        keypoints=clip.keypoints[:, :5],
        boxes=clip.boxes,
        timestamps=clip.timestamps,
        labels=clip.labels,
        meta=np.array("{}"),
    )
    with pytest.raises(ValueError, match=r"shape\.npz.*keypoints"):
        read_clip(bad)
    missing = tmp_path / "missing.npz"
    np.savez(missing, keypoints=clip.keypoints)
    with pytest.raises(ValueError, match=r"missing\.npz.*missing arrays"):
        read_clip(missing)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.npz"):
        read_clip(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError, match="absent"):
        load_dataset(tmp_path / "absent", "native")
    with pytest.raises(ValueError, match="format"):
        load_dataset(tmp_path, "csv")  # type: ignore[arg-type]
