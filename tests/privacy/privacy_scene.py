"""A shop aisle that is empty for a while, then two real people (cut from bus.jpg) walk in.

Frames are made in memory (no video file), so a test has every original frame and each
person's true box to compare stored pictures against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from shopguard.core import Frame, Image
from shopguard.testing.people_video import BUS_PEOPLE

DATA = Path(__file__).resolve().parents[1] / "data"
WIDTH, HEIGHT = 640, 360
PERSON_HEIGHT = 230


def aisle(seed: int = 0) -> Image:
    """The empty scene: a lit wall, shelving uprights and shelves with coloured goods."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, HEIGHT)[:, None, None]
    wall = np.array([150, 160, 170]) * (1 - y) + np.array([90, 100, 105]) * y
    image = np.broadcast_to(wall, (HEIGHT, WIDTH, 3)).astype(np.float32)
    for x in range(0, WIDTH, 80):
        image[30:210, x : x + 6] = (70, 75, 80)
    for row in (60, 120, 180):
        for x in range(8, WIDTH - 20, 22):
            image[row - 18 : row, x : x + 14] = rng.integers(40, 220, 3)
    return np.clip(image, 0, 255).astype(np.uint8)


def people() -> list[Image]:
    photo = cv2.imread(str(DATA / "bus.jpg"), cv2.IMREAD_COLOR)
    assert photo is not None
    crops = []
    for x1, y1, x2, y2 in BUS_PEOPLE:
        crop = photo[y1:y2, x1:x2]
        width = round(crop.shape[1] * PERSON_HEIGHT / crop.shape[0])
        crops.append(np.asarray(cv2.resize(crop, (width, PERSON_HEIGHT)), np.uint8))
    return crops


@dataclass(frozen=True)
class AisleVideo:
    """The frames, each frame's true person boxes (xyxy; none while empty) and the scene."""

    frames: list[Frame]
    boxes: list[list[tuple[int, int, int, int]]]
    background: Image


def aisle_video(empty_s: float = 3.0, walk_s: float = 5.0, fps: float = 10.0,
                camera_id: str = "aisle") -> AisleVideo:
    """Empty for ``empty_s``, then two people walk towards each other for ``walk_s``."""
    background, crops = aisle(), people()
    rng = np.random.default_rng(1)
    starts = (10, WIDTH - 10 - crops[1].shape[1])
    ends = (230, 330)
    frames, boxes = [], []
    n_empty, n_walk = round(empty_s * fps), round(walk_s * fps)
    for i in range(n_empty + n_walk):
        image = background.astype(np.float32)
        placed: list[tuple[int, int, int, int]] = []
        if i >= n_empty:
            progress = (i - n_empty) / max(1, n_walk - 1)
            for k, crop in enumerate(crops):
                x = round(starts[k] + (ends[k] - starts[k]) * progress)
                y = 100 + round(4 * np.sin(i * 0.9 + k))
                h, w = crop.shape[:2]
                image[y : y + h, x : x + w] = crop
                placed.append((x, y, x + w, y + h))
        image += rng.normal(0, 2, image.shape)  # sensor noise
        frames.append(Frame(camera_id, i, i / fps, np.clip(image, 0, 255).astype(np.uint8)))
        boxes.append(placed)
    return AisleVideo(frames, boxes, background)


def box_mask(shape: tuple[int, ...], boxes: list[tuple[int, int, int, int]],
             grow: int = 0) -> np.ndarray:
    """Boolean mask of the boxes, each grown by ``grow`` pixels."""
    mask = np.zeros(shape[:2], bool)
    for x0, y0, x1, y1 in boxes:
        mask[max(y0 - grow, 0) : y1 + grow, max(x0 - grow, 0) : x1 + grow] = True
    return mask


def mad(a: Image, b: Image, mask: np.ndarray) -> float:
    """Mean absolute difference of two images over the pixels of ``mask``."""
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return float(diff[mask].mean())
