"""Hand-made poses and tiny ONNX models for the behaviour tests (no pose model needed).

Poses are in torso units around the mid-hip, person facing the camera (their left
side is on the image's right), then placed in pixels with ``place``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.model import SequenceModel
from shopguard.keypoints import KP

STANDING: dict[int, tuple[float, float]] = {
    KP.NOSE: (0.0, -1.45),
    KP.LEFT_EYE: (0.06, -1.5),
    KP.RIGHT_EYE: (-0.06, -1.5),
    KP.LEFT_EAR: (0.13, -1.45),
    KP.RIGHT_EAR: (-0.13, -1.45),
    KP.LEFT_SHOULDER: (0.35, -1.0),
    KP.RIGHT_SHOULDER: (-0.35, -1.0),
    KP.LEFT_ELBOW: (0.42, -0.5),
    KP.RIGHT_ELBOW: (-0.42, -0.5),
    KP.LEFT_WRIST: (0.45, 0.0),
    KP.RIGHT_WRIST: (-0.45, 0.0),
    KP.LEFT_HIP: (0.2, 0.0),
    KP.RIGHT_HIP: (-0.2, 0.0),
    KP.LEFT_KNEE: (0.2, 0.9),
    KP.RIGHT_KNEE: (-0.2, 0.9),
    KP.LEFT_ANKLE: (0.2, 1.8),
    KP.RIGHT_ANKLE: (-0.2, 1.8),
}
#: Right hand held at the waistband, elbow bent.
RIGHT_AT_WAISTBAND = {KP.RIGHT_ELBOW: (-0.45, -0.4), KP.RIGHT_WRIST: (-0.1, -0.05)}
#: Right arm stretched out to the image's left (into a shelf there), elbow straight.
RIGHT_REACHING = {KP.RIGHT_ELBOW: (-0.8, -0.95), KP.RIGHT_WRIST: (-1.25, -0.9)}


def pose(changes: dict[int, tuple[float, float]] | None = None) -> np.ndarray:
    """(17, 3) pose in torso units with confidence 0.9, with some joints moved."""
    out = np.zeros((17, 3), np.float32)
    for k, (x, y) in (STANDING | (changes or {})).items():
        out[k] = (x, y, 0.9)
    return out


def place(kps: np.ndarray, cx: float = 320.0, cy: float = 240.0, scale: float = 100.0):
    """Pose in pixels: mid-hip at (cx, cy), torso ``scale`` pixels long."""
    out = kps.copy()
    out[:, :2] = kps[:, :2] * scale + (cx, cy)
    return out


def box_of(kps: np.ndarray) -> np.ndarray:
    """xyxy box around the confident joints."""
    seen = kps[kps[:, 2] > 0, :2]
    return np.r_[seen.min(axis=0) - 5, seen.max(axis=0) + 5].astype(np.float32)


class RecordingModel:
    """A behaviour model that keeps every batch it is asked to score."""

    def __init__(self, model: SequenceModel) -> None:
        self.model, self.batches = model, []
        self.feature_config, self.version, self.threshold = model.feature_config, "rec", None

    def predict(self, windows):
        self.batches.append(np.array(windows))
        return self.model.predict(windows)


def mean_model(path: Path, cfg: FeatureConfig, steps: int | None = None) -> Path:
    """A valid behaviour ONNX model: sigmoid of the mean of each window's features."""
    import onnx
    from onnx import TensorProto, helper

    from shopguard.behavior.features import FEATURE_NAMES, NUM_FEATURES

    steps = steps or cfg.steps
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["windows"], ["m"], axes=[1, 2], keepdims=0),
            helper.make_node("Sigmoid", ["m"], ["probability"]),
        ],
        "mean",
        [
            helper.make_tensor_value_info(
                "windows", TensorProto.FLOAT, ["batch", steps, NUM_FEATURES]
            )
        ],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    for key, value in {
        "name": "mean-test",
        "version": "7",
        "feature_config": cfg.model_dump_json(),
        "features": json.dumps(list(FEATURE_NAMES)),
        "threshold": "0.55",
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path
