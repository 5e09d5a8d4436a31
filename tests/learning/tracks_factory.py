"""Hand-made tracks: people standing at known places, one frame at a time."""

from __future__ import annotations

import numpy as np

from shopguard.core import Poses, Tracks

T0 = 1_780_000_000.0  # 2026-05-28 UTC, a live camera's wall-clock time


def person(cx: float, dy: float = 0.0) -> np.ndarray:
    """A (17, 3) standing pose centred at x = ``cx`` (all joints seen)."""
    ys = np.linspace(100.0, 400.0, 17) + dy
    xs = cx + np.tile([-10.0, 10.0], 9)[:17]
    return np.stack([xs, ys, np.full(17, 0.9)], axis=1).astype(np.float32)


def tracks(people: dict[int, np.ndarray]) -> Tracks:
    ids = np.array(sorted(people), np.int64)
    if not len(ids):
        return Tracks.empty()
    kps = np.stack([people[i] for i in ids]).astype(np.float32)
    boxes = np.concatenate([kps[:, :, :2].min(1), kps[:, :, :2].max(1)], axis=1)
    return Tracks(Poses(boxes.astype(np.float32), np.ones(len(ids), np.float32), kps), ids)


def frames(
    ids: list[int], t0: float, seconds: float, fps: float = 5.0
) -> list[tuple[float, Tracks]]:
    """``(t, tracks)`` with each id standing still at x = 100 · (id + 1)."""
    n = round(seconds * fps)
    return [(t0 + i / fps, tracks({k: person(100.0 * (k + 1), dy=i % 3) for k in ids}))
            for i in range(n)]
