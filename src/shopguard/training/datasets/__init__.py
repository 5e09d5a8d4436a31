"""Dataset readers and writers; every format yields :class:`~shopguard.training.clip.PoseClip`.

Example:
    >>> clips = load_dataset("data/synth", "native", split="train")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import (
    read_clip,
    read_native_dir,
    write_clip,
    write_native_dir,
)
from shopguard.training.datasets.poselift import read_poselift, read_poselift_video

__all__ = [
    "load_dataset",
    "read_clip",
    "read_native_dir",
    "read_poselift",
    "read_poselift_video",
    "write_clip",
    "write_native_dir",
]


def load_dataset(
    path: str | Path, format: Literal["native", "poselift"], split: str | None = None
) -> list[PoseClip]:
    """Load all clips of a dataset.

    ``native``: the ``*.npz`` files in ``path`` or, with ``split``, in ``path/<split>``.
    ``poselift``: ``Train/`` and ``Test/`` (``split`` = "train" / "test" picks one).
    """
    if format == "native":
        return read_native_dir(Path(path) / split if split else path)
    if format == "poselift":
        if split not in (None, "train", "test"):
            raise ValueError(f"unknown PoseLift split {split!r}; expected 'train' or 'test'")
        return read_poselift(path, split)  # type: ignore[arg-type]
    raise ValueError(f"unknown dataset format {format!r}; expected 'native' or 'poselift'")
