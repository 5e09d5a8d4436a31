"""Registering, listing, promoting and rolling back behaviour model versions.

Every function takes the caller's session and flushes but never commits: the caller owns
the transaction. A promotion retires the active version and activates the candidate in
one transaction (the database allows one active version per kind). Promotions and
rollbacks are written to the audit log.

Rollback re-activates the version that was active before the current one: the current
version is retired and its promotion cleared (so a second rollback goes one further back
instead of returning to it); the audit log keeps the history.

Example:
    >>> with sessions.begin() as s:  # doctest: +SKIP
    ...     row = register(s, files, Path("runs/x/model.onnx"), created_by="alice")
    ...     promote(s, row.version, by="alice")
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopguard.behavior.model import SequenceModel
from shopguard.privacy.audit import Actor, AuditAction, record
from shopguard.registry.files import ModelFiles, model_key
from shopguard.registry.policy import PromotionPolicy, worse_reasons
from shopguard.storage.models import ModelStatus, ModelVersion, utcnow
from shopguard.training.report import json_safe

log = logging.getLogger(__name__)

BEHAVIOR = "behavior"
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_NUMBERED = re.compile(r"^v(\d+)$")


class RegistryError(ValueError):
    """The registry cannot do what was asked (unknown version, bad name, no previous)."""


class PromotionRefused(RegistryError):
    """The candidate is worse than the active model (or was not compared with it)."""

    def __init__(self, version: str, reasons: list[str]):
        self.reasons = reasons
        super().__init__(f"promotion of {version} refused: " + "; ".join(reasons))


def next_version(session: Session) -> str:
    """``v<N+1>`` for the highest numbered version ``v<N>`` (``v1`` for the first)."""
    numbers = [int(m.group(1)) for v in session.scalars(select(ModelVersion.version))
               if (m := _NUMBERED.match(v))]
    return f"v{max(numbers, default=0) + 1}"


def get_version(session: Session, version: str) -> ModelVersion:
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if row is None:
        raise RegistryError(f"no model version {version!r}")
    return row


def active_version(session: Session, kind: str = BEHAVIOR) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(
        ModelVersion.kind == kind, ModelVersion.status == ModelStatus.ACTIVE))


def list_versions(session: Session, kind: str = BEHAVIOR) -> list[ModelVersion]:
    """Every version of ``kind``, newest first."""
    return list(session.scalars(select(ModelVersion).where(ModelVersion.kind == kind)
                                .order_by(ModelVersion.created_at.desc(),
                                          ModelVersion.id.desc())))


def register(
    session: Session,
    files: ModelFiles,
    onnx: Path,
    *,
    version: str | None = None,
    checkpoint: Path | None = None,
    metrics: Mapping[str, Any] | None = None,
    training_data: Mapping[str, Any] | None = None,
    note: str = "",
    created_by: str = "",
    actor: Actor | None = None,
) -> ModelVersion:
    """Check that ``onnx`` loads as a behaviour model, store it and add a candidate.

    Raises ``ModelLoadError`` for an unusable file and ``RegistryError`` for a bad or
    taken version name. Nothing is left behind when it raises: files already stored for
    the version are deleted again (e.g. the checkpoint is missing or the row cannot be
    written). ``actor`` (default: ``created_by`` without an address) goes to the audit log.
    """
    model = SequenceModel(onnx)
    version = version or next_version(session)
    if not VERSION_RE.match(version):
        raise RegistryError(f"version {version!r} must be letters, digits, '.', '_', '-'")
    if session.scalar(select(ModelVersion.id).where(ModelVersion.version == version)):
        raise RegistryError(f"model version {version!r} already exists")
    uploads = [(model_key(version, ".onnx"), onnx)]
    if checkpoint is not None:
        uploads.append((model_key(version, ".pt"), checkpoint))
    try:
        info, *saved = [files.put(key, path) for key, path in uploads]
        checkpoint_key = saved[0].key if saved else None
        data = dict(training_data or {})
        data.setdefault("description", model.metadata.get("training_data", ""))
        row = ModelVersion(
            version=version, kind=BEHAVIOR, status=ModelStatus.CANDIDATE, file_key=info.key,
            sha256=info.sha256 or "", size=info.size, checkpoint_key=checkpoint_key,
            metrics=json_safe(dict(metrics or {})), training_data=json_safe(data),
            thresholds={"default": model.threshold, "cameras": {}},
            note=note, created_by=created_by,
        )
        session.add(row)
        session.flush()
        _audit(session, AuditAction.MODEL_REGISTER, actor or Actor(None, created_by or "system"),
               version, {"sha256": row.sha256, "size": row.size, "note": note})
    except BaseException:
        for key, _ in uploads:
            try:
                files.delete(key)
            except Exception as exc:  # e.g. the object store is down: the first error counts
                log.warning("could not remove %s after a failed registration: %s", key, exc)
        raise
    return row


def comparison_reasons(
    row: ModelVersion, active: ModelVersion, policy: PromotionPolicy | None = None
) -> list[str]:
    """Why ``row`` may not replace ``active`` (empty: it may), from its stored comparison."""
    comparison = row.metrics.get("comparison")
    if not isinstance(comparison, dict):
        return [f"{row.version} was never compared with the active model {active.version} "
                f"on a held-out split (shopguard evaluate --compare-with active)"]
    if comparison.get("baseline") != active.version:
        return [f"{row.version} was compared with {comparison.get('baseline')!r}, but "
                f"{active.version} is active now: evaluate again"]
    return worse_reasons(comparison.get("candidate", {}), comparison.get("active", {}), policy)


def _audit(session: Session, action: str, actor: Actor, version: str,
           detail: dict[str, Any]) -> None:
    record(session, actor, action, target_type="model_version", target_id=version,
           detail=detail)


def promote(
    session: Session,
    version: str,
    *,
    by: str,
    force_reason: str | None = None,
    policy: PromotionPolicy | None = None,
    actor: Actor | None = None,
) -> ModelVersion:
    """Make ``version`` the active model; the previous one is retired.

    Raises ``PromotionRefused`` when it is worse than the active model (see
    ``shopguard.registry.policy``) unless ``force_reason`` is given; the reason is stored
    with the version. ``actor`` (default: ``by`` without an address) goes to the audit log.
    """
    row = get_version(session, version)
    if row.status == ModelStatus.ACTIVE:
        raise RegistryError(f"{version} is already active")
    current = active_version(session, row.kind)
    reasons = comparison_reasons(row, current, policy) if current is not None else []
    if reasons and not (force_reason and force_reason.strip()):
        raise PromotionRefused(version, reasons)
    if current is not None:
        current.status = ModelStatus.RETIRED
        session.flush()  # one active version per kind, enforced by the database
    row.status = ModelStatus.ACTIVE
    row.promoted_at, row.promoted_by = utcnow(), by
    row.forced_reason = force_reason.strip() if reasons and force_reason else None
    _audit(session, AuditAction.MODEL_PROMOTE, actor or Actor(None, by), version,
           {"previous": current.version if current else None, "refusals": reasons,
            "forced_reason": row.forced_reason})
    session.flush()
    return row


def rollback(
    session: Session, *, by: str, kind: str = BEHAVIOR, actor: Actor | None = None
) -> ModelVersion:
    """Re-activate the version that was active before the current one."""
    current = active_version(session, kind)
    if current is None:
        raise RegistryError("no active model to roll back from")
    previous = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.kind == kind, ModelVersion.status == ModelStatus.RETIRED,
               ModelVersion.promoted_at.is_not(None))
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )
    if previous is None:
        raise RegistryError(f"no earlier active model to roll back to from {current.version}")
    current.status = ModelStatus.RETIRED
    current.promoted_at = current.promoted_by = None
    session.flush()
    previous.status = ModelStatus.ACTIVE
    _audit(session, AuditAction.MODEL_ROLLBACK, actor or Actor(None, by), previous.version,
           {"from": current.version})
    session.flush()
    return previous


def set_thresholds(
    session: Session, version: str, thresholds: Mapping[str, Any], *, actor: Actor
) -> ModelVersion:
    """Replace the operating thresholds stored with ``version`` (see ``camera_threshold``);
    the old and new default and per-camera values go to the audit log under ``actor``."""
    row = get_version(session, version)
    cameras = {str(k): float(v) for k, v in dict(thresholds.get("cameras", {})).items()}
    for camera, value in cameras.items():
        if not 0.0 < value <= 1.0:
            raise RegistryError(f"threshold of camera {camera!r} must be in (0, 1], got {value}")
    before = {"default": row.thresholds.get("default"), "cameras": row.thresholds.get("cameras")}
    row.thresholds = json_safe({**dict(thresholds), "cameras": cameras})
    _audit(session, AuditAction.MODEL_THRESHOLDS, actor, version,
           {"before": before, "after": {"default": row.thresholds.get("default"),
                                        "cameras": cameras}})
    session.flush()
    return row


def camera_threshold(thresholds: Mapping[str, Any], camera_id: str) -> float | None:
    """The operating threshold of ``camera_id``: its own, else the version's default."""
    value = dict(thresholds.get("cameras") or {}).get(camera_id, thresholds.get("default"))
    return float(value) if value is not None else None


def seed(session: Session, files: ModelFiles, path: Path, *, by: str = "system") -> str | None:
    """Register and activate ``path`` as the first version when the registry is empty
    (the first start of a service); returns the version, or ``None`` when nothing was done."""
    if session.scalar(select(ModelVersion.id).limit(1)) is not None or not path.is_file():
        return None
    row = register(session, files, path, note=f"first model, from {path.name}", created_by=by)
    promote(session, row.version, by=by)
    return row.version
