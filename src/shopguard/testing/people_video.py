"""A test video composed from real person photos moving across a background.

Detection and tracking are checked on real pixels: two people cut from ultralytics'
``bus.jpg`` (AGPL-3.0, see tests/data/README.md) walk towards each other in separate
halves of a 1280×720 frame. The ground truth (each person's box per frame) is returned
with the video so tests can check that ids stay stable and distinct.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from shopguard.core import Image
from shopguard.video.writer import Mp4Writer

#: Person crops in bus.jpg (x1, y1, x2, y2): the man in the beige coat and the walker.
BUS_PEOPLE = ((48, 398, 244, 906), (669, 388, 810, 878))
FRAME_W, FRAME_H = 1280, 720


@dataclass(frozen=True, slots=True)
class PeopleVideo:
    """The written video and each person's box per frame (xyxy, frame pixels)."""

    path: Path
    fps: float
    boxes: np.ndarray  # (frames, people, 4)


def _background(rng: np.random.Generator) -> Image:
    y = np.linspace(0, 1, FRAME_H)[:, None, None]
    wall = np.array([150, 160, 170]) * (1 - y) + np.array([90, 100, 105]) * y
    image = np.broadcast_to(wall, (FRAME_H, FRAME_W, 3)).astype(np.float32)
    image += rng.normal(0, 3, image.shape)
    for x in range(0, FRAME_W, 160):  # shelving uprights
        image[60:420, x : x + 12] = (70, 75, 80)
    return np.clip(image, 0, 255).astype(np.uint8)


def _crops(photo: Image, height: int) -> list[Image]:
    crops = []
    for x1, y1, x2, y2 in BUS_PEOPLE:
        crop = photo[y1:y2, x1:x2]
        scale = height / crop.shape[0]
        resized = cv2.resize(crop, (round(crop.shape[1] * scale), height))
        crops.append(np.asarray(resized, dtype=np.uint8))
    return crops


def compose_people_video(
    photo_path: Path, out_path: Path, seconds: float = 6.0, fps: float = 15.0, seed: int = 0
) -> PeopleVideo:
    """Write the two-person walking video and return it with its ground-truth boxes."""
    loaded = cv2.imread(str(photo_path), cv2.IMREAD_COLOR)
    if loaded is None:
        raise FileNotFoundError(f"cannot read photo {photo_path}")
    photo = np.asarray(loaded, dtype=np.uint8)
    rng = np.random.default_rng(seed)
    background = _background(rng)
    people = _crops(photo, height=440)
    n = round(seconds * fps)
    boxes = np.zeros((n, len(people), 4), np.float32)
    starts, ends = (40, FRAME_W - 40 - people[1].shape[1]), (560, 660)
    with Mp4Writer(out_path, fps=fps) as writer:
        for i in range(n):
            frame = background.copy()
            progress = i / max(1, n - 1)
            for k, crop in enumerate(people):
                x = round(starts[k] + (ends[k] - starts[k]) * progress)
                y = 200 + round(6 * np.sin(i * 0.9 + k))  # gait bob
                h, w = crop.shape[:2]
                frame[y : y + h, x : x + w] = crop
                boxes[i, k] = (x, y, x + w, y + h)
            noise = rng.normal(0, 2, frame.shape)
            writer.write(np.clip(frame + noise, 0, 255).astype(np.uint8))
    return PeopleVideo(out_path, fps, boxes)
