"""Pytest fixtures for tests that need real servers: databases and an S3 endpoint.

PostgreSQL is found in this order: ``$SHOPGUARD_TEST_POSTGRES_URL`` (an admin URL), a
server on 127.0.0.1:5432 as ``postgres`` or ``root``, or a throwaway server started
with ``initdb``/``pg_ctl`` in a temporary directory. Each test gets a fresh database,
dropped afterwards; if no server can be reached or started the test is skipped and the
reason says why. ``db_engine``/``db_sessions`` give a migrated database per test (on
PostgreSQL one migrated database per run, emptied before each test); ``db_url`` an
empty one. Import the fixtures into a ``conftest.py`` and list them in ``__all__``.

``moto_s3`` runs moto's S3 server (``moto[server]``, a dev dependency) on a free port.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.db import init_db, session_factory
from shopguard.storage.evidence import S3EvidenceStore
from shopguard.storage.models import Base

ENV_URL = "SHOPGUARD_TEST_POSTGRES_URL"
LOCAL_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "postgresql+psycopg://root@127.0.0.1:5432/postgres",
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be reached or started."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
    except ImportError as exc:
        raise PostgresUnavailable(f"no PostgreSQL driver: {exc}") from exc
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@contextlib.contextmanager
def _throwaway_server() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        raise PostgresUnavailable("no server on 127.0.0.1:5432 and no initdb/pg_ctl installed")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise PostgresUnavailable(
            f"no server on 127.0.0.1:5432, and initdb refuses to run as root; "
            f"start PostgreSQL or set {ENV_URL}"
        )
    with tempfile.TemporaryDirectory(prefix="shopguard-pg-") as tmp:
        data, port = Path(tmp) / "data", free_port()
        subprocess.run(
            [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [pg_ctl, "-D", str(data), "-o", options, "-l", f"{tmp}/log", "-w", "start"],
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """An admin URL of a reachable PostgreSQL server (started here if need be)."""
    if os.environ.get(ENV_URL):
        url = os.environ[ENV_URL]
        if not _answers(url):
            raise PostgresUnavailable(f"{ENV_URL}={url} does not answer")
        yield url
        return
    for url in LOCAL_URLS:
        if _answers(url):
            yield url
            return
    with _throwaway_server() as url:
        yield url


@contextlib.contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server of ``admin_url``; dropped on exit."""
    name = f"shopguard_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """Admin URL of the test PostgreSQL server; skips the test if there is none."""
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shopguard.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    with temporary_database(admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_migrated_engine(postgres_admin_url: str) -> Iterator[Engine]:
    """One migrated PostgreSQL database for the whole run (tables emptied per test)."""
    with temporary_database(postgres_admin_url) as url:
        engine = init_db(url)
        yield engine
        engine.dispose()


def _truncate_all(engine: Engine) -> None:
    """Empty every table; the append-only audit log's triggers are off for that moment."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a new SQLite file, then the run's PostgreSQL database."""
    if request.param == "sqlite":
        engine = init_db(f"sqlite:///{tmp_path / 'shopguard.db'}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_migrated_engine")
    _truncate_all(engine)
    yield engine


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite file, for logic that is the same on any database."""
    engine = init_db(f"sqlite:///{tmp_path / 'shopguard.db'}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def db_sessions(db_engine: Engine) -> sessionmaker[Session]:
    """A session factory on ``db_engine``."""
    return session_factory(db_engine)


class MotoS3:
    """A moto S3 server on a fixed port that a test can stop and start again (an outage).

    moto keeps its buckets in process memory, so objects survive a restart.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: Any = None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def store(self, bucket: str, **kwargs: Any) -> S3EvidenceStore:
        """A store on a new bucket of this server, retrying quickly."""
        kwargs = {"attempts": 2, "backoff_s": 0.01, "connect_timeout_s": 1, **kwargs}
        store = S3EvidenceStore(bucket, self.url, "test-key", "test-secret", "us-east-1", **kwargs)
        store.client.create_bucket(Bucket=bucket)
        return store


@pytest.fixture
def moto_s3() -> Iterator[MotoS3]:
    """A running moto S3 server of this test's own (real HTTP on 127.0.0.1)."""
    server = MotoS3()
    server.start()
    yield server
    server.stop()
