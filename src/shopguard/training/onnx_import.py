"""Rebuild a trainable PyTorch model from an exported behaviour ONNX file.

A store that runs the shipped model (or a registered version without its ``model.pt``)
has only the ONNX file. Fine-tuning starts from it all the same: the weights are read
back from the graph (ONNX orders recurrent gates differently from PyTorch, and stores the
input projection transposed), the architecture, size, features and temperature from its
metadata, and the rebuilt model must reproduce the file's outputs before it is returned.

Example:
    >>> model, info = load_onnx_model(Path("models/behavior-lstm.onnx"))  # doctest: +SKIP
    >>> info["arch"], info["hidden"]  # doctest: +SKIP
    ('lstm', 64)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from google.protobuf.message import DecodeError
from onnx import numpy_helper

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import SequenceModel
from shopguard.training.models import ARCHS, Probability, WindowModel, build_model, load_checkpoint

#: PyTorch's gate order as indices into ONNX's (LSTM: ONNX i,o,f,c → PyTorch i,f,c,o;
#: GRU: ONNX z,r,h → PyTorch r,z,n).
_GATES = {"LSTM": (0, 2, 3, 1), "GRU": (1, 0, 2)}
#: Largest difference from the file's own outputs that counts as the same model.
_ATOL = 1e-4


def _gates(weights: np.ndarray, order: tuple[int, ...]) -> torch.Tensor:
    chunks = np.split(weights, len(order))
    return torch.from_numpy(np.concatenate([chunks[i] for i in order]).copy())


def _recurrent_weights(
    graph: onnx.GraphProto, tensors: dict[str, np.ndarray]
) -> dict[str, torch.Tensor]:
    """The input projection and recurrent layer, which the exporter left unnamed."""
    node = next((n for n in graph.node if n.op_type in _GATES), None)
    proj = next((n for n in graph.node if n.op_type == "MatMul"), None)
    if node is None or proj is None or proj.input[1] not in tensors:
        raise ValueError("no input projection and recurrent layer in the graph")
    order = _GATES[node.op_type]
    w, r, b = (tensors[name][0] for name in node.input[1:4])
    b_ih, b_hh = np.split(b, 2)
    return {
        "proj.0.weight": torch.from_numpy(tensors[proj.input[1]].T.copy()),
        "rnn.weight_ih_l0": _gates(w, order),
        "rnn.weight_hh_l0": _gates(r, order),
        "rnn.bias_ih_l0": _gates(b_ih, order),
        "rnn.bias_hh_l0": _gates(b_hh, order),
    }


def _max_difference(path: Path, model: WindowModel, temperature: float, steps: int) -> float:
    """Largest difference between the probabilities the service would serve from the
    file and the rebuilt model's."""
    served = SequenceModel(path)
    x = np.random.default_rng(0).normal(size=(4, steps, NUM_FEATURES)).astype(np.float32)
    with torch.no_grad():
        rebuilt = Probability(model, temperature)(torch.from_numpy(x)).numpy()
    return float(np.abs(rebuilt - served.predict(x)).max())


def load_onnx_model(path: Path) -> tuple[WindowModel, dict[str, Any]]:
    """The model (eval mode) and checkpoint-style info (``arch``, ``hidden``,
    ``num_features``, ``feature_config``, ``temperature``, ``metadata``) of a behaviour
    ONNX file; ``ValueError`` when it is not one or its weights cannot be read back."""
    try:
        proto = onnx.load(str(path))
    except (OSError, DecodeError) as exc:
        raise ValueError(f"{path}: not an ONNX model ({exc})") from exc
    meta = {p.key: p.value for p in proto.metadata_props}
    arch = meta.get("arch")
    if arch not in ARCHS or "feature_config" not in meta:
        raise ValueError(f"{path}: not a ShopGuard behaviour model (metadata arch={arch!r})")
    tensors = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    head = tensors.get("model.head.weight")
    if head is None:
        raise ValueError(f"{path}: no model.head.weight in the graph")
    hidden = head.shape[1] // 2
    features = FeatureConfig.model_validate(json.loads(meta["feature_config"]))
    num_features = len(json.loads(meta.get("features", "[]"))) or NUM_FEATURES
    model = build_model(arch, num_features, hidden)
    state = {name.removeprefix("model."): torch.from_numpy(value.copy())
             for name, value in tensors.items() if name.startswith("model.")}
    if arch != "tcn":
        state |= _recurrent_weights(proto.graph, tensors)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit a {arch} of size {hidden} ({exc})") from exc
    temperature = float(meta.get("temperature", 1.0))
    difference = _max_difference(path, model.eval(), temperature, features.steps)
    if difference > _ATOL:
        raise ValueError(f"{path}: rebuilt model differs from the file by {difference:.2g}")
    info = {
        "arch": arch, "hidden": hidden, "num_features": num_features,
        "feature_config": features.model_dump(), "temperature": temperature,
        "metadata": {k: v for k, v in meta.items() if k == "training_data"},
    }
    return model, info


def load_base_model(path: Path) -> tuple[WindowModel, dict[str, Any]]:
    """A model to fine-tune from a ``model.pt`` checkpoint or an exported ``.onnx`` file."""
    return load_onnx_model(path) if path.suffix == ".onnx" else load_checkpoint(path)
