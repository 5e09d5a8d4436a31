"""Where ShopGuard finds its bundled files (models, demo video)."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parents[1]


def models_dir() -> Path:
    """Directory holding the shipped models (``$SHOPGUARD_MODELS_DIR`` overrides it)."""
    override = os.environ.get("SHOPGUARD_MODELS_DIR")
    return Path(override) if override else _REPO_ROOT / "models"


def pose_model_path() -> Path:
    """The default person + pose model (YOLO11n-pose, ONNX)."""
    return models_dir() / "yolo11n-pose.onnx"


def package_data_dir() -> Path:
    """Data files shipped inside the Python package (demo video, static UI)."""
    return _PACKAGE_DIR / "data"
