"""``/ml/v4/deployments/<id>/predictions``: ShopGuard scores track windows for other nodes.

The same contract as an IBM Watson Machine Learning online deployment (``input_data`` in,
``predictions`` out), so a camera worker's ``scorer.remote`` can point at either. The
deployment id is a registry version or ``active`` (the version the cameras run, which
follows promotions). Callers sign in with an API token (``Authorization: Bearer sg_…``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Blueprint, current_app
from pydantic import BaseModel, ConfigDict, Field

from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import ModelLoadError, SequenceModel
from shopguard.registry.files import ModelFileError, ModelFiles
from shopguard.registry.store import active_version, get_version
from shopguard.service.auth import ctx, db
from shopguard.service.errors import ApiError
from shopguard.service.routes import api_route
from shopguard.storage.models import ModelVersion

bp = Blueprint("scoring", __name__, url_prefix="/ml/v4/deployments")

#: Windows one request may carry.
MAX_WINDOWS = 1024


class InputData(BaseModel):
    model_config = ConfigDict(extra="allow")

    fields: list[str] | None = None
    values: list[Any] = Field(description="windows: (n, steps, features) numbers")


class ScoringIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    input_data: list[InputData] = Field(min_length=1, max_length=1)


class Prediction(BaseModel):
    fields: list[str]
    values: list[list[float]]


class ScoringOut(BaseModel):
    predictions: list[Prediction]
    model_version: str = Field(description="the registry version that scored")


def _model(row: ModelVersion) -> SequenceModel:
    """The version's model, loaded once per process (files are immutable per version)."""
    cache: dict[str, SequenceModel] = current_app.extensions.setdefault(
        "shopguard.scoring_models", {})
    key = f"{row.version}:{row.sha256}"
    if key not in cache:
        files = ModelFiles(ctx().config.data_dir, ctx().evidence.remote)
        model = SequenceModel(files.path(row.file_key, row.sha256))
        model.version = row.version
        cache[key] = model
    return cache[key]


@api_route(bp, "/<deployment_id>/predictions", "POST", "Score track windows (WML v4)",
           access="view", body=ScoringIn, response=ScoringOut, errors=(404, 413, 422, 503))
def predictions(deployment_id: str, body: ScoringIn) -> ScoringOut:
    """``deployment_id``: a registry version or ``active``. Each window is ``steps`` time
    steps of the model's features (its ``feature_config``); the answer has one
    probability per window, in order."""
    try:
        row = active_version(db()) if deployment_id == "active" else get_version(db(),
                                                                                  deployment_id)
    except ValueError:
        row = None
    if row is None:
        raise ApiError(404, f"no model version {deployment_id!r}")
    try:
        model = _model(row)
    except (ModelLoadError, ModelFileError, OSError) as exc:
        raise ApiError(503, f"model {row.version} cannot be loaded: {exc}") from None
    try:
        windows = np.asarray(body.input_data[0].values, np.float32)
    except (ValueError, TypeError):
        raise ApiError(422, "values must be numbers", fields={"input_data.0.values":
                                                              "not a numeric array"}) from None
    if len(windows) > MAX_WINDOWS:
        raise ApiError(413, f"at most {MAX_WINDOWS} windows per request")
    if windows.ndim != 3 or windows.shape[1:] != (model.steps, NUM_FEATURES):
        raise ApiError(422, f"windows must be (n, {model.steps}, {NUM_FEATURES})",
                       fields={"input_data.0.values": f"shape {list(windows.shape)}"})
    if not np.isfinite(windows).all():
        raise ApiError(422, "values must be finite", fields={"input_data.0.values": "NaN"})
    probabilities = model.predict(windows)
    return ScoringOut(predictions=[Prediction(fields=["probability"],
                                              values=[[float(p)] for p in probabilities])],
                      model_version=row.version)
