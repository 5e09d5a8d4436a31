"""API test fixtures: a real migrated SQLite file, a local evidence store, the live hub,
and signed-in clients of each role (Flask's test client: real requests through the app)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import Api, Clock, Recorder, signed_in
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from shopguard.service.accounts import use_hasher
from shopguard.service.app import create_app
from shopguard.service.context import ApiSettings, ServiceContext
from shopguard.service.hub import LiveHub
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore


@pytest.fixture(autouse=True, scope="session")
def cheap_argon2() -> Iterator[None]:
    """Cheap argon2 parameters: the tests hash many passwords (production: library defaults)."""
    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(previous)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = init_db(f"sqlite:///{tmp_path / 'shopguard.db'}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def ctx(sessions: sessionmaker[Session], tmp_path: Path, clock: Clock,
        recorder: Recorder) -> ServiceContext:
    return ServiceContext(
        sessions=sessions,
        evidence=EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence")),
        hub=LiveHub(),
        settings=ApiSettings(secret_key=os.urandom(32), static_dir=tmp_path / "static",
                             heartbeat_s=0.2),
        cameras_changed=recorder.cameras_changed,
        test_connection=recorder.test_connection,
        version="test",
        clock=clock,
    )


@pytest.fixture
def app(ctx: ServiceContext) -> Flask:
    return create_app(ctx)


@pytest.fixture
def admin(app: Flask, ctx: ServiceContext) -> Api:
    return signed_in(app, ctx, "alice", "admin")


@pytest.fixture
def reviewer(app: Flask, ctx: ServiceContext) -> Api:
    return signed_in(app, ctx, "rita", "reviewer")


@pytest.fixture
def viewer(app: Flask, ctx: ServiceContext) -> Api:
    return signed_in(app, ctx, "victor", "viewer")


