"""Keep a track's left and right the same from frame to frame.

A pose model sometimes labels a person's left joints as right and the other way round,
typically when it cannot tell a back from a front (measured on rendered scenes: YOLO11n-pose
mirrors the labels in a fifth of the frames, mostly of people seen from behind, flickering
from one frame to the next; docs/model-card-behavior.md). The positions stay right; only
the names swap, so a wrist seems to jump across the body and back. :class:`SideKeeper`
compares each frame with the track's recent joints, centred, both as labelled and with
every left/right pair swapped, and swaps the frame when that fits much better. The first
frames of a track set its sides; a mirror that lasts the whole track is kept (it looks
like a person facing the other way, which the behaviour model also sees in training).

The scorer runs one keeper per track and training runs :func:`steady_sides` over each
clip when ``FeatureConfig.steady_sides`` is set: the same code for both.

Example:
    >>> keeper = SideKeeper()
    >>> fixed = keeper.update(0.0, kps)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import FLIP_INDEX, NUM_KEYPOINTS

F32 = npt.NDArray[np.float32]

#: Body joints that decide (shoulders to ankles: the face is often unseen).
_BODY = np.arange(5, NUM_KEYPOINTS)
_SWAP = np.array(FLIP_INDEX)


class SideKeeper:
    """Per-track left/right consistency.

    Args:
        min_conf: joints below this confidence are neither compared nor remembered.
        ratio: swap when the swapped frame's distance to the recent joints is below
            ``ratio`` times the distance as labelled.
        memory_s: a remembered joint older than this is not compared.
        min_joints: the fewest body joints (seen now and remembered) to decide on.
    """

    __slots__ = ("_seen", "_xy", "memory_s", "min_conf", "min_joints", "ratio", "swaps")

    def __init__(self, min_conf: float = 0.3, ratio: float = 0.6, memory_s: float = 1.0,
                 min_joints: int = 4) -> None:
        self.min_conf, self.ratio, self.memory_s, self.min_joints = (
            min_conf, ratio, memory_s, min_joints)
        self._xy = np.zeros((NUM_KEYPOINTS, 2), np.float64)
        self._seen = np.full(NUM_KEYPOINTS, -np.inf)
        self.swaps = 0

    def update(self, t: float, kps: F32) -> F32:
        """The frame's keypoints (17, 3), swapped left for right if that keeps the track
        consistent (a new array then; otherwise ``kps`` itself)."""
        conf = kps[:, 2] >= self.min_conf
        recent = self._seen >= t - self.memory_s
        # A joint counts when it and its mirror are seen now and remembered, so both
        # labellings compare the same set of points around the same (mirror-free) centre.
        usable = conf & conf[_SWAP] & recent & recent[_SWAP]
        joints = _BODY[usable[_BODY]]
        if len(joints) >= self.min_joints:
            centre = kps[joints, :2].mean(0)
            before = self._xy[joints] - self._xy[joints].mean(0)
            as_labelled = np.linalg.norm(kps[joints, :2] - centre - before, axis=1).sum()
            swapped = np.linalg.norm(kps[_SWAP[joints], :2] - centre - before, axis=1).sum()
            if swapped < self.ratio * as_labelled:
                kps = kps[_SWAP]
                conf = conf[_SWAP]
                self.swaps += 1
        self._xy[conf] = kps[conf, :2]
        self._seen[conf] = t
        return kps


def steady_sides(timestamps: npt.ArrayLike, keypoints: F32) -> F32:
    """A :class:`SideKeeper` run over one track's frames (T, 17, 3); a new array."""
    keeper = SideKeeper()
    frames = [keeper.update(t, k)
              for t, k in zip(np.asarray(timestamps, np.float64).tolist(), keypoints, strict=True)]
    return np.stack(frames) if frames else keypoints.copy()
