"""Letterbox resizing (aspect-preserving resize + padding) and its inverse mapping."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shopguard.core import FloatArray, Image

PAD_VALUE = 114


@dataclass(frozen=True, slots=True)
class LetterboxTransform:
    """How a frame was mapped into the model input: ``input = frame * scale + (pad_x, pad_y)``."""

    scale: float
    pad_x: float
    pad_y: float

    def to_frame(self, xy: FloatArray) -> FloatArray:
        """Map points (…, 2) from model-input pixels back to frame pixels."""
        out = np.empty_like(xy)
        out[..., 0] = (xy[..., 0] - self.pad_x) / self.scale
        out[..., 1] = (xy[..., 1] - self.pad_y) / self.scale
        return out


def letterbox(image: Image, height: int, width: int) -> tuple[Image, LetterboxTransform]:
    """Resize ``image`` to fit ``height``×``width`` keeping its aspect ratio, pad the rest.

    Returns the padded image and the transform that maps its pixels back to the original.
    """
    h, w = image.shape[:2]
    scale = min(height / h, width / w)
    new_w, new_h = round(w * scale), round(h * scale)
    resized = (
        image
        if (new_w, new_h) == (w, h)
        else cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    )
    pad_x, pad_y = (width - new_w) / 2, (height - new_h) / 2
    left, top = round(pad_x - 0.1), round(pad_y - 0.1)
    out = np.full((height, width, 3), PAD_VALUE, np.uint8)
    out[top : top + new_h, left : left + new_w] = resized
    return out, LetterboxTransform(scale=scale, pad_x=float(left), pad_y=float(top))
