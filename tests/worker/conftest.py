"""Worker test fixtures: real databases and a recording HTTP receiver."""

from __future__ import annotations

from shopguard.alerts.testing import http_recorder
from shopguard.storage.testing import (
    db_engine,
    db_sessions,
    postgres_admin_url,
    postgres_migrated_engine,
)

__all__ = [
    "db_engine",
    "db_sessions",
    "http_recorder",
    "postgres_admin_url",
    "postgres_migrated_engine",
]
