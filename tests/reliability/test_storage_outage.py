"""Outages of the stores behind the service: the object store (a real moto S3 server,
stopped and started) and the database (SQLite locked by another writer; PostgreSQL
connections terminated). Nothing is lost, errors are counted, nothing crashes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from service_harness import running_service, service_config, wait_until
from sqlalchemy import event as sa_event
from sqlalchemy import select, text

from shopguard.alerts.outbox import OutboxSender, enqueue
from shopguard.alerts.testing import HttpRecorder
from shopguard.events.manager import ActiveEvent, EventUpdate
from shopguard.service.event_sink import DatabaseEventSink
from shopguard.storage.db import init_db, make_engine, session_factory
from shopguard.storage.evidence.archive import EvidenceArchive
from shopguard.storage.evidence.local import LocalEvidenceStore
from shopguard.storage.models import AlertDelivery, DeliveryStatus, Event, EvidenceObject
from shopguard.storage.testing import MotoS3, temporary_database

pytestmark = [pytest.mark.integration]


@pytest.mark.slow
def test_object_store_down_keeps_evidence_local_and_uploads_later(
    tmp_path: Path, people_mp4: Path, alarm_model: Path, moto_s3: MotoS3,
) -> None:
    moto_s3.store("evidence")  # creates the bucket
    config = service_config(
        tmp_path, [{"id": "aisle", "url": str(people_mp4), "loop": True}], None, alarm_model,
        storage={"s3": {"bucket": "evidence", "endpoint_url": moto_s3.url,
                        "region": "us-east-1", "access_key": "k", "secret_key": "s"}},
    )
    moto_s3.stop()
    with running_service(config) as service:
        assert service.uploader is not None
        service.uploader.retry_s = 1.0  # retry quickly once the store is back

        def stored() -> list[EvidenceObject]:
            with service.sessions() as s:
                return list(s.scalars(select(EvidenceObject)))

        rows = wait_until(stored, 120, "evidence of an event")
        row = rows[0]
        assert not row.uploaded
        assert service.archive.local.exists(row.key)  # the only copy, kept local
        wait_until(lambda: service.uploader is not None and service.uploader.last_report.failed,
                   30, "a failed upload")

        moto_s3.start()

        def uploaded() -> bool:
            with service.sessions() as s:
                return bool(s.get_one(EvidenceObject, row.id).uploaded)
        wait_until(uploaded, 30, "the upload after the outage")
        assert service.archive.remote is not None
        assert service.archive.remote.exists(row.key)
        assert not service.archive.local.exists(row.key)  # local copy dropped after upload


def _update(camera: str, t: float) -> EventUpdate:
    ev = ActiveEvent(id=f"{camera}-{int(t)}-evt", camera_id=camera, track_id=1, t_start=t,
                     t_opened=t, t_end=t, peak_score=0.9, peak_t=t, peak_box=None, reasons=(),
                     model_versions={"pose": "p"})
    return EventUpdate("opened", ev)


def test_sqlite_locked_by_another_writer_is_retried_not_lost(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shopguard.db'}"
    init_db(url).dispose()
    engine = make_engine(url)
    sa_event.listen(engine, "connect",  # wait 0.2 s for a lock instead of 10 s
                    lambda conn, _r: conn.execute("PRAGMA busy_timeout=200"))
    sessions = session_factory(engine)
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    sink = DatabaseEventSink(sessions, archive, lambda _score: ["desk"])

    blocker = sqlite3.connect(tmp_path / "shopguard.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    sink.on_updates([_update("aisle", 1_800_000_000.0)])
    assert sink.errors >= 1  # reported, kept pending, no exception
    blocker.execute("ROLLBACK")
    blocker.close()

    sink.on_updates([_update("aisle", 1_800_000_100.0)])  # the next update retries both
    with sessions() as s:
        ids = sorted(s.scalars(select(Event.id)))
        keys = sorted(s.scalars(select(AlertDelivery.idempotency_key)))
    assert ids == ["aisle-1800000000-evt", "aisle-1800000100-evt"]
    assert keys == [f"{i}.desk" for i in ids]  # each event with its alert, committed together


@pytest.mark.slow
def test_postgres_connections_terminated_mid_run(
    postgres_admin_url: str, tmp_path: Path, http_recorder: HttpRecorder,
) -> None:
    from shopguard.alerts.channels.webhook import WebhookChannel
    from shopguard.alerts.config import WebhookConfig
    from shopguard.alerts.message import MessageFormat

    with temporary_database(postgres_admin_url) as url:
        engine = init_db(url)
        sessions = session_factory(engine)
        archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
        sink = DatabaseEventSink(sessions, archive, lambda _score: ["desk"])
        channel = WebhookChannel(
            WebhookConfig(type="webhook", name="desk", url=f"{http_recorder.url}/hook", secret="s"),
            MessageFormat("http://shopguard.local", "UTC"))
        sender = OutboxSender(sessions, {"desk": channel}, idle_s=0.5)
        sender.start()
        try:
            sink.on_updates([_update("aisle", 1_800_000_000.0)])
            assert http_recorder.wait_for(1, 15)
            dbname = engine.url.database
            admin = make_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:  # every pooled connection of the service dies
                killed = c.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": dbname}).scalar()
            admin.dispose()
            assert killed and killed >= 1

            sink.on_updates([_update("aisle", 1_800_000_100.0)])  # pre-ping reconnects
            with sessions.begin() as s:  # a notice enqueued by the service itself
                from datetime import UTC, datetime

                from shopguard.alerts.message import Notice
                enqueue(s, Notice("aisle", "offline", "down", datetime.now(UTC)), ["desk"],
                        on_commit=sender.wake)
            assert http_recorder.wait_for(3, 30), len(http_recorder.requests)

            def all_sent() -> bool:
                with sessions() as s:
                    return all(d.status == DeliveryStatus.SENT
                               for d in s.scalars(select(AlertDelivery)))
            wait_until(all_sent, 30, "every delivery sent")
        finally:
            sender.stop()
            engine.dispose()
