import json
from pathlib import Path
from typing import Any

import pytest

from shopguard.paths import pose_model_path
from shopguard.vision.pose import PoseEstimator

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def estimator() -> PoseEstimator:
    """The shipped YOLO11n-pose model (loaded once per test session)."""
    return PoseEstimator(pose_model_path(), threads=2)


@pytest.fixture(scope="session")
def photo_truth() -> dict[str, Any]:
    """Hand-checked person boxes for the photos in tests/data (see photos.json)."""
    return dict(json.loads((DATA / "photos.json").read_text())["images"])
