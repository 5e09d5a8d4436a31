"""The running service: database, outbox, evidence workers, camera supervisor and the API.

``Service`` owns every long-lived part of the service process. The API process never
decodes video: camera work happens in the supervisor's worker processes, which report
back through the supervisor to the live hub (dashboard) and the outbox (alerts).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from shopguard import __version__
from shopguard.alerts.channels import build_channel
from shopguard.alerts.config import ChannelConfig
from shopguard.alerts.message import MessageFormat, Notice
from shopguard.alerts.outbox import OutboxSender, enqueue, release_orphaned_claims
from shopguard.behavior.model import ModelLoadError, default_model_path
from shopguard.config import ServiceConfig
from shopguard.registry import store as registry_store
from shopguard.service.camera_store import load_cameras, seed_cameras
from shopguard.service.channel_source import ChannelSource, open_registry
from shopguard.service.context import ApiSettings, ServiceContext
from shopguard.service.hub import LiveHub
from shopguard.service.models_info import active_models
from shopguard.service.probe import probe_camera
from shopguard.service.server import make_server
from shopguard.service.supervisor import Supervisor
from shopguard.service.wiring import build_archive, check_models, open_database
from shopguard.service.worker import model_files
from shopguard.storage.evidence.archive import EvidenceUploader
from shopguard.storage.evidence.base import EvidenceError
from shopguard.storage.retention import RetentionPolicy, RetentionWorker

log = logging.getLogger(__name__)

GB = 1 << 30


class Service:
    """Starts, runs and stops everything in the service process."""

    def __init__(self, config: ServiceConfig):
        check_models(config)  # before anything is created: a bad model file is a config error
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.sessions = open_database(config, migrate=True)
        self.archive = build_archive(config)
        self.hub = LiveHub()
        fmt = MessageFormat(str(config.server.base_url or config.alerts.base_url),
                            config.alerts.timezone)
        self.channels = open_registry(config.data_dir, list(config.alerts.channels), fmt=fmt)
        self.channel_source = ChannelSource(config.data_dir, config.alerts)
        self.sender = OutboxSender(self.sessions, self._build_channels(self.channels.list()),
                                   policy=config.alerts.retry)
        self.channels.on_change = self._channels_changed
        self.uploader = EvidenceUploader(self.archive, self.sessions) if config.storage.s3 else None
        self.retention = RetentionWorker(
            self.sessions,
            self.archive,
            RetentionPolicy(
                max_age_days=config.storage.retention_days,
                min_free_bytes=int(config.storage.min_free_gb * GB)
                if config.storage.min_free_gb is not None else None,
            ),
        )
        self.supervisor = Supervisor(config, self)
        self.first_admin_password: str | None = None
        self._stopped = threading.Event()
        self._disk_full_seen: dict[str, int] = {}

    # ----- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Seed cameras and the first admin, then start the background workers."""
        from shopguard.service.accounts import ensure_first_admin

        with self.sessions.begin() as session:
            added = seed_cameras(session, self.config.cameras)
            self.first_admin_password = ensure_first_admin(session)
            release_orphaned_claims(session)  # sends cut short by a crash go out now
        if added:
            log.info("cameras added from the configuration: %s", ", ".join(added))
        self._seed_registry()
        self.sender.start()
        self.retention.start()
        if self.uploader is not None:
            self.uploader.start()
        self.supervisor.start(self.cameras())

    def stop(self) -> None:
        """Graceful stop: workers close their events and finish clips; pending deliveries
        stay in the outbox for the next start."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.supervisor.stop()
        self.sender.stop()
        self.retention.stop()
        if self.uploader is not None:
            self.uploader.stop()
        self.hub.close()

    def cameras(self) -> list[Any]:
        """The cameras as stored in the database."""
        with self.sessions() as session:
            return load_cameras(session)

    def create_app(self) -> Flask:
        """The Flask app serving the API and the dashboard."""
        from shopguard.service.app import create_app
        from shopguard.service.secret import load_secret_key

        settings = ApiSettings(
            secret_key=load_secret_key(self.config.data_dir),
            public_base_url=self.config.server.base_url,
            secure_cookies=self.config.server.secure_cookies,
            max_streams=max(4, self.config.server.threads // 2),
        )
        return create_app(
            ServiceContext(
                sessions=self.sessions,
                evidence=self.archive,
                hub=self.hub,
                settings=settings,
                channels=self.channels,
                outbox=self.sender,
                cameras_changed=lambda: self.supervisor.sync(self.cameras()),
                test_connection=probe_camera,
                models=active_models(self.config),
                version=__version__,
                config=self.config,
            )
        )

    def serve(self) -> None:
        """Serve HTTP with waitress until SIGTERM/SIGINT, then stop gracefully."""
        server = make_server(
            self.create_app(),
            self.config.server.host,
            self.config.server.port,
            self.config.server.threads,
        )

        def shutdown(signum: int, _frame: object) -> None:
            # A second signal forces the exit instead of waiting for the graceful stop.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            log.info("signal %d: shutting down", signum)
            # Raised wherever the main loop is; waitress' run() catches it and returns.
            # (Closing the listener instead ends the loop only when the signal lands in
            # select(): open client connections otherwise keep it running for ever.)
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        try:
            server.run()
        finally:
            server.close()
            self.stop()

    # ----- supervisor listener ---------------------------------------------------------
    def on_health(self, camera_id: str, health: dict[str, Any]) -> None:
        full = int(health.get("evidence_disk_full") or 0)
        if full > self._disk_full_seen.get(camera_id, 0):  # a clip hit a full disk
            log.warning("%s: evidence disk full; running retention now", camera_id)
            self.retention.wake()
        self._disk_full_seen[camera_id] = full
        self.hub.set_health(camera_id, health)

    def on_frame(self, camera_id: str, jpeg: bytes) -> None:
        self.hub.set_frame(camera_id, jpeg)

    def on_event(self, camera_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "event.opened":
            self.sender.wake()  # the worker committed the alert rows with the event
        elif kind == "event.evidence" and self.uploader is not None:
            self.uploader.wake()  # upload now rather than at the next idle round
        self.hub.publish(kind, data)

    def on_camera_offline(self, camera_id: str, reason: str) -> None:
        self._notice(camera_id, "offline", f"camera {camera_id} is offline: {reason}")

    def on_camera_recovered(self, camera_id: str) -> None:
        self._notice(camera_id, "recovered", f"camera {camera_id} is live again")

    # ----- internals -------------------------------------------------------------------
    def _seed_registry(self) -> None:
        """The configured behaviour model becomes registry version ``v1`` on a first start."""
        path = self.config.models.behavior or default_model_path()
        try:
            with self.sessions.begin() as session:
                version = registry_store.seed(session, model_files(self.config), path)
        except (ModelLoadError, OSError, EvidenceError) as exc:  # e.g. object store down
            log.error("behaviour model %s not registered (tried again at the next start): %s",
                      path, exc)
            return
        if version:
            log.info("behaviour model %s registered and active as %s", path, version)

    def _notice(self, camera_id: str, status: str, text: str) -> None:
        notice = Notice(camera_id, status, text, datetime.now(UTC))
        with self.sessions.begin() as session:
            enqueue(session, notice, self.channel_source.channels_for(None),
                    on_commit=self.sender.wake)
        self.hub.publish("camera.notice", {"camera_id": camera_id, "status": status,
                                           "text": text})

    def _build_channels(self, configs: list[ChannelConfig]) -> dict[str, Any]:
        fmt = self.channels.fmt
        loader = self.archive.read_key
        return {c.name: build_channel(c, fmt, loader) for c in configs if c.enabled}

    def _channels_changed(self, configs: list[ChannelConfig]) -> None:
        self.sender.channels = self._build_channels(configs)
