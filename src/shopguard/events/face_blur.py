"""Face blurring for stored evidence, from the pose keypoints (no extra model).

A face is an ellipse around the visible face keypoints (nose, eyes, ears), sized from
the head width those points imply and at least a fraction of the person's box width.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> image = np.zeros((64, 64, 3), np.uint8)
    >>> blur_faces(image, Tracks.empty()) is image
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from shopguard.core import FloatArray, Image, Tracks
from shopguard.keypoints import FACE_KEYPOINTS, KP

BlurMethod = Literal["gaussian", "pixelate"]

#: Head width as a multiple of: ear-to-ear, eye-to-eye, and nose-to-ear (profile) distance.
_HEAD_PER_EARS, _HEAD_PER_EYES, _HEAD_PER_NOSE_EAR = 1.1, 2.4, 1.6
#: A head is at least this fraction of the person's box width.
_HEAD_PER_BOX = 0.3
#: Ellipse half-width per head width (half, plus a margin) and height per width.
_HALF_WIDTH, _ASPECT = 0.6, 1.3


@dataclass(frozen=True, slots=True)
class Ellipse:
    """Centre and semi-axes in pixels."""

    cx: float
    cy: float
    ax: float
    ay: float


def face_ellipses(tracks: Tracks, conf: float = 0.2) -> list[Ellipse]:
    """One ellipse per person with at least one face keypoint at or above ``conf``."""
    out = []
    for kps, box in zip(tracks.keypoints, tracks.boxes, strict=True):
        visible = kps[:, 2] >= conf
        seen = [k for k in FACE_KEYPOINTS if visible[k]]
        if not seen:
            continue
        cx, cy = kps[seen, :2].mean(axis=0)
        head = max(_head_width(kps, visible), _HEAD_PER_BOX * float(box[2] - box[0]), 4.0)
        ax = _HALF_WIDTH * head
        out.append(Ellipse(float(cx), float(cy), ax, _ASPECT * ax))
    return out


def blur_faces(
    image: Image, tracks: Tracks, method: BlurMethod = "gaussian", conf: float = 0.2
) -> Image:
    """Blur (or pixelate) every face in ``image`` in place; returns the image."""
    height, width = image.shape[:2]
    for e in face_ellipses(tracks, conf):
        x0, y0 = max(int(e.cx - e.ax), 0), max(int(e.cy - e.ay), 0)
        x1, y1 = min(int(e.cx + e.ax) + 1, width), min(int(e.cy + e.ay) + 1, height)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        roi = image[y0:y1, x0:x1]
        mask = np.zeros(roi.shape[:2], np.uint8)
        center = (round(e.cx) - x0, round(e.cy) - y0)
        cv2.ellipse(mask, center, (round(e.ax), round(e.ay)), 0, 0, 360, 255, -1)
        hidden = _pixelate(roi, e.ax) if method == "pixelate" else _gaussian(roi, e.ax)
        roi[mask > 0] = hidden[mask > 0]
    return image


def _head_width(kps: FloatArray, visible: np.ndarray) -> float:
    def dist(a: KP, b: KP) -> float:
        if not (visible[a] and visible[b]):
            return 0.0
        return float(np.hypot(*(kps[a, :2] - kps[b, :2])))

    return max(
        _HEAD_PER_EARS * dist(KP.LEFT_EAR, KP.RIGHT_EAR),
        _HEAD_PER_EYES * dist(KP.LEFT_EYE, KP.RIGHT_EYE),
        _HEAD_PER_NOSE_EAR * max(dist(KP.NOSE, KP.LEFT_EAR), dist(KP.NOSE, KP.RIGHT_EAR)),
    )


def _gaussian(roi: Image, half_width: float) -> Image:
    sigma = max(half_width / 2.0, 2.0)
    return np.asarray(cv2.GaussianBlur(roi, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE))


def _pixelate(roi: Image, half_width: float) -> Image:
    block = max(int(half_width / 2), 2)  # about four blocks across the face
    h, w = roi.shape[:2]
    small = cv2.resize(roi, (max(w // block, 1), max(h // block, 1)), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST))
