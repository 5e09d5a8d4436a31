"""Process restarts: a sender in a new process resumes what a dead one left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.channels.webhook import WebhookChannel
from shopguard.alerts.config import WebhookConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.outbox import OutboxSender
from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.storage.models import AlertDelivery, DeliveryStatus, utcnow

WORKER = textwrap.dedent(
    """
    import sys
    from shopguard.alerts.channels.webhook import WebhookChannel
    from shopguard.alerts.config import WebhookConfig
    from shopguard.alerts.message import MessageFormat
    from shopguard.alerts.outbox import OutboxSender, enqueue
    from shopguard.storage.db import make_engine, session_factory
    from shopguard.storage.models import utcnow
    from shopguard.storage.repository import create_event

    url, hook_url, send = sys.argv[1], sys.argv[2], sys.argv[3] == "send"
    sessions = session_factory(make_engine(url))
    with sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=utcnow(),
                             peak_score=0.9)
        enqueue(s, event, ["hook"])
    print("committed", flush=True)
    if send:
        channel = WebhookChannel(WebhookConfig(type="webhook", name="hook", url=hook_url,
                                               secret="s", timeout_s=30), MessageFormat())
        OutboxSender(sessions, {"hook": channel}, lease_s=120).send_due()
    """
)


def _worker(tmp_path: Path, engine: Engine, hook_url: str, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [sys.executable, str(script), url, hook_url, mode], stdout=subprocess.PIPE, text=True
    )


def _sender(sessions: sessionmaker[Session], url: str, **kwargs: Any) -> OutboxSender:
    channel = WebhookChannel(
        WebhookConfig.model_validate(
            {"type": "webhook", "name": "hook", "url": url, "secret": "s"}
        ),
        MessageFormat(),
    )
    return OutboxSender(sessions, {"hook": channel}, **kwargs)


def test_rows_committed_by_a_process_that_exits_are_sent_after_restart(
    tmp_path: Path,
    db_engine: Engine,
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
) -> None:
    worker = _worker(tmp_path, db_engine, http_recorder.url, "enqueue-only")
    assert worker.wait(60) == 0
    sender = _sender(db_sessions, http_recorder.url)
    try:
        sender.send_due()
    finally:
        sender.stop()
    with db_sessions() as s:
        assert list(s.scalars(select(AlertDelivery.status))) == [DeliveryStatus.SENT]
    assert len(http_recorder.requests) == 1


def test_a_sender_killed_mid_send_is_resumed_after_its_lease(
    tmp_path: Path,
    db_engine: Engine,
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
) -> None:
    http_recorder.script(Reply(200, delay_s=30))  # the worker hangs in the send
    worker = _worker(tmp_path, db_engine, http_recorder.url, "send")
    assert http_recorder.wait_for(1, timeout=60)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)

    with db_sessions() as s:
        row = s.scalars(select(AlertDelivery)).one()
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1  # claimed, leased
    now = utcnow()
    assert timedelta(seconds=60) < row.next_attempt_at - now <= timedelta(seconds=120)

    sender = _sender(db_sessions, http_recorder.url, clock=utcnow)
    try:
        sender.send_due()
        assert len(http_recorder.requests) == 1  # leased: not stolen while it may be sending
        later = _sender(
            db_sessions, http_recorder.url, clock=lambda: utcnow() + timedelta(minutes=3)
        )
        later.send_due()
        later.stop()
    finally:
        sender.stop()
    with db_sessions() as s:
        row = s.scalars(select(AlertDelivery)).one()
    assert row.status is DeliveryStatus.SENT and row.attempts == 2
    keys = [r.headers["Idempotency-Key"] for r in http_recorder.requests]
    assert keys == [row.idempotency_key] * 2
