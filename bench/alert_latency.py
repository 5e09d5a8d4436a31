"""Alert latency: from the assessment that opens an event to the alert reaching a channel.

A synthetic camera (one suspicious person per event among ``--others`` calm ones, frames
at 10 fps, one assessment per track every ``--stride`` seconds of stream time) drives the
real ``EventManager`` and ``EvidenceRecorder``, like ``service.camera.CameraPipeline``.
On an ``opened`` update the sink stores the event and enqueues its alert in the durable
outbox (SQLite, one transaction), and the real ``OutboxSender`` sends it through the real
``WebhookChannel`` to a local receiver, while the recorder encodes clips in the
background. The loop is paced at ``--speed`` × real time (default 10), so the evidence
writer has that many times a live camera's work: a pessimistic load.

Reported per opening rule (score ≥ threshold in K of the last M assessments):

* decision delay: stream time from the first assessment over the threshold to the one
  that opens the event, (K - 1) × stride for a clean rise; it is inherent to the rule;
* outbox: wall time from calling ``EventManager.update`` with the opening assessment
  until the event and its delivery row are committed;
* webhook: the same until the local receiver has the signed POST;
* total: decision delay + webhook.

Usage: ``python bench/alert_latency.py [--events 100] [--rules 2/3,3/5]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.channels.webhook import WebhookChannel
from shopguard.alerts.config import WebhookConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.outbox import OutboxSender, enqueue
from shopguard.core import Assessment, Frame
from shopguard.events.config import EventConfig
from shopguard.events.evidence import EvidenceRecorder
from shopguard.events.manager import ActiveEvent, EventManager, EventUpdate
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.repository import create_event
from shopguard.video.ring_buffer import RingBuffer

FPS = 10


@dataclass
class Result:
    rule: str
    decision_s: list[float]
    outbox_s: list[float]
    webhook_s: list[float]


class Receiver:
    """A local webhook endpoint recording when each event id arrived (perf_counter)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.arrived[json.loads(body)["event_id"]] = time.perf_counter()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alert"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Outbox:
    """The service's side of an alert: event row + delivery row, then the real sender."""

    def __init__(self, db_path: Path, receiver_url: str) -> None:
        self.sessions: sessionmaker[Session] = session_factory(init_db(f"sqlite:///{db_path}"))
        channel = WebhookConfig.model_validate(
            {"type": "webhook", "url": receiver_url, "secret": "bench"}
        )
        webhook = WebhookChannel(channel, MessageFormat())
        self.sender = OutboxSender(self.sessions, {"webhook": webhook})
        self.sender.start()

    def alert(self, event: ActiveEvent) -> None:
        """Store the event and enqueue its alert in one transaction; wakes the sender."""
        with self.sessions.begin() as s:
            row = create_event(
                s,
                camera_id=event.camera_id,
                track_id=event.track_id,
                started_at=datetime.fromtimestamp(event.t_start, UTC),
                peak_score=event.peak_score,
                peak_t=event.peak_t,
                reasons=event.reasons,
                event_id=event.id,
            )
            enqueue(s, row, ["webhook"], on_commit=self.sender.wake)


@dataclass
class Setup:
    events: int
    stride: float
    others: int
    speed: float
    evidence: bool


def run_rule(k: int, m: int, setup: Setup, receiver: Receiver, outbox: Outbox) -> Result:
    config = EventConfig(
        open_k=k, open_m=m, quiet_s=1.0, track_cooldown_s=0.0, camera_cooldown_s=0.0,
        pre_roll_s=2.0, post_roll_s=1.0,
    )  # fmt: skip
    manager = EventManager("bench", config)
    ring = RingBuffer(seconds=config.pre_roll_s + m * setup.stride + 1.0)
    committed: dict[str, float] = {}
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (360, 640, 3), np.uint8)
    started: dict[str, float] = {}
    decision: dict[str, float] = {}
    cycle = round(5.0 * FPS)  # per event: 1 s calm, 2 s suspicious, 2 s calm
    step = max(1, round(setup.stride * FPS))
    wall0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as work, EvidenceRecorder(ring, work, config) as recorder:
        for i in range(setup.events * cycle):
            t, phase = i / FPS, (i % cycle) / FPS
            time.sleep(max(0.0, wall0 + t / setup.speed - time.perf_counter()))
            suspect, first_hit = 10_000 + i // cycle, t - phase + 1.0
            updates: list[EventUpdate] = []
            if i % step == 0:
                calm = rng.uniform(0.0, 0.3, setup.others)
                assessments = [Assessment(j, t, 0.1, float(s)) for j, s in enumerate(calm)]
                high = 1.0 <= phase < 3.0
                assessments.append(Assessment(suspect, t, 0.9, 0.9 if high else 0.1))
                t0 = time.perf_counter()
                updates = manager.update(assessments, t)
                for u in updates:
                    if u.kind == "opened":  # the sink: the alert goes out first
                        started[u.event.id] = t0
                        decision[u.event.id] = u.event.t_opened - first_hit
                        outbox.alert(u.event)
                        committed[u.event.id] = time.perf_counter()
            if setup.evidence:
                ring.push(Frame("bench", i, t, image))
                recorder.update(updates, t)
    deadline = time.perf_counter() + 30.0
    while set(started) - set(receiver.arrived) and time.perf_counter() < deadline:
        time.sleep(0.05)
    ids = sorted(started)
    return Result(
        f"{k} of {m}",
        [decision[e] for e in ids],
        [committed[e] - started[e] for e in ids],
        [receiver.arrived[e] - started[e] for e in ids],
    )


def fmt(values: Sequence[float], unit: float = 1000.0, digits: int = 1) -> str:
    med, p95 = np.median(values) * unit, np.percentile(values, 95) * unit
    return f"{med:.{digits}f} / {p95:.{digits}f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100, help="events per rule")
    parser.add_argument("--rules", default="2/3,3/5", help="K/M opening rules")
    parser.add_argument("--stride", type=float, default=0.5, help="assessment interval, s")
    parser.add_argument("--others", type=int, default=8, help="calm tracks in view")
    parser.add_argument("--speed", type=float, default=10.0, help="× real time")
    parser.add_argument("--no-evidence", action="store_true", help="no clip writing load")
    args = parser.parse_args(argv)
    setup = Setup(args.events, args.stride, args.others, args.speed, not args.no_evidence)
    receiver = Receiver()
    work = tempfile.TemporaryDirectory()
    outbox = Outbox(Path(work.name) / "bench.db", receiver.url)
    print(
        f"{setup.events} events per rule, assessments every {setup.stride} s, "
        f"{setup.others} calm tracks, {setup.speed:g}× real time, "
        f"evidence writer {'on' if setup.evidence else 'off'}\n"
    )
    print("| rule (K of M) | decision delay, s | outbox, ms | webhook, ms | total, s |")
    print("|---|---|---|---|---|")
    for rule in args.rules.split(","):
        k, m = (int(x) for x in rule.split("/"))
        r = run_rule(k, m, setup, receiver, outbox)
        total = [d + w for d, w in zip(r.decision_s, r.webhook_s, strict=True)]
        print(
            f"| {r.rule} | {fmt(r.decision_s, 1, 2)} | {fmt(r.outbox_s)} | "
            f"{fmt(r.webhook_s)} | {fmt(total, 1, 3)} |"
        )
    print("\ncells: median / p95")
    outbox.sender.stop()
    receiver.server.shutdown()
    work.cleanup()


if __name__ == "__main__":
    main()
