"""The pictures the ``blurred`` and ``pose_only`` modes make of a frame.

``pixelate_people`` hides each tracked person behind coarse blocks except around the
wrists, where a hand and the item it holds stay visible (faces are hidden even there).
``draw_skeletons`` draws each person's pose as limbs on a canvas (the background plate).

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> image = np.zeros((64, 64, 3), np.uint8)
    >>> pixelate_people(image, Tracks.empty()) is image
    True
"""

from __future__ import annotations

import cv2
import numpy as np

from shopguard.core import FloatArray, Image, Tracks
from shopguard.events.face_blur import face_ellipses
from shopguard.keypoints import KP, SKELETON_EDGES
from shopguard.vision.draw import SIDE_COLORS, side

#: Keypoints below this confidence are not used (same as the live-view skeletons).
KEYPOINT_CONF = 0.3
#: Body boxes grow by this fraction of their size on each side (motion between analyses).
BOX_MARGIN = 0.1
#: About this many pixel blocks from head to feet: a silhouette, no features.
BLOCKS_PER_HEIGHT = 14
#: Hand radius as a fraction of the forearm (elbow → wrist), clamped to a box-height range.
HAND_PER_FOREARM = 0.75
HAND_PER_BOX = (0.04, 0.15)
_ARMS = ((KP.LEFT_ELBOW, KP.LEFT_WRIST), (KP.RIGHT_ELBOW, KP.RIGHT_WRIST))


def hand_circles(tracks: Tracks, conf: float = KEYPOINT_CONF) -> list[tuple[int, int, int]]:
    """``(x, y, radius)`` around each visible wrist; the radius follows the forearm length,
    or a fraction of the person's height when the elbow is not seen."""
    circles = []
    for kps, box in zip(tracks.keypoints, tracks.boxes, strict=True):
        height = float(box[3] - box[1])
        low, high = HAND_PER_BOX[0] * height, HAND_PER_BOX[1] * height
        for elbow, wrist in _ARMS:
            if kps[wrist, 2] < conf:
                continue
            if kps[elbow, 2] >= conf:
                radius = HAND_PER_FOREARM * float(np.hypot(*(kps[wrist, :2] - kps[elbow, :2])))
            else:
                radius = high
            radius = min(max(radius, low), high)
            circles.append((round(float(kps[wrist, 0])), round(float(kps[wrist, 1])),
                            max(round(radius), 1)))
    return circles


def visible_mask(shape: tuple[int, ...], tracks: Tracks) -> np.ndarray:
    """Where the ``blurred`` mode leaves pixels as they are inside bodies: the hand
    circles minus every face ellipse (uint8, 255 = visible)."""
    mask = np.zeros(shape[:2], np.uint8)
    for x, y, r in hand_circles(tracks):
        cv2.circle(mask, (x, y), r, 255, -1)
    for e in face_ellipses(tracks):
        axes = (max(round(e.ax), 1), max(round(e.ay), 1))
        cv2.ellipse(mask, (round(e.cx), round(e.cy)), axes, 0, 0, 360, 0, -1)
    return mask


def body_boxes(tracks: Tracks, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Each person's box grown by ``BOX_MARGIN`` and clipped to the image (x0, y0, x1, y1)."""
    out = []
    for x0, y0, x1, y1 in tracks.boxes.astype(np.float64):
        mx, my = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
        box = (max(int(x0 - mx), 0), max(int(y0 - my), 0),
               min(int(np.ceil(x1 + mx)), width), min(int(np.ceil(y1 + my)), height))
        if box[2] - box[0] >= 2 and box[3] - box[1] >= 2:
            out.append(box)
    return out


def pixelate_people(image: Image, tracks: Tracks) -> Image:
    """Pixelate every tracked body in place, except hands and the item in them."""
    if not len(tracks):
        return image
    height, width = image.shape[:2]
    keep = visible_mask(image.shape, tracks)
    for x0, y0, x1, y1 in body_boxes(tracks, width, height):
        roi = image[y0:y1, x0:x1]
        block = max((y1 - y0) // BLOCKS_PER_HEIGHT, 4)
        small = cv2.resize(roi, (max((x1 - x0) // block, 1), max((y1 - y0) // block, 1)),
                           interpolation=cv2.INTER_AREA)
        coarse = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        cv2.copyTo(coarse, cv2.bitwise_not(keep[y0:y1, x0:x1]), roi)  # writes into ``image``
    return image


def stroke_width(image: Image) -> int:
    """Limb thickness for skeleton pictures of this size."""
    return max(2, round(min(image.shape[:2]) / 180))


def draw_skeletons(image: Image, tracks: Tracks, conf: float = KEYPOINT_CONF) -> Image:
    """Each person's limbs and joints, in place (colours by body side, as in the live view)."""
    thick = stroke_width(image)
    for kps in tracks.keypoints:
        _skeleton(image, kps, conf, thick)
    return image


def _skeleton(image: Image, kps: FloatArray, conf: float, thick: int) -> None:
    visible = kps[:, 2] >= conf
    points = [(round(float(x)), round(float(y))) for x, y in kps[:, :2]]
    for a, b in SKELETON_EDGES:
        if visible[a] and visible[b]:
            cv2.line(image, points[a], points[b], SIDE_COLORS[side(a, b)], thick, cv2.LINE_AA)
    for i in np.flatnonzero(visible):
        cv2.circle(image, points[i], thick + 1, SIDE_COLORS[side(int(i))], -1, cv2.LINE_AA)
