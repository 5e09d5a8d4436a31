"""COCO-17 keypoint layout shared by every stage (pose model, features, rendering)."""

from __future__ import annotations

from enum import IntEnum


class KP(IntEnum):
    """Index of each COCO-17 keypoint in a (17, 3) keypoint array."""

    NOSE = 0
    LEFT_EYE = 1
    RIGHT_EYE = 2
    LEFT_EAR = 3
    RIGHT_EAR = 4
    LEFT_SHOULDER = 5
    RIGHT_SHOULDER = 6
    LEFT_ELBOW = 7
    RIGHT_ELBOW = 8
    LEFT_WRIST = 9
    RIGHT_WRIST = 10
    LEFT_HIP = 11
    RIGHT_HIP = 12
    LEFT_KNEE = 13
    RIGHT_KNEE = 14
    LEFT_ANKLE = 15
    RIGHT_ANKLE = 16


NUM_KEYPOINTS = 17
KEYPOINT_NAMES: tuple[str, ...] = tuple(k.name.lower() for k in KP)

#: Limb connections (pairs of keypoint indices) used to draw a skeleton.
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (KP.LEFT_ANKLE, KP.LEFT_KNEE),
    (KP.LEFT_KNEE, KP.LEFT_HIP),
    (KP.RIGHT_ANKLE, KP.RIGHT_KNEE),
    (KP.RIGHT_KNEE, KP.RIGHT_HIP),
    (KP.LEFT_HIP, KP.RIGHT_HIP),
    (KP.LEFT_SHOULDER, KP.LEFT_HIP),
    (KP.RIGHT_SHOULDER, KP.RIGHT_HIP),
    (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER),
    (KP.LEFT_SHOULDER, KP.LEFT_ELBOW),
    (KP.RIGHT_SHOULDER, KP.RIGHT_ELBOW),
    (KP.LEFT_ELBOW, KP.LEFT_WRIST),
    (KP.RIGHT_ELBOW, KP.RIGHT_WRIST),
    (KP.LEFT_EYE, KP.RIGHT_EYE),
    (KP.NOSE, KP.LEFT_EYE),
    (KP.NOSE, KP.RIGHT_EYE),
    (KP.LEFT_EYE, KP.LEFT_EAR),
    (KP.RIGHT_EYE, KP.RIGHT_EAR),
)

#: Index pairs that swap when an image is mirrored left-right.
FLIP_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (KP[f"LEFT_{n}"], KP[f"RIGHT_{n}"])
    for n in ("EYE", "EAR", "SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")
)

#: For each keypoint, the index of its mirror image (``kps[np.array(FLIP_INDEX)]`` swaps
#: every left joint with its right one).
_MIRROR_OF = dict(FLIP_PAIRS + tuple((b, a) for a, b in FLIP_PAIRS))
FLIP_INDEX: tuple[int, ...] = tuple(int(_MIRROR_OF.get(k, k)) for k in KP)

FACE_KEYPOINTS: tuple[int, ...] = (KP.NOSE, KP.LEFT_EYE, KP.RIGHT_EYE, KP.LEFT_EAR, KP.RIGHT_EAR)
