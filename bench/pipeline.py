"""Benchmark the vision chain on a 720p video of real people.

Prints per-stage latency (median, p95), analysed frames per second, CPU share of the
machine for one camera at 5 analysed fps, and peak memory. Run: ``make bench``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from shopguard.paths import pose_model_path
from shopguard.testing.people_video import compose_people_video
from shopguard.video.source import SourceSettings, VideoSource
from shopguard.vision.motion import MotionSettings
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator

PHOTO = Path(__file__).resolve().parents[1] / "tests" / "data" / "bus.jpg"
STAGES = ("decode", "preprocess", "inference", "decode_output", "tracking")


def run(video: Path, threads: int, fps: float, motion: bool) -> dict[str, float]:
    """Analyse ``video`` as fast as possible; return timing and CPU figures."""
    pipeline = VisionPipeline(
        PoseEstimator(pose_model_path(), threads=threads),
        analysis_fps=fps,
        motion=MotionSettings(enabled=motion),
    )
    source = VideoSource(str(video), settings=SourceSettings(max_fps=fps))
    totals: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    frames = source.frames()
    while True:
        start = time.perf_counter()
        frame = next(frames, None)
        decode_ms = (time.perf_counter() - start) * 1000
        if frame is None:
            break
        pipeline.timer.add("decode", decode_ms)
        pipeline.process(frame)
        totals.append((time.perf_counter() - start) * 1000)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    summary = pipeline.timer.summary()
    row = {f"{s}_median": summary.get(s, {}).get("median_ms", 0.0) for s in STAGES}
    row |= {f"{s}_p95": summary.get(s, {}).get("p95_ms", 0.0) for s in STAGES}
    row["total_median"] = float(np.median(totals))
    row["total_p95"] = float(np.percentile(totals, 95))
    row["fps"] = len(totals) / wall
    # CPU seconds per analysed frame × 5 fps / cores = share of the machine at 5 fps live.
    row["machine_share_at_5fps"] = cpu / len(totals) * 5 / (os.cpu_count() or 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the test video")
    parser.add_argument("--fps", type=float, default=5.0, help="analysed frames per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video = compose_people_video(PHOTO, Path(tmp) / "bench.mp4", seconds=args.seconds).path
        rows = {
            f"threads={threads}": run(video, threads, args.fps, motion=False)
            for threads in (1, 2)
        }
    print(f"720p, {args.seconds:.0f} s of video at 15 fps source, analysed at {args.fps:g} fps, "
          f"{os.cpu_count()} cores, model {pose_model_path().name}\n")
    print("| stage (ms/frame) | " + " | ".join(f"{k} median | {k} p95" for k in rows) + " |")
    print("|---|" + "---|---|" * len(rows))
    for stage in (*STAGES, "total"):
        cells = " | ".join(
            f"{r[f'{stage}_median']:.1f} | {r[f'{stage}_p95']:.1f}" for r in rows.values()
        )
        print(f"| {stage} | {cells} |")
    print()
    print("| setting | analysed fps (flat out) | machine share at 5 fps |")
    print("|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['fps']:.1f} | {100 * r['machine_share_at_5fps']:.0f}% |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
