"""ONNX Runtime behaviour model: feature windows → probability of concealment.

The model file carries its own feature settings (``feature_config`` in the ONNX
metadata), so the runtime builds windows exactly as the model was trained.

Example:
    >>> model = SequenceModel(default_model_path())  # doctest: +SKIP
    >>> model.predict(np.zeros((4, model.steps, NUM_FEATURES), np.float32)).shape  # doctest: +SKIP
    (4,)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from pydantic import ValidationError

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import FEATURE_NAMES, NUM_FEATURES
from shopguard.paths import models_dir

log = logging.getLogger(__name__)

#: ONNX ``metadata_props`` keys written by ``shopguard.training.export``.
META_NAME = "name"
META_VERSION = "version"
META_ARCH = "arch"
META_FEATURE_CONFIG = "feature_config"
META_FEATURES = "features"
META_THRESHOLD = "threshold"
META_TRAINING_DATA = "training_data"

DEFAULT_MODEL_NAME = "behavior-lstm.onnx"
MODEL_ENV = "SHOPGUARD_BEHAVIOR_MODEL"


class WindowModel(Protocol):
    """What the scorer needs of a behaviour model (``SequenceModel``, ``RemoteModel``)."""

    feature_config: FeatureConfig
    version: str
    threshold: float | None

    def predict(self, windows: npt.ArrayLike) -> npt.NDArray[np.float32]: ...


class ModelLoadError(ValueError):
    """A behaviour model file is missing, unreadable or has the wrong interface."""


def default_model_path() -> Path:
    """The shipped behaviour model (``$SHOPGUARD_BEHAVIOR_MODEL`` overrides it)."""
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else models_dir() / DEFAULT_MODEL_NAME


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SequenceModel:
    """A behaviour model served by ONNX Runtime.

    Args:
        path: ONNX file with one input ``(batch, steps, NUM_FEATURES)`` float32 and one
            output ``(batch,)`` probability.
        threads: ONNX Runtime intra-op threads (1 suits one worker per camera).

    Raises:
        ModelLoadError: naming the file and the expected shapes.

    Attributes:
        feature_config: the feature settings the model was trained with.
        threshold: alert threshold recommended by training (``None`` if not recorded).
        version: ``"<name> <version> sha256:<first 12 hex>"``.
    """

    def __init__(self, path: str | Path, threads: int = 1) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelLoadError(f"behaviour model {self.path}: no such file")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises several unrelated types
            raise ModelLoadError(
                f"behaviour model {self.path}: not a loadable ONNX model ({exc}); "
                f"expected input (batch, steps, {NUM_FEATURES}) float32 → output (batch,)"
            ) from exc
        meta = self._session.get_modelmeta().custom_metadata_map
        self.feature_config = self._read_feature_config(meta)
        self.steps = self.feature_config.steps
        self._check_interface(meta)
        self.name = meta.get(META_NAME, self.path.stem)
        self.arch = meta.get(META_ARCH, "")
        self.threshold = float(meta[META_THRESHOLD]) if META_THRESHOLD in meta else None
        self.sha256 = _sha256(self.path)
        self.version = f"{self.name} {meta.get(META_VERSION, '0')} sha256:{self.sha256[:12]}"
        self.metadata = dict(meta)
        self._input = self._session.get_inputs()[0].name

    def _fail(self, problem: str) -> ModelLoadError:
        return ModelLoadError(
            f"behaviour model {self.path}: {problem}; expected input "
            f"(batch, {self.steps}, {NUM_FEATURES}) float32 → output (batch,)"
        )

    def _read_feature_config(self, meta: dict[str, str]) -> FeatureConfig:
        if META_FEATURE_CONFIG not in meta:
            log.warning("%s has no feature_config metadata; assuming defaults", self.path)
            return FeatureConfig()
        try:
            return FeatureConfig.model_validate_json(meta[META_FEATURE_CONFIG])
        except ValidationError as exc:
            raise ModelLoadError(f"behaviour model {self.path}: bad feature_config: {exc}") from exc

    def _check_interface(self, meta: dict[str, str]) -> None:
        if META_FEATURES in meta and tuple(json.loads(meta[META_FEATURES])) != FEATURE_NAMES:
            raise self._fail("it was trained on a different feature layout")
        inputs, outputs = self._session.get_inputs(), self._session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise self._fail(f"has {len(inputs)} inputs and {len(outputs)} outputs, not 1 and 1")
        shape_in, shape_out = inputs[0].shape, outputs[0].shape
        if inputs[0].type != "tensor(float)" or len(shape_in) != 3:
            raise self._fail(f"input is {inputs[0].type} {shape_in}")
        if list(shape_in[1:]) != [self.steps, NUM_FEATURES]:
            raise self._fail(f"input shape is {shape_in}")
        if len(shape_out) != 1:
            raise self._fail(f"output shape is {shape_out}")

    def predict(self, windows: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Probabilities (n,) for feature windows (n, steps, NUM_FEATURES)."""
        x = np.ascontiguousarray(windows, dtype=np.float32)
        if x.ndim != 3 or x.shape[1:] != (self.steps, NUM_FEATURES):
            raise ValueError(f"windows must be (n, {self.steps}, {NUM_FEATURES}), got {x.shape}")
        if len(x) == 0:
            return np.zeros(0, np.float32)
        (out,) = self._session.run(None, {self._input: x})
        return np.asarray(out, np.float32).reshape(len(x))
