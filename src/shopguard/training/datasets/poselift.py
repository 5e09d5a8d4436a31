"""Reader for PoseLift (Rashvand et al., WACV 2025), a real retail shoplifting pose dataset.

Layout: a folder with ``Train/``, ``Test/`` and ``GT/``. Each video is
``<camera>_<video>.pkl``: a pickled ``{frame_index: {person_id: [bbox, keypoints]}}`` with
keypoints (17, 3) x, y, confidence (COCO order); ``GT/<camera>_<video>.npy`` holds
per-frame 0/1 labels (no file = all normal). Each person's track becomes a ``PoseClip``
with the video's labels at the frames where the person appears.

Frame rate and frame size are not stored in the files; the dataset README states
15 fps and 1920×1080, the defaults here. The README describes boxes as XYWH while some
analysis code reads them as XYXY, so ``bbox_format="auto"`` decides per file (see
:func:`detect_bbox_format`) and records the choice in ``meta["bbox_format"]``.

Only load pickles from a source you trust: unpickling can run code.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import NUM_KEYPOINTS
from shopguard.training.clip import PoseClip

BoxFormat = Literal["auto", "xyxy", "xywh"]
SPLIT_DIRS: dict[str, str] = {"train": "Train", "test": "Test"}
DEFAULT_FPS = 15.0
DEFAULT_FRAME_SIZE = (1920, 1080)

Entry = tuple[int, npt.NDArray[np.float32], npt.NDArray[np.float32]]


def _entries(path: Path, data: Any) -> dict[Any, list[Entry]]:
    """Per person id: (frame, raw box (4,), keypoints (17, 3)) in frame order."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a dict of frames, got {type(data).__name__}")
    tracks: dict[Any, list[Entry]] = defaultdict(list)
    for frame in sorted(data, key=int):
        people = data[frame]
        if not isinstance(people, dict):
            raise ValueError(f"{path}: frame {frame} is not a dict of people")
        for pid, value in people.items():
            try:
                box_raw, kps_raw = value[0], value[1]
                box = np.asarray(box_raw, np.float32).reshape(4)
                kps = np.asarray(kps_raw, np.float32).reshape(NUM_KEYPOINTS, 3)
            except (TypeError, ValueError, IndexError) as exc:
                raise ValueError(
                    f"{path}: frame {frame}, person {pid}: expected [bbox (4), keypoints (17, 3)]"
                    f" ({exc})"
                ) from exc
            tracks[pid].append((int(frame), box, kps))
    return tracks


def _keypoint_extent(kps: npt.NDArray[np.float32]) -> npt.NDArray[np.float32] | None:
    vis = kps[kps[:, 2] > 0.05]
    if len(vis) < 2:
        return None
    return np.array([*vis[:, :2].min(0), *vis[:, :2].max(0)], np.float32)


def _iou(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def to_xyxy(box: npt.NDArray[np.float32], fmt: Literal["xyxy", "xywh"]) -> npt.NDArray[np.float32]:
    """A raw box in the given format as xyxy."""
    if fmt == "xyxy":
        return box.astype(np.float32)
    return np.array([box[0], box[1], box[0] + box[2], box[1] + box[3]], np.float32)


def detect_bbox_format(entries: list[Entry]) -> Literal["xyxy", "xywh"]:
    """Guess the box format of one file's boxes.

    A box whose third/fourth value is smaller than its first/second cannot be xyxy (and
    votes xywh). Otherwise each box votes for the reading whose box overlaps the extent
    of that person's visible keypoints more (IoU). Ties and empty files go to xywh, the
    format the PoseLift README documents.
    """
    votes = {"xyxy": 0, "xywh": 0}
    for _, box, kps in entries:
        if box[2] < box[0] or box[3] < box[1]:
            votes["xywh"] += 1
            continue
        extent = _keypoint_extent(kps)
        if extent is None:
            continue
        a, b = _iou(to_xyxy(box, "xyxy"), extent), _iou(to_xyxy(box, "xywh"), extent)
        if a != b:
            votes["xyxy" if a > b else "xywh"] += 1
    return "xyxy" if votes["xyxy"] > votes["xywh"] else "xywh"


def read_poselift_video(
    pkl_path: str | Path,
    gt_path: str | Path | None = None,
    *,
    fps: float = DEFAULT_FPS,
    bbox_format: BoxFormat = "auto",
    split: str | None = None,
) -> list[PoseClip]:
    """One PoseLift video file as one ``PoseClip`` per person id."""
    pkl_path = Path(pkl_path)
    if not pkl_path.is_file():
        raise FileNotFoundError(f"{pkl_path}: no such PoseLift file")
    try:
        with pkl_path.open("rb") as f:
            data = pickle.load(f)
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        ValueError,
        TypeError,
        IndexError,
        UnicodeDecodeError,
    ) as exc:
        raise ValueError(f"{pkl_path}: not a readable pickle ({exc})") from exc
    tracks = _entries(pkl_path, data)
    n_frames = max((int(k) for k in data), default=-1) + 1
    labels = np.zeros(n_frames, np.uint8)
    if gt_path is not None and Path(gt_path).is_file():
        gt = np.asarray(np.load(gt_path, allow_pickle=False)).reshape(-1)
        if len(gt) < n_frames:
            raise ValueError(
                f"{gt_path}: {len(gt)} labels but {pkl_path.name} has {n_frames} frames"
            )
        labels = (gt[:n_frames] > 0).astype(np.uint8)
    all_entries = [e for entries in tracks.values() for e in entries]
    fmt = detect_bbox_format(all_entries) if bbox_format == "auto" else bbox_format
    video = pkl_path.stem
    camera = video.split("_")[0]
    clips = []
    for pid in sorted(tracks, key=str):
        entries = tracks[pid]
        frames = np.array([e[0] for e in entries])
        meta = {
            "clip_id": f"{video}-{pid}",
            "camera": camera,
            "video": video,
            "person_id": str(pid),
            "fps": fps,
            "source": "poselift",
            "split": split,
            "frame_size": list(DEFAULT_FRAME_SIZE),
            "zones": [],
            "frames": [int(frames[0]), int(frames[-1])],
            "bbox_format": fmt,
        }
        clips.append(
            PoseClip(
                keypoints=np.stack([e[2] for e in entries]),
                boxes=np.stack([to_xyxy(e[1], fmt) for e in entries]),
                timestamps=frames / fps,
                labels=labels[frames],
                meta=meta,
            )
        )
    return clips


def read_poselift(
    root: str | Path,
    split: Literal["train", "test"] | None = None,
    *,
    fps: float = DEFAULT_FPS,
    bbox_format: BoxFormat = "auto",
) -> list[PoseClip]:
    """All person tracks of a PoseLift folder (``Train/`` and/or ``Test/`` with ``GT/``)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such PoseLift folder")
    if split is not None and split not in SPLIT_DIRS:
        raise ValueError(f"unknown PoseLift split {split!r}; expected 'train' or 'test'")
    names = [split] if split else list(SPLIT_DIRS)
    dirs = [(n, root / SPLIT_DIRS[n]) for n in names]
    if not any(d.is_dir() for _, d in dirs):
        wanted = ", ".join(SPLIT_DIRS[n] for n in names)
        raise FileNotFoundError(f"{root}: no {wanted} folder (is this a PoseLift folder?)")
    clips = []
    for name, folder in dirs:
        for pkl in sorted(folder.glob("*.pkl")) if folder.is_dir() else []:
            gt = root / "GT" / f"{pkl.stem}.npy"
            clips += read_poselift_video(pkl, gt, fps=fps, bbox_format=bbox_format, split=name)
    return clips
