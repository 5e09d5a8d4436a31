"""Storage test fixtures: real databases (SQLite file, fresh PostgreSQL database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.db import init_db, session_factory
from shopguard.storage.testing import db_url, postgres_admin_url

__all__ = ["db_url", "postgres_admin_url"]


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
