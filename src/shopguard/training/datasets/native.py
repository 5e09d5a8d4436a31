"""ShopGuard's native dataset: one ``.npz`` file per :class:`PoseClip`.

Each file holds ``keypoints`` (T, 17, 3) float32, ``boxes`` (T, 4) float32 xyxy,
``timestamps`` (T,) float64, ``labels`` (T,) uint8 and ``meta`` (a JSON string).

Example:
    >>> write_native_dir("data/synth/train", clips)  # doctest: +SKIP
    >>> clips = read_native_dir("data/synth/train")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.training.clip import PoseClip

ARRAYS: dict[str, type[np.generic]] = {
    "keypoints": np.float32,
    "boxes": np.float32,
    "timestamps": np.float64,
    "labels": np.uint8,
}


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"meta value of type {type(value).__name__} is not JSON serialisable")


def write_clip(path: str | Path, clip: PoseClip) -> Path:
    """Write one clip to ``path`` (compressed ``.npz``); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.asarray(getattr(clip, name), dtype) for name, dtype in ARRAYS.items()}
    meta = json.dumps(clip.meta, default=_json_default)
    with path.open("wb") as f:
        np.savez_compressed(f, meta=np.array(meta), **arrays)  # type: ignore[arg-type]
    return path


def read_clip(path: str | Path) -> PoseClip:
    """Read one clip; raises ``FileNotFoundError`` or a ``ValueError`` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such clip file")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in (*ARRAYS, "meta") if k not in data.files]
            if missing:
                raise ValueError(f"{path}: missing arrays {missing}")
            arrays = {name: np.asarray(data[name], dtype) for name, dtype in ARRAYS.items()}
            meta_text = str(data["meta"])
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValueError(f"{path}: not a readable .npz file ({exc})") from exc
    try:
        meta = json.loads(meta_text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: meta is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: meta must be a JSON object")
    try:
        return PoseClip(meta=meta, **arrays)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _file_name(clip: PoseClip, index: int) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", clip.clip_id).strip("._")
    return f"{name or f'clip_{index:06d}'}.npz"


def write_native_dir(directory: str | Path, clips: Iterable[PoseClip]) -> list[Path]:
    """Write clips as ``<clip_id>.npz`` files into ``directory``; returns the paths."""
    directory = Path(directory)
    written: list[Path] = []
    seen: set[str] = set()
    for i, clip in enumerate(clips):
        name = _file_name(clip, i)
        if name in seen:
            raise ValueError(f"two clips map to the same file name {name!r} in {directory}")
        seen.add(name)
        written.append(write_clip(directory / name, clip))
    return written


def read_native_dir(directory: str | Path) -> list[PoseClip]:
    """Read every ``*.npz`` clip in ``directory`` (sorted by file name)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such dataset folder")
    return [read_clip(p) for p in sorted(directory.glob("*.npz"))]
