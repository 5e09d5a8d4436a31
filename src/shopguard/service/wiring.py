"""Builds the service's long-lived parts (database, evidence archive) from its config."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from shopguard.config import S3Config, ServiceConfig
from shopguard.storage.db import init_db, make_engine, session_factory
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.evidence.local import LocalEvidenceStore
from shopguard.storage.evidence.s3 import S3EvidenceStore


class SetupError(RuntimeError):
    """The service cannot start with this configuration (message says why)."""


def open_database(config: ServiceConfig, migrate: bool = False) -> sessionmaker[Session]:
    """A session factory for the configured database; ``migrate`` runs Alembic first."""
    url = config.resolved_database_url
    engine = init_db(url) if migrate else make_engine(url)
    return session_factory(engine)


def _secret(inline: SecretStr | None, env: str, what: str) -> str:
    value = inline.get_secret_value() if inline is not None else os.environ.get(env)
    if not value:
        raise SetupError(f"storage.s3: no {what}: set ${env} (or storage.s3.{what})")
    return str(value)


def build_remote_store(s3: S3Config) -> S3EvidenceStore:
    """The S3-compatible store (IBM COS, AWS S3, MinIO) with HMAC keys."""
    return S3EvidenceStore(
        s3.bucket,
        endpoint_url=s3.endpoint_url,
        access_key=_secret(s3.access_key, s3.access_key_env, "access_key"),
        secret_key=_secret(s3.secret_key, s3.secret_key_env, "secret_key"),
        region=s3.region,
        prefix=s3.prefix,
    )


def build_archive(config: ServiceConfig) -> EvidenceArchive:
    """Local evidence spool under ``data_dir/evidence`` plus the remote store if any."""
    local = LocalEvidenceStore(config.data_dir / "evidence")
    remote = build_remote_store(config.storage.s3) if config.storage.s3 else None
    return EvidenceArchive(local, remote, keep_local=config.storage.keep_local)


def check_models(config: ServiceConfig) -> None:
    """``SetupError`` naming the field and the file unless every model file the
    configuration names (``models.pose``, ``models.behavior``) loads as that kind of
    model; the shipped defaults are left to the workers."""
    from shopguard.behavior.model import ModelLoadError, SequenceModel
    from shopguard.vision.onnx_session import ModelError
    from shopguard.vision.pose import PoseEstimator

    loaders: dict[str, Callable[[Path], object]] = {
        "pose": lambda path: PoseEstimator(path, threads=1, prefer_gpu=False),
        "behavior": lambda path: SequenceModel(path, threads=1),
    }
    for name, load in loaders.items():
        path = getattr(config.models, name)
        if path is None:
            continue
        try:
            load(path)
        except (ModelError, ModelLoadError) as exc:
            raise SetupError(f"models.{name}: {exc}") from None
