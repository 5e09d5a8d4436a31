"""Learning tests: real migrated databases, real evidence stores, small pose tracks."""

from __future__ import annotations

from shopguard.alerts.testing import http_recorder
from shopguard.storage.testing import (
    db_engine,
    db_sessions,
    postgres_admin_url,
    postgres_migrated_engine,
    sqlite_sessions,
)

__all__ = [
    "db_engine",
    "db_sessions",
    "http_recorder",
    "postgres_admin_url",
    "postgres_migrated_engine",
    "sqlite_sessions",
]
