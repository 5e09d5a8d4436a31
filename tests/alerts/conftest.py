"""Alert test fixtures: real databases and real receivers (HTTP, SMTP, MQTT)."""

from __future__ import annotations

from shopguard.alerts.testing import http_recorder, mosquitto, smtp_server
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
    "mosquitto",
    "postgres_admin_url",
    "postgres_migrated_engine",
    "smtp_server",
    "sqlite_sessions",
]
