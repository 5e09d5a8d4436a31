"""Privacy test fixtures: real databases and a moto S3 server."""

from __future__ import annotations

from shopguard.storage.testing import (
    db_engine,
    db_sessions,
    moto_s3,
    postgres_admin_url,
    postgres_migrated_engine,
    sqlite_sessions,
)

__all__ = [
    "db_engine",
    "db_sessions",
    "moto_s3",
    "postgres_admin_url",
    "postgres_migrated_engine",
    "sqlite_sessions",
]
