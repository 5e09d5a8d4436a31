"""Storage test fixtures: real databases (SQLite file, fresh PostgreSQL database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.db import init_db, session_factory
from shopguard.storage.testing import db_url, moto_s3, postgres_admin_url

__all__ = ["db_url", "moto_s3", "postgres_admin_url"]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database engine (SQLite file, then PostgreSQL)."""
    engine = init_db(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the migrated database."""
    return session_factory(engine)


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite file, for tests whose logic is the same on any database."""
    engine = init_db(f"sqlite:///{tmp_path / 'shopguard.db'}")
    yield session_factory(engine)
    engine.dispose()
