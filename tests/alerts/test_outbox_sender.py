"""OutboxSender against a real webhook receiver: retries, backoff, dead letters, outages,
slow receivers, latency and concurrent senders, on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.channels.base import Channel, Delivery
from shopguard.alerts.channels.webhook import WebhookChannel
from shopguard.alerts.config import RetryPolicy, WebhookConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.outbox import OutboxSender, enqueue, retry
from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.storage.models import AlertDelivery, DeliveryStatus, utcnow
from shopguard.storage.repository import create_event

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.05, max_delay_s=0.2)


class Clock:
    """A clock the test moves by hand; starts at the real now (after the rows it sends)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def webhook(url: str, name: str = "hook", timeout_s: float = 2.0) -> WebhookChannel:
    config = WebhookConfig.model_validate(
        {"type": "webhook", "name": name, "url": url, "secret": "s", "timeout_s": timeout_s}
    )
    return WebhookChannel(config, MessageFormat())


def _alert(sessions: sessionmaker[Session], channels: list[str], **kwargs: Any) -> list[int]:
    with sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=utcnow(), peak_score=0.9)
        return [r.id for r in enqueue(s, event, channels, **kwargs)]


def _row(sessions: sessionmaker[Session], delivery_id: int) -> AlertDelivery:
    with sessions() as s:
        row = s.get_one(AlertDelivery, delivery_id)
        _ = row.attempt_log  # load while the session is open
        return row


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def make_sender(db_sessions: sessionmaker[Session]) -> Iterator[Callable[..., OutboxSender]]:
    senders: list[OutboxSender] = []

    def make(channels: dict[str, Channel], **kwargs: Any) -> OutboxSender:
        kwargs.setdefault("policy", FAST)
        sender = OutboxSender(db_sessions, channels, **kwargs)
        senders.append(sender)
        return sender

    yield make
    for sender in senders:
        sender.stop()


def test_sends_and_records_the_attempt(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    [delivery_id] = _alert(db_sessions, ["hook"])
    sender = make_sender({"hook": webhook(http_recorder.url)})
    assert sender.send_due() == 1
    assert sender.next_due_in() is None  # nothing else is pending
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.SENT and row.attempts == 1
    assert row.sent_at is not None and row.last_error is None
    [attempt] = row.attempt_log
    assert attempt.ok and attempt.error is None and attempt.duration_s > 0
    [request] = http_recorder.requests
    assert request.headers["Idempotency-Key"] == row.idempotency_key
    assert sender.counts["sent"] == 1
    sender.send_due()
    assert len(http_recorder.requests) == 1  # sent rows are never sent again


def test_500_is_retried_with_backoff_then_delivered(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    http_recorder.script(Reply(500, b"boom"))
    [delivery_id] = _alert(db_sessions, ["hook"])
    clock = Clock()
    policy = RetryPolicy(max_attempts=5, base_delay_s=10, jitter=0.0)
    sender = make_sender({"hook": webhook(http_recorder.url)}, policy=policy, clock=clock)

    sender.send_due()
    assert sender.next_due_in() == pytest.approx(10.0)  # next try in base_delay_s
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1
    assert row.last_error == "HTTP 500: boom"
    assert row.next_attempt_at == clock.now + timedelta(seconds=10)

    clock.advance(5)
    sender.send_due()
    assert len(http_recorder.requests) == 1  # not due yet
    clock.advance(5)
    sender.send_due()
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.SENT and row.attempts == 2
    assert [(a.ok, a.error) for a in row.attempt_log] == [(False, "HTTP 500: boom"), (True, None)]
    keys = {r.headers["Idempotency-Key"] for r in http_recorder.requests}
    assert keys == {row.idempotency_key}


def test_dead_letter_after_the_limit_and_manual_retry(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    http_recorder.default = Reply(503)
    [delivery_id] = _alert(db_sessions, ["hook"])
    clock = Clock()
    sender = make_sender({"hook": webhook(http_recorder.url)}, clock=clock)
    for _ in range(FAST.max_attempts):
        sender.send_due()
        clock.advance(60)
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.DEAD and row.attempts == FAST.max_attempts
    assert len(row.attempt_log) == FAST.max_attempts and row.last_error == "HTTP 503: {}"
    sender.send_due()
    assert len(http_recorder.requests) == FAST.max_attempts  # dead rows stay put
    assert sender.counts == {"failed": 2, "dead": 1}

    http_recorder.default = Reply(200)
    with db_sessions.begin() as s:
        retry(s, delivery_id, now=clock.now)
    sender.send_due()
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.SENT and len(row.attempt_log) == FAST.max_attempts + 1
    with db_sessions.begin() as s, pytest.raises(ValueError, match="already sent"):
        retry(s, delivery_id)
    with db_sessions.begin() as s, pytest.raises(LookupError):
        retry(s, 987654)


def test_permanent_errors_and_unknown_channels_dead_letter_at_once(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    http_recorder.default = Reply(400, b"bad payload")
    sender = make_sender({"hook": webhook(http_recorder.url)})
    hook_id, gone_id = _alert(db_sessions, ["hook", "pager"])
    sender.send_due()
    hook, gone = _row(db_sessions, hook_id), _row(db_sessions, gone_id)
    assert (hook.status, hook.attempts, hook.last_error) == (
        DeliveryStatus.DEAD,
        1,
        "HTTP 400: bad payload",
    )
    assert gone.status is DeliveryStatus.DEAD
    assert gone.last_error == "no channel named 'pager' is configured"


class Exploding:
    name = "boom"

    def send(self, delivery: Delivery) -> None:
        raise KeyError("bug in a channel")


def test_a_channel_bug_is_recorded_and_retried(
    db_sessions: sessionmaker[Session], make_sender: Callable[..., OutboxSender]
) -> None:
    sender = make_sender({"boom": Exploding()})
    [delivery_id] = _alert(db_sessions, ["boom"])
    sender.send_due()
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.PENDING and row.last_error == "KeyError: 'bug in a channel'"


def test_receiver_down_for_a_while_loses_nothing(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    policy = RetryPolicy(max_attempts=50, base_delay_s=0.05, max_delay_s=0.1)
    sender = make_sender({"hook": webhook(http_recorder.url)}, policy=policy)
    http_recorder.stop()
    sender.start()
    ids = [i for _ in range(5) for i in _alert(db_sessions, ["hook"], on_commit=sender.wake)]
    assert _until(lambda: all(_row(db_sessions, i).attempts >= 2 for i in ids))
    assert all(_row(db_sessions, i).status is DeliveryStatus.PENDING for i in ids)

    http_recorder.start()  # the receiver is back on the same port
    assert _until(lambda: all(_row(db_sessions, i).status is DeliveryStatus.SENT for i in ids))
    delivered = {r.headers["Idempotency-Key"] for r in http_recorder.requests}
    assert delivered == {_row(db_sessions, i).idempotency_key for i in ids}
    assert all("request failed" in (_row(db_sessions, i).attempt_log[0].error or "") for i in ids)


def test_slow_receiver_times_out_and_the_retry_keeps_the_key(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    http_recorder.script(Reply(200, delay_s=1.0))
    [delivery_id] = _alert(db_sessions, ["hook"])
    clock = Clock()
    sender = make_sender({"hook": webhook(http_recorder.url, timeout_s=0.2)}, clock=clock)
    sender.send_due()
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.PENDING and row.last_error == "timed out after 0.2 s"
    clock.advance(60)
    sender.send_due()
    assert _row(db_sessions, delivery_id).status is DeliveryStatus.SENT
    keys = [r.headers["Idempotency-Key"] for r in http_recorder.requests]
    assert keys == [row.idempotency_key] * 2  # the receiver can drop the duplicate


def test_wake_sends_at_once_without_polling(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    sender = make_sender({"hook": webhook(http_recorder.url)}, idle_s=30.0)
    sender.start()
    latencies = []
    for n in range(1, 8):
        committed = time.monotonic()
        _alert(db_sessions, ["hook"], on_commit=sender.wake)
        assert http_recorder.wait_for(n, timeout=5)
        latencies.append(time.monotonic() - committed)
    # The target is ≤ 1 s median from threshold to first channel; the outbox adds little.
    assert statistics.median(latencies) < 0.5, latencies


def test_a_slow_channel_holds_up_neither_other_channels_nor_the_next_alert(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    slow, fast = HttpRecorder(), http_recorder
    slow.default = Reply(200, delay_s=1.5)
    slow.start()
    try:
        sender = make_sender({"slow": webhook(slow.url), "fast": webhook(fast.url)})
        sender.start()
        start = time.monotonic()
        [slow_id, _] = _alert(db_sessions, ["slow", "fast"], on_commit=sender.wake)
        assert fast.wait_for(1, timeout=5)
        _alert(db_sessions, ["fast"], on_commit=sender.wake)  # the next event
        assert fast.wait_for(2, timeout=5)
        assert time.monotonic() - start < 1.0  # both before the slow receiver answered
        assert _row(db_sessions, slow_id).status is DeliveryStatus.PENDING
        assert _until(lambda: _row(db_sessions, slow_id).status is DeliveryStatus.SENT)
    finally:
        sender.stop()
        slow.stop()


def test_concurrent_senders_send_each_row_once(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    ids = [i for _ in range(12) for i in _alert(db_sessions, ["hook"])]
    senders = [make_sender({"hook": webhook(http_recorder.url)}, workers=2) for _ in range(3)]
    barrier = threading.Barrier(len(senders))

    def run(sender: OutboxSender) -> None:
        barrier.wait()
        sender.send_due()

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with db_sessions() as s:
        statuses = s.scalars(select(AlertDelivery.status).where(AlertDelivery.id.in_(ids)))
        assert set(statuses) == {DeliveryStatus.SENT}
    keys = [r.headers["Idempotency-Key"] for r in http_recorder.requests]
    assert len(keys) == len(set(keys)) == len(ids)
    assert sum(s.counts["sent"] for s in senders) == len(ids)


def test_bad_sender_settings_are_refused(db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="workers"):
        OutboxSender(db_sessions, {}, workers=0)


def test_a_result_is_recorded_after_the_database_drops_out_mid_record(
    db_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    make_sender: Callable[..., OutboxSender],
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    engine = db_sessions.kw["bind"]
    failures = []

    def drop_first_record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The connection dies after the webhook answered, while the result is written.
        if statement.lstrip().upper().startswith("INSERT INTO DELIVERY_ATTEMPTS") \
                and not failures:
            failures.append(statement)
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", drop_first_record)
    try:
        [delivery_id] = _alert(db_sessions, ["hook"])
        sender = make_sender({"hook": webhook(http_recorder.url)})
        assert sender.send_due() == 1
    finally:
        event.remove(engine, "before_cursor_execute", drop_first_record)
    assert failures, "the fault was never injected"
    row = _row(db_sessions, delivery_id)
    assert row.status is DeliveryStatus.SENT and row.attempts == 1
    assert len(row.attempt_log) == 1 and len(http_recorder.requests) == 1  # sent once
