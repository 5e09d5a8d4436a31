"""Where training and evaluation clips come from: synthetic splits or dataset folders.

Example:
    >>> train, val = synthetic_splits(n_train=4, n_val=2)  # doctest: +SKIP
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from shopguard.training.clip import PoseClip
from shopguard.training.datasets import load_dataset
from shopguard.training.synth import iter_clips, split_seed
from shopguard.training.synth.generate import DEFAULT_THEFT_FRACTION
from shopguard.training.synth.observe import CLASSIC_NOISE, NoiseProfile

Format = Literal["native", "poselift"]

#: Thieves are rare in the fixed splits (30 %); training sees more of them.
TRAIN_THEFT_FRACTION = 0.5


def synthetic_splits(
    n_train: int, n_val: int, progress: bool = True, noise: NoiseProfile = CLASSIC_NOISE
) -> tuple[list[PoseClip], list[PoseClip]]:
    """Training clips from the ``train`` seed (50 % thieves) and the fixed ``val`` split,
    both with keypoint noise ``noise``, with a progress bar (generating thousands of clips
    takes minutes)."""

    def clips(split: str, n: int, theft_fraction: float) -> list[PoseClip]:
        gen = iter_clips(split_seed(split), n, theft_fraction=theft_fraction, noise=noise)
        return list(tqdm(gen, total=n, desc=f"synth {split}", unit="clip", disable=not progress))

    return (
        clips("train", n_train, TRAIN_THEFT_FRACTION),
        clips("val", n_val, DEFAULT_THEFT_FRACTION),
    )


def _in_val(clip: PoseClip, fraction: float) -> bool:
    return zlib.crc32(clip.clip_id.encode()) % 1000 < fraction * 1000


def dataset_splits(
    path: Path, fmt: Format, val_fraction: float = 0.15
) -> tuple[list[PoseClip], list[PoseClip]]:
    """Training and validation clips of a dataset.

    A native dataset with ``train/`` and ``val/`` folders uses them; otherwise (and for
    PoseLift, whose ``Train/`` part is used) a stable hash of the clip id puts
    ``val_fraction`` of the clips into validation. The ``test`` part is never read here.
    """
    if fmt == "native" and (path / "train").is_dir() and (path / "val").is_dir():
        return load_dataset(path, fmt, split="train"), load_dataset(path, fmt, split="val")
    clips = load_dataset(path, fmt, split="train" if fmt == "poselift" else None)
    train = [c for c in clips if not _in_val(c, val_fraction)]
    val = [c for c in clips if _in_val(c, val_fraction)]
    if not train or not val:
        raise ValueError(f"{path}: {len(clips)} clips are too few to split train/validation")
    return train, val


def evaluation_clips(path: Path, fmt: Format, split: str | None = None) -> list[PoseClip]:
    """The clips to evaluate on (``split`` picks a sub-folder or the PoseLift part)."""
    clips = load_dataset(path, fmt, split=split)
    if not clips:
        where = f"{path}/{split}" if split else str(path)
        raise ValueError(f"{where}: no {fmt} clips found")
    return clips
