"""Writes the tiny behaviour models in ``data/`` (run once; the files are committed, so the
tests need neither PyTorch nor the ``onnx`` package):

    .venv/bin/python tests/learning/make_models.py

Each model is ``sigmoid(scale · mean(window) + bias)`` with the metadata a trained model
carries (feature config, feature names, threshold).
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import FEATURE_NAMES, NUM_FEATURES

DATA = Path(__file__).resolve().parent / "data"


def affine_model(path: Path, cfg: FeatureConfig, scale: float, bias: float, version: str,
                 threshold: float) -> Path:
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["windows"], ["m"], axes=[1, 2], keepdims=0),
            helper.make_node("Mul", ["m", "scale"], ["s"]),
            helper.make_node("Add", ["s", "bias"], ["z"]),
            helper.make_node("Sigmoid", ["z"], ["probability"]),
        ],
        "affine",
        [helper.make_tensor_value_info("windows", TensorProto.FLOAT,
                                       ["batch", cfg.steps, NUM_FEATURES])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch"])],
        initializer=[helper.make_tensor("scale", TensorProto.FLOAT, [], [scale]),
                     helper.make_tensor("bias", TensorProto.FLOAT, [], [bias])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    for key, value in {"name": "affine-test", "version": version,
                       "feature_config": cfg.model_dump_json(),
                       "features": json.dumps(list(FEATURE_NAMES)),
                       "threshold": str(threshold), "training_data": "none (test model)"}.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path


if __name__ == "__main__":
    short = FeatureConfig(rate_hz=10, window_s=2.0)
    affine_model(DATA / "affine-up.onnx", short, 4.0, 0.0, "1", 0.55)
    affine_model(DATA / "affine-down.onnx", short, -4.0, 0.0, "2", 0.55)
    affine_model(DATA / "affine-long.onnx", FeatureConfig(rate_hz=10, window_s=3.0), 4.0, 0.0,
                 "3", 0.5)
    print("wrote", *sorted(p.name for p in DATA.glob("*.onnx")))
