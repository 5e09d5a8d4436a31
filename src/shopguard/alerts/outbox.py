"""The durable alert outbox: rows written with the event, sent by a background sender.

``enqueue`` adds one ``alert_deliveries`` row per channel in the caller's transaction,
so an event and its alerts are committed together or not at all. ``OutboxSender`` sends
due rows (woken at once by ``wake()``, no polling in the hot path), records every
attempt, retries with exponential backoff and jitter, and dead-letters a row after
``max_attempts`` or a permanent error; ``retry`` requeues a dead row.

Delivery is at least once. Each row is claimed with a lease (``next_attempt_at`` moved
``lease_s`` ahead and ``attempts`` incremented by a compare-and-set ``UPDATE``, after
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so several senders never send the
same row twice while it is leased, and a sender that dies mid-send leaves rows that
another sender picks up when the lease runs out. The receiver gets a deterministic
idempotency key (``<event id>.<channel>``) to drop the duplicates a crash can cause.

Example:
    >>> with sessions.begin() as s:  # doctest: +SKIP
    ...     event = create_event(s, ...)
    ...     enqueue(s, event, config.channels_for(event.peak_score), on_commit=sender.wake)
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.channels.base import Channel, Delivery, DeliveryError
from shopguard.alerts.config import RetryPolicy
from shopguard.alerts.message import Notice, event_payload, notice_payload
from shopguard.storage.background import WakeableLoop
from shopguard.storage.models import (
    AlertDelivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    utcnow,
)

log = logging.getLogger(__name__)

#: Pauses between attempts to record a delivery's result while the database is away.
RECORD_RETRY_S = (0.2, 1.0, 3.0)

Clock = Callable[[], datetime]


def idempotency_key(item: Event | Notice, channel: str) -> str:
    """``<event id>.<channel>`` (or ``notice.<camera>.<status>.<unix s>.<channel>``)."""
    base = item.id if isinstance(item, Event) else item.idempotency_base()
    return f"{base}.{channel}"


def enqueue(
    session: Session,
    item: Event | Notice,
    channels: Iterable[str],
    *,
    on_commit: Callable[[], None] | None = None,
) -> list[AlertDelivery]:
    """Add a pending delivery per channel to the caller's transaction; returns new rows.

    Enqueuing the same event for the same channel twice adds nothing (the key exists).
    ``on_commit`` (e.g. ``OutboxSender.wake``) runs once the transaction commits.
    """
    if isinstance(item, Event):
        session.flush()  # the event id and its evidence rows are needed for the payload
        payload, event_id = event_payload(item), item.id
    else:
        payload, event_id = notice_payload(item), None
    keys = {idempotency_key(item, c): c for c in dict.fromkeys(channels)}
    if not keys:
        return []
    existing = set(
        session.scalars(
            select(AlertDelivery.idempotency_key).where(AlertDelivery.idempotency_key.in_(keys))
        )
    )
    rows = [
        AlertDelivery(event_id=event_id, channel=c, payload=payload, idempotency_key=k)
        for k, c in keys.items()
        if k not in existing
    ]
    session.add_all(rows)
    session.flush()
    if on_commit is not None and rows:
        sa_event.listen(session, "after_commit", lambda _s: on_commit(), once=True)
    return rows


def retry(session: Session, delivery_id: int, *, now: datetime | None = None) -> AlertDelivery:
    """Requeue a dead (or pending) delivery to be sent now with a fresh attempt budget.

    Raises ``LookupError`` for an unknown id and ``ValueError`` for a sent delivery.
    """
    row = session.get(AlertDelivery, delivery_id, with_for_update=True)
    if row is None:
        raise LookupError(f"no alert delivery {delivery_id}")
    if row.status == DeliveryStatus.SENT:
        raise ValueError(f"alert delivery {delivery_id} was already sent")
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now or utcnow()
    session.flush()
    return row


def release_orphaned_claims(session: Session, *, now: datetime | None = None) -> int:
    """Make rows claimed by a sender that died mid-send due again now; returns how many.

    A claimed row has one more attempt counted than recorded until its result is stored;
    without this its lease (5 minutes by default) would delay the alert after a crash.
    Call it when the service starts, before its sender runs, with no other sender alive
    (a live sender's rows would be sent twice; receivers drop that by idempotency key).
    """
    now = now or utcnow()
    recorded = (
        select(func.count(DeliveryAttempt.id))
        .where(DeliveryAttempt.delivery_id == AlertDelivery.id)
        .scalar_subquery()
    )
    result = session.execute(
        update(AlertDelivery)
        .where(
            AlertDelivery.status == DeliveryStatus.PENDING,
            AlertDelivery.next_attempt_at > now,
            AlertDelivery.attempts > recorded,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.warning("%d alert deliveries were in flight when the last sender stopped; "
                    "sending them again (receivers de-duplicate by idempotency key)", count)
    return count


@dataclass(frozen=True, slots=True)
class _Outcome:
    delivery: Delivery
    error: str | None
    retryable: bool
    duration_s: float


class OutboxSender:
    """Sends due deliveries through ``channels`` from a background thread.

    Each claimed row is sent and recorded on one of ``workers`` threads, so a slow
    receiver holds up neither the other channels nor the next alert (until every worker
    is busy). ``counts`` holds ``sent``/``failed``/``dead`` totals for metrics.

    Args:
        sessions: session factory of the outbox database.
        channels: channel by name; a row for an unknown channel is dead-lettered.
        policy: backoff and dead-letter limit.
        workers: sends in flight at most.
        lease_s: how long a claimed row is hidden from other senders; must exceed the
            longest channel send (timeout, plus the e-mail snapshot wait).
        idle_s: longest wait between looks at the table when nothing wakes the sender.
        clock, rng: injectable for tests.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        channels: Mapping[str, Channel],
        *,
        policy: RetryPolicy | None = None,
        workers: int = 8,
        lease_s: float = 300.0,
        idle_s: float = 60.0,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ):
        if workers < 1:
            raise ValueError("workers must be ≥ 1")
        self.sessions, self.channels = sessions, dict(channels)
        self.policy = policy or RetryPolicy()
        self.workers, self.lease, self.idle_s = workers, timedelta(seconds=lease_s), idle_s
        self.clock, self.rng = clock, rng or random.Random()
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="outbox-send")
        self._loop = WakeableLoop("outbox-sender", self.run_once, idle_s=idle_s)

    def start(self) -> None:
        self._loop.start()

    def wake(self) -> None:
        """Send due rows now (call after committing new alerts)."""
        self._loop.wake()

    def stop(self) -> None:
        """Stop the thread and wait for sends in flight; the sender cannot restart."""
        self._loop.stop()
        self._pool.shutdown(wait=True)

    def run_once(self) -> float | None:
        """Start sending due rows (as many as there are free workers) without waiting.

        Returns the seconds until the next look (≤ ``idle_s``, so rows enqueued by other
        processes, which cannot ``wake`` this one, go out too); ``None`` when every worker
        is busy (a worker wakes the loop when it finishes).
        """
        with self._lock:
            free = self.workers - self._in_flight
        if free <= 0:
            return None
        if len(self._dispatch(free)) == free:
            return 0.0
        next_due = self.next_due_in()
        return self.idle_s if next_due is None else min(next_due, self.idle_s)

    def send_due(self) -> int:
        """Send every row due now and wait for the results (tests, one-shot tools)."""
        sent = 0
        while futures := self._dispatch(self.workers):
            wait(futures)
            sent += len(futures)
        return sent

    def next_due_in(self) -> float | None:
        """Seconds until the earliest pending row is due (0 if overdue; ``None``: none)."""
        with self.sessions() as s:
            next_due: datetime | None = s.scalar(
                select(func.min(AlertDelivery.next_attempt_at)).where(
                    AlertDelivery.status == DeliveryStatus.PENDING
                )
            )
        if next_due is None:
            return None
        return max(0.0, (next_due - self.clock()).total_seconds())

    def _dispatch(self, limit: int) -> list[Future[None]]:
        claimed = self._claim(limit)
        with self._lock:
            self._in_flight += len(claimed)
        return [self._pool.submit(self._deliver, d) for d in claimed]

    def _deliver(self, delivery: Delivery) -> None:
        try:
            self._record_retrying(self._send(delivery))
        except Exception:  # e.g. the database is gone: the lease expires, a retry follows
            log.exception("recording alert %s failed", delivery.idempotency_key)
        finally:
            with self._lock:
                self._in_flight -= 1
            self._loop.wake()  # a worker is free, and a failure may have set a new due time

    def _claim(self, limit: int) -> list[Delivery]:
        with self.sessions.begin() as s:
            now = self.clock()
            due = s.execute(
                select(
                    AlertDelivery.id,
                    AlertDelivery.channel,
                    AlertDelivery.idempotency_key,
                    AlertDelivery.payload,
                    AlertDelivery.attempts,
                )
                .where(
                    AlertDelivery.status == DeliveryStatus.PENDING,
                    AlertDelivery.next_attempt_at <= now,
                )
                .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = []
            for row in due:
                taken = s.connection().execute(
                    update(AlertDelivery)
                    .where(
                        AlertDelivery.id == row.id,
                        AlertDelivery.status == DeliveryStatus.PENDING,
                        AlertDelivery.attempts == row.attempts,
                    )
                    .values(attempts=row.attempts + 1, next_attempt_at=now + self.lease)
                )
                if taken.rowcount == 1:
                    claimed.append(
                        Delivery(
                            row.id, row.channel, row.idempotency_key, row.payload, row.attempts + 1
                        )
                    )
        return claimed

    def _send(self, delivery: Delivery) -> _Outcome:
        start = time.perf_counter()
        channel = self.channels.get(delivery.channel)
        if channel is None:
            error, retryable = f"no channel named {delivery.channel!r} is configured", False
        else:
            try:
                channel.send(delivery)
                error, retryable = None, True
            except DeliveryError as exc:
                error, retryable = str(exc) or type(exc).__name__, exc.retryable
            except Exception as exc:  # a channel bug must not lose the alert
                log.exception("channel %s raised", delivery.channel)
                error, retryable = f"{type(exc).__name__}: {exc}", True
        return _Outcome(delivery, error, retryable, time.perf_counter() - start)

    def _record_retrying(self, outcome: _Outcome) -> None:
        """``_record``, retried while the database is briefly away (a dropped connection, a
        busy SQLite file): the message went out, and an unrecorded send would be repeated
        when its lease expires."""
        for delay in (*RECORD_RETRY_S, None):
            try:
                self._record(outcome)
                return
            except DBAPIError as exc:
                if delay is None:
                    raise
                log.warning("recording alert %s failed (%s); retrying in %.1f s",
                            outcome.delivery.idempotency_key, type(exc.orig).__name__, delay)
                time.sleep(delay)

    def _record(self, outcome: _Outcome) -> None:
        d = outcome.delivery
        with self.sessions.begin() as s:
            now = self.clock()
            s.add(
                DeliveryAttempt(
                    delivery_id=d.id,
                    at=now,
                    ok=outcome.error is None,
                    error=outcome.error,
                    duration_s=outcome.duration_s,
                )
            )
            row = s.get_one(AlertDelivery, d.id, with_for_update=True)
            if outcome.error is None:
                row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, None
                result = "sent"
            elif not outcome.retryable or row.attempts >= self.policy.max_attempts:
                row.status, row.last_error = DeliveryStatus.DEAD, outcome.error
                result = "dead"
            else:
                delay = self.policy.delay_s(row.attempts, self.rng.random())
                row.next_attempt_at, row.last_error = now + timedelta(seconds=delay), outcome.error
                result = "failed"
        with self._lock:
            self.counts[result] += 1
        if result == "sent":
            log.info("alert %s sent on %s (attempt %d)", d.idempotency_key, d.channel, d.attempt)
        else:
            log.warning(
                "alert %s on %s %s (attempt %d): %s",
                d.idempotency_key,
                d.channel,
                result,
                d.attempt,
                outcome.error,
            )
