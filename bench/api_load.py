"""API under load: C concurrent clients each polling ``/api/events`` and holding one SSE
stream (``/api/stream``) for S seconds, against the real waitress server of the service
(``server.threads`` raised so every stream has a thread, ``max_streams`` = threads / 2).

Prints requests, errors, and latency p50/p95/max of the polls, and how many SSE streams
stayed connected to the end.

    .venv/bin/python bench/api_load.py --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from shopguard.service.accounts import create_user
from shopguard.service.app import create_app
from shopguard.service.context import ApiSettings, ServiceContext
from shopguard.service.hub import LiveHub
from shopguard.service.server import make_server
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import utcnow
from shopguard.storage.repository import create_event
from shopguard.storage.testing import free_port

PASSWORD = "load-test-password-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    threads = 2 * args.clients + 8
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sessions = session_factory(init_db(f"sqlite:///{root / 'db.sqlite'}"))
        with sessions.begin() as s:
            create_user(s, "admin", PASSWORD, "admin", None)
            for i in range(300):
                create_event(s, camera_id=f"cam{i % 4}", track_id=i, started_at=utcnow(),
                             peak_score=0.7)
        hub = LiveHub()
        ctx = ServiceContext(
            sessions=sessions, evidence=EvidenceArchive(LocalEvidenceStore(root / "ev")),
            hub=hub, settings=ApiSettings(secret_key=os.urandom(32), static_dir=root,
                                          max_streams=threads // 2, heartbeat_s=5.0),
            version="bench",
        )
        port = free_port()
        server = make_server(create_app(ctx), "127.0.0.1", port, threads)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        time.sleep(0.5)
        login = requests.post(f"{base}/api/auth/login",
                              json={"username": "admin", "password": PASSWORD}, timeout=30)
        cookies = login.cookies
        latencies: list[float] = []
        errors: list[str] = []
        streams_ok: list[bool] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def stream() -> None:
            try:
                with requests.get(f"{base}/api/stream", cookies=cookies, stream=True,
                                  timeout=(10, 30)) as r:
                    if r.status_code != 200:
                        raise RuntimeError(f"SSE {r.status_code}")
                    for _ in r.iter_lines():
                        if time.monotonic() > stop_at:
                            break
                ok = True
            except Exception as exc:
                ok = False
                with lock:
                    errors.append(f"stream: {exc}")
            with lock:
                streams_ok.append(ok)

        def poll() -> None:
            http = requests.Session()
            http.cookies.update(cookies)
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    r = http.get(f"{base}/api/events?limit=50", timeout=30)
                    if r.status_code != 200:
                        raise RuntimeError(f"HTTP {r.status_code}")
                    with lock:
                        latencies.append(time.perf_counter() - t0)
                except Exception as exc:
                    with lock:
                        errors.append(f"poll: {exc}")
                time.sleep(1.0)

        def publisher() -> None:
            while time.monotonic() < stop_at:
                hub.publish("event.updated", {"id": "x", "camera_id": "cam0"})
                time.sleep(0.5)

        workers = [threading.Thread(target=f) for _ in range(args.clients)
                   for f in (stream, poll)] + [threading.Thread(target=publisher)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(args.seconds + 60)
        server.close()
        ms = sorted(x * 1000 for x in latencies)
        p95 = ms[int(0.95 * (len(ms) - 1))] if ms else 0.0
        print(f"{args.clients} clients, {args.seconds:.0f} s, {threads} server threads")
        print("| polls | errors | p50 ms | p95 ms | max ms | SSE streams held |")
        print("|---|---|---|---|---|---|")
        print(f"| {len(ms)} | {len(errors)} | {statistics.median(ms) if ms else 0:.0f} | "
              f"{p95:.0f} | {max(ms) if ms else 0:.0f} | {sum(streams_ok)}/{args.clients} |")
        for e in errors[:5]:
            print("error:", e)


if __name__ == "__main__":
    main()
