"""Engines, sessions and schema migrations.

SQLite is the default (one file, WAL mode so the API can read while a worker writes);
PostgreSQL is used by giving its URL. The schema is always created by Alembic.

Example:
    >>> engine = init_db("sqlite:///:memory:")
    >>> current_revision(engine) == head_revision()
    True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_URL",
    "current_revision",
    "default_url",
    "downgrade",
    "head_revision",
    "init_db",
    "make_engine",
    "session_factory",
    "upgrade",
]

DEFAULT_URL = "sqlite:///shopguard.db"
URL_ENV = "SHOPGUARD_DB_URL"
SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = "shopguard.storage:migrations"


def default_url() -> str:
    """``$SHOPGUARD_DB_URL``, else a ``shopguard.db`` SQLite file in the working directory."""
    return os.environ.get(URL_ENV) or DEFAULT_URL


def make_engine(url: str = DEFAULT_URL, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, busy_timeout and foreign keys.

    A bare ``postgresql://`` URL uses the psycopg (v3) driver.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the packaged Alembic migrations up to ``revision``."""
    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"``: an empty database)."""
    command.downgrade(_alembic_config(engine), revision)


def head_revision() -> str:
    """The newest revision of the packaged migrations (there is exactly one head)."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (``None`` for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def init_db(url: str | Engine = DEFAULT_URL) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision."""
    engine = url if isinstance(url, Engine) else make_engine(url)
    upgrade(engine)
    return engine
