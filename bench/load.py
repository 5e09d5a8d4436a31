"""How many cameras one machine analyses at 5 fps: N simulated cameras under the real
supervisor (one worker process each, motion gate on), fed by a looped 720p video of two
people walking (people in view all the time: busier than a typical aisle).

For N in --cameras (default 1 2 4 8) it prints, per N: analysed fps per camera (mean and
minimum), frames dropped per second per camera (analysis slower than the source), pose
inference p50/p95 (ms), cameras flagged ``overloaded``, worker CPU (% of one core, summed)
and memory (RSS, summed and per worker).

    .venv/bin/python bench/load.py --cameras 1 2 4 8 --seconds 30

Figures are recorded in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from shopguard.config import parse_config
from shopguard.service.supervisor import Supervisor
from shopguard.service.wiring import open_database
from shopguard.testing.people_video import compose_people_video

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


class Listener:
    def __init__(self) -> None:
        self.health: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def on_health(self, camera_id: str, health: dict[str, Any]) -> None:
        with self.lock:
            self.health[camera_id] = dict(health)

    def on_frame(self, camera_id: str, jpeg: bytes) -> None:
        pass

    def on_event(self, camera_id: str, kind: str, data: dict[str, Any]) -> None:
        pass

    def on_camera_offline(self, camera_id: str, reason: str) -> None:
        pass

    def on_camera_recovered(self, camera_id: str) -> None:
        pass

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {k: dict(v) for k, v in self.health.items()}


def run(n: int, video: Path, workdir: Path, seconds: float, warmup: float,
        behavior: str | None) -> dict[str, Any]:
    cameras = [{"id": f"cam{i}", "url": str(video), "loop": True, "analysis_fps": 5.0}
               for i in range(n)]
    data: dict[str, Any] = {"data_dir": str(workdir / f"n{n}"), "cameras": cameras,
                            "worker": {"inference_threads": 1, "heartbeat_timeout_s": 60}}
    if behavior:
        data["models"] = {"behavior": behavior}
    config = parse_config(data)
    open_database(config, migrate=True)
    listener = Listener()
    supervisor = Supervisor(config, listener, poll_s=0.2)
    supervisor.start(config.cameras)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = {h.get("state") for h in listener.snapshot().values()}
            if len(listener.snapshot()) == n and states == {"live"}:
                break
            time.sleep(0.5)
        time.sleep(warmup)
        procs = [psutil.Process(p) for c in config.cameras
                 if (p := supervisor.pid(c.id)) is not None]
        for p in procs:
            p.cpu_percent(None)
        start = listener.snapshot()
        time.sleep(seconds)
        cpu = sum(p.cpu_percent(None) for p in procs)
        rss = [p.memory_info().rss / 2**20 for p in procs]
        end = listener.snapshot()
    finally:
        supervisor.stop(grace_s=20)
    fps = [h.get("fps_analysed", 0.0) for h in end.values()]
    drops = [(end[c].get("frames_dropped", 0) - start.get(c, {}).get("frames_dropped", 0))
             / seconds for c in end]
    return {
        "n": n,
        "fps_mean": statistics.mean(fps) if fps else 0.0,
        "fps_min": min(fps) if fps else 0.0,
        "drops_per_s": statistics.mean(drops) if drops else 0.0,
        "p50": statistics.mean(h.get("inference_ms", 0.0) for h in end.values()),
        "p95": statistics.mean(h.get("inference_p95_ms", 0.0) for h in end.values()),
        "overloaded": sum(bool(h.get("overloaded")) for h in end.values()),
        "cpu": cpu,
        "rss_total": sum(rss),
        "rss_each": statistics.mean(rss) if rss else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=12.0)
    parser.add_argument("--behavior", help="behaviour model (default: the shipped one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        video = compose_people_video(DATA / "bus.jpg", workdir / "people.mp4", seconds=10.0,
                                     fps=15.0).path
        print(f"{psutil.cpu_count()} CPUs; 720p source at 15 fps, analysis target 5 fps")
        print("| cameras | analysed fps mean / min | dropped fps | pose p50 / p95 ms "
              "| overloaded | CPU % | RSS total / per worker MB |")
        print("|---|---|---|---|---|---|---|")
        for n in args.cameras:
            r = run(n, video, workdir, args.seconds, args.warmup, args.behavior)
            print(f"| {r['n']} | {r['fps_mean']:.2f} / {r['fps_min']:.2f} | "
                  f"{r['drops_per_s']:.2f} | {r['p50']:.0f} / {r['p95']:.0f} | "
                  f"{r['overloaded']} | {r['cpu']:.0f} | {r['rss_total']:.0f} / "
                  f"{r['rss_each']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
