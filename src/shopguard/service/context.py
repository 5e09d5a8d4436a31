"""What the API needs from the rest of the service, handed to ``create_app`` in one object.

The serve command builds a ``ServiceContext`` from the configuration and the running
supervisor and outbox; tests build one from a SQLite file and a temporary directory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from shopguard.config import ServiceConfig
from shopguard.service.channel_registry import ChannelRegistry
from shopguard.service.hub import LiveHub
from shopguard.storage.evidence.archive import EvidenceArchive

#: Where the built dashboard lives (``make web`` writes it here).
PACKAGE_STATIC = Path(__file__).resolve().parent.parent / "static"


class Outbox(Protocol):
    """The part of the alert sender the API uses (``alerts.outbox.OutboxSender`` fits)."""

    @property
    def counts(self) -> Mapping[str, int]:
        """Totals of ``sent``, ``failed`` and ``dead`` attempts."""

    def wake(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """An active model as listed by ``GET /api/models``; ``card_path`` is its Markdown card."""

    name: str
    kind: str
    version: str
    path: Path | None = None
    card_path: Path | None = None
    sha256: str | None = None
    license: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """HTTP-side settings.

    Attributes:
        secret_key: signs session cookies; from ``service.secret.load_secret_key`` (never a
            constant).
        public_base_url: the URL people open (alert links); empty: unknown.
        secure_cookies: mark cookies ``Secure`` (serve over HTTPS).
        session_max_age_s: a login lasts this long.
        max_streams: concurrent SSE/MJPEG responses; each holds a waitress thread, so keep
            it below the thread count (the rest serve REST calls). Over it: 503.
        heartbeat_s: SSE comment interval (keeps proxies from closing the connection).
        login_attempts, login_window_s: failed logins allowed per IP and per username
            within the window before 429.
        static_dir: the built dashboard.
        max_body_bytes: larger request bodies get 413.
    """

    secret_key: bytes
    public_base_url: str = ""
    secure_cookies: bool = False
    session_max_age_s: int = 12 * 3600
    max_streams: int = 16
    heartbeat_s: float = 15.0
    login_attempts: int = 5
    login_window_s: float = 60.0
    static_dir: Path = PACKAGE_STATIC
    max_body_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if len(self.secret_key) < 32:
            raise ValueError("secret_key must be at least 32 random bytes")


def _no_change() -> None:
    return None


def _cannot_test(url: str) -> dict[str, Any]:
    return {"ok": False, "error": "connection tests are not available in this process"}


@dataclass(slots=True)
class ServiceContext:
    """Everything ``create_app`` needs.

    Attributes:
        sessions: database session factory (the schema must be migrated).
        evidence: where clips and snapshots are read from.
        hub: live health, frames, metrics and change feed.
        settings: HTTP settings, including the cookie-signing key.
        channels: alert channel configurations (edited through ``/api/channels``).
        outbox: the alert sender, woken after a retry; ``None`` if none runs here.
        cameras_changed: called after a camera or zone is added, changed or removed (the
            supervisor re-reads the cameras and restarts the affected workers).
        test_connection: opens a source URL briefly and says what it found
            (``{"ok": bool, "error"?, "width"?, "height"?, "fps"?, "codec"?}``).
        models: the active models, for ``/api/models``.
        version: the service version shown by ``/api/health``.
        clock: wall-clock seconds, for session expiry and rate limits (injectable).
        config: the service configuration (retention policy and privacy notice; cameras
            come from the database).
    """

    sessions: sessionmaker[Session]
    evidence: EvidenceArchive
    hub: LiveHub
    settings: ApiSettings
    channels: ChannelRegistry = field(default_factory=ChannelRegistry)
    outbox: Outbox | None = None
    cameras_changed: Callable[[], None] = _no_change
    test_connection: Callable[[str], dict[str, Any]] = _cannot_test
    models: Sequence[ModelInfo] = ()
    version: str = ""
    clock: Callable[[], float] = time.time
    config: ServiceConfig = field(default_factory=ServiceConfig)
