"""``/api/models``: the active pose and behaviour models, with their model cards.

The registry's versions are under ``/api/models/versions`` (``api/registry.py``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Blueprint
from pydantic import BaseModel, Field

from shopguard.registry.store import active_version
from shopguard.service.auth import ctx, db
from shopguard.service.context import ModelInfo
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page
from shopguard.service.routes import api_route

bp = Blueprint("models", __name__, url_prefix="/api/models")

MAX_CARD = 1 << 20


class ModelOut(BaseModel):
    name: str
    kind: str
    version: str
    file: str | None = Field(description="file name of the model")
    sha256: str | None
    license: str | None
    source: str | None
    card: str | None = Field(description="the model card (Markdown); null if missing")

    @classmethod
    def of(cls, info: ModelInfo) -> ModelOut:
        card = None
        if info.card_path is not None:
            try:
                with info.card_path.open(encoding="utf-8") as f:
                    card = f.read(MAX_CARD)
            except OSError:
                card = None
        return cls(name=info.name, kind=info.kind, version=info.version,
                   file=info.path.name if info.path else None, sha256=info.sha256,
                   license=info.license, source=info.source, card=card)


def active_models() -> list[ModelInfo]:
    """The service's models, the behaviour model as the registry's active version (the one
    the cameras run, which a promotion changes while the service runs)."""
    row = active_version(db())
    if row is None:
        return list(ctx().models)
    models = list(ctx().models)
    if not any(m.kind == "behavior" for m in models):
        models.append(ModelInfo(name="behavior", kind="behavior", version="",
                                source="model registry"))
    return [replace(m, version=row.version, sha256=row.sha256, path=Path(row.file_key))
            if m.kind == "behavior" else m for m in models]


@api_route(bp, "", "GET", "List the active models", access="view", response=Page[ModelOut])
def list_models() -> Page[ModelOut]:
    models = active_models()
    return Page[ModelOut](items=[ModelOut.of(m) for m in models], total=len(models), next=None)


@api_route(bp, "/<name>", "GET", "Get a model and its card", access="view", response=ModelOut,
           errors=(404,))
def get(name: str) -> ModelOut:
    for info in active_models():
        if info.name == name:
            return ModelOut.of(info)
    raise ApiError(404, f"no active model {name!r}")
