"""Export a trained sequence model to ONNX with its feature settings, and verify it.

The exported graph takes ``windows`` (batch, steps, features) float32 with a dynamic
batch axis and returns the calibrated ``probability`` (batch,). The metadata carries
what the runtime needs to build identical windows (``feature_config``, ``features``)
and the recommended alert ``threshold``. Export fails unless ONNX Runtime reproduces
the PyTorch outputs.

Example:
    >>> export_checkpoint(Path("run/model.pt"), Path("models/behavior-lstm.onnx"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from shopguard.behavior import model as runtime
from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import FEATURE_NAMES, NUM_FEATURES
from shopguard.training.models import Probability, load_checkpoint

OPSET = 17


class ExportError(RuntimeError):
    """The ONNX graph does not reproduce the PyTorch model."""


def set_metadata(path: Path, values: Mapping[str, str]) -> None:
    """Add or replace ONNX ``metadata_props`` entries of a model file in place."""
    proto = onnx.load(str(path))
    props = {p.key: p.value for p in proto.metadata_props} | dict(values)
    del proto.metadata_props[:]
    for key, value in sorted(props.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(path))


def _write_onnx(module: nn.Module, path: Path, steps: int) -> None:
    dummy = torch.zeros(2, steps, NUM_FEATURES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # legacy-exporter deprecation and RNN batch notes
        torch.onnx.export(
            module,
            (dummy,),
            str(path),
            input_names=["windows"],
            output_names=["probability"],
            dynamic_axes={"windows": {0: "batch"}, "probability": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def verify(module: nn.Module, path: Path, steps: int, atol: float = 1e-5) -> float:
    """Max |ONNX − PyTorch| over random batches of several sizes; raises above ``atol``."""
    served = runtime.SequenceModel(path)
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch in (1, 3, 16):
        x = rng.normal(0.0, 1.0, (batch, steps, NUM_FEATURES)).astype(np.float32)
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        worst = max(worst, float(np.abs(served.predict(x) - expected).max()))
    if worst > atol:
        raise ExportError(f"{path}: ONNX differs from PyTorch by {worst:.2e} (> {atol:.0e})")
    return worst


def export_onnx(
    model: nn.Module,
    path: Path,
    feature_config: FeatureConfig,
    *,
    arch: str,
    temperature: float = 1.0,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write ``model`` (logits) as a calibrated-probability ONNX file and verify it."""
    module = Probability(model, temperature).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_onnx(module, path, feature_config.steps)
    set_metadata(
        path,
        {
            runtime.META_NAME: f"shopguard-behavior-{arch}",
            runtime.META_VERSION: "1",
            runtime.META_ARCH: arch,
            runtime.META_FEATURE_CONFIG: feature_config.model_dump_json(),
            runtime.META_FEATURES: json.dumps(list(FEATURE_NAMES)),
            "temperature": f"{temperature:.6g}",
            **(metadata or {}),
        },
    )
    verify(module, path, feature_config.steps)
    return path


def export_checkpoint(
    checkpoint: Path, out: Path, metadata: Mapping[str, str] | None = None
) -> Path:
    """Export a ``model.pt`` checkpoint written by ``shopguard train``."""
    model, info = load_checkpoint(checkpoint)
    extra = {k: str(v) for k, v in info.get("metadata", {}).items()} | dict(metadata or {})
    return export_onnx(
        model,
        out,
        FeatureConfig.model_validate(info["feature_config"]),
        arch=info["arch"],
        temperature=float(info.get("temperature", 1.0)),
        metadata=extra,
    )
