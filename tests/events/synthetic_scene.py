"""A synthetic camera for evidence tests: one person walking right with a textured face."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopguard.core import Frame, Image, Poses, Tracks
from shopguard.keypoints import KP

TRACK_ID = 7
FACE_HALF = 12  # the textured face patch is 24 × 28 px around (x, FACE_Y)
FACE_Y = 70


@dataclass
class Scene:
    width: int = 320
    height: int = 240
    speed: float = 20.0  # px per second
    face: Image = field(default_factory=lambda: _texture(28, 24))

    def x(self, t: float) -> int:
        return int(60 + self.speed * t) % (self.width - 100) + 50

    def image(self, t: float) -> Image:
        img = np.tile(
            np.linspace(30, 90, self.width, dtype=np.uint8)[None, :, None], (self.height, 1, 3)
        )
        x = self.x(t)
        img[95:220, x - 25 : x + 25] = (60, 120, 200)  # body
        img[FACE_Y - 14 : FACE_Y + 14, x - FACE_HALF : x + FACE_HALF] = self.face
        return img

    def frame(self, index: int, t: float) -> Frame:
        return Frame("cam", index, t, self.image(t))

    def box(self, t: float) -> tuple[float, float, float, float]:
        x = self.x(t)
        return (x - 30.0, 50.0, x + 30.0, 222.0)

    def tracks(self, t: float) -> Tracks:
        x = self.x(t)
        kps = np.zeros((1, 17, 3), np.float32)
        points = {
            KP.NOSE: (x, 74),
            KP.LEFT_EYE: (x + 5, 66),
            KP.RIGHT_EYE: (x - 5, 66),
            KP.LEFT_EAR: (x + 10, 70),
            KP.RIGHT_EAR: (x - 10, 70),
            KP.LEFT_SHOULDER: (x + 22, 100),
            KP.RIGHT_SHOULDER: (x - 22, 100),
            KP.LEFT_HIP: (x + 16, 160),
            KP.RIGHT_HIP: (x - 16, 160),
        }
        for k, (px, py) in points.items():
            kps[0, k] = (px, py, 0.9)
        boxes = np.asarray([self.box(t)], np.float32)
        return Tracks(Poses(boxes, np.ones(1, np.float32), kps), np.asarray([TRACK_ID]))

    def face_region(self, image: Image, t: float) -> Image:
        x = self.x(t)
        return image[FACE_Y - 10 : FACE_Y + 10, x - 8 : x + 8]


def _texture(h: int, w: int) -> Image:
    """Grey 2 × 2-pixel random blocks: detail that survives JPEG and H.264, like a face's."""
    blocks = np.random.default_rng(0).integers(0, 256, (h // 2, w // 2), np.uint8)
    return np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1)[:, :, None].repeat(3, axis=2)
