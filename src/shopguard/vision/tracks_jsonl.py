"""The ``tracks.jsonl`` contract: one JSON object per analysed frame.

Each line is ``{"frame": int, "t": seconds, "tracks": [{"id": int, "box": [x1, y1, x2, y2],
"score": float, "keypoints": [[x, y, conf] × 17]}]}`` with coordinates in source-frame
pixels. Other tools and the evaluation read this format: keep it stable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.core import Poses, Tracks


def frame_record(frame_index: int, t: float, tracks: Tracks) -> dict[str, Any]:
    """The JSON object for one analysed frame."""
    return {
        "frame": int(frame_index),
        "t": round(float(t), 4),
        "tracks": [
            {
                "id": int(tracks.ids[i]),
                "box": [round(float(v), 1) for v in tracks.boxes[i]],
                "score": round(float(tracks.scores[i]), 3),
                "keypoints": [
                    [round(float(x), 1), round(float(y), 1), round(float(c), 3)]
                    for x, y, c in tracks.keypoints[i]
                ],
            }
            for i in range(len(tracks))
        ],
    }


def parse_record(record: dict[str, Any]) -> tuple[int, float, Tracks]:
    """Inverse of ``frame_record``: (frame index, time, tracks)."""
    items = record["tracks"]
    if not items:
        return int(record["frame"]), float(record["t"]), Tracks.empty()
    poses = Poses(
        boxes=np.asarray([it["box"] for it in items], np.float32).reshape(-1, 4),
        scores=np.asarray([it["score"] for it in items], np.float32),
        keypoints=np.asarray([it["keypoints"] for it in items], np.float32).reshape(-1, 17, 3),
    )
    ids = np.asarray([it["id"] for it in items], np.int64)
    return int(record["frame"]), float(record["t"]), Tracks(poses, ids)


def read_tracks_jsonl(path: str | Path) -> Iterator[tuple[int, float, Tracks]]:
    """Read a ``tracks.jsonl`` file frame by frame.

    Raises:
        ValueError: a line is not valid JSON or lacks a required field (names file and line).
    """
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield parse_record(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_no}: not a tracks.jsonl record: {exc}") from exc
