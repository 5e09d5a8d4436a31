from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from shopguard.video.writer import Mp4Writer


def _moving_square_video(path: Path, frames: int = 45, fps: float = 15.0) -> Path:
    with Mp4Writer(path, fps=fps) as writer:
        for i in range(frames):
            image = np.full((240, 320, 3), 40, np.uint8)
            image[80:140, 10 + 5 * i : 70 + 5 * i] = (0, 200, 255)
            writer.write(image)
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Writes a small H.264 test video (a moving square) and returns its path."""

    def make(name: str = "clip.mp4", frames: int = 45, fps: float = 15.0) -> Path:
        return _moving_square_video(tmp_path / name, frames, fps)

    return make
