"""``shopguard analyze VIDEO --out DIR``: tracked people with keypoints from a video file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shopguard.core import Frame
from shopguard.video.source import SourceError, SourceSettings, VideoSource
from shopguard.video.writer import Mp4Writer
from shopguard.vision.draw import draw_tracks
from shopguard.vision.motion import MotionSettings
from shopguard.vision.onnx_session import ModelError
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator
from shopguard.vision.tracks_jsonl import frame_record

EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``analyze`` sub-command."""
    parser = subparsers.add_parser(
        "analyze",
        help="detect, pose and track people in a video file",
        description=(
            "Run the person + pose model and the tracker over a video. Writes tracks.jsonl "
            "(one JSON object per analysed frame), annotated.mp4 (H.264) and summary.json."
        ),
    )
    parser.add_argument("video", help="video file (MP4, MKV, AVI, ...)")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--fps", type=float, default=5.0, help="analysed frames per second")
    parser.add_argument("--model", type=Path, default=None, help="pose model (ONNX)")
    parser.add_argument("--threads", type=int, default=None, help="inference threads")
    parser.add_argument("--no-motion-gate", action="store_true", help="analyse every frame")
    parser.add_argument("--no-video", action="store_true", help="skip the annotated MP4")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse the video; exit code 2 on unreadable input or a bad model file."""
    try:
        summary = analyze(
            args.video,
            args.out,
            fps=args.fps,
            model=args.model,
            threads=args.threads,
            motion_gate=not args.no_motion_gate,
            annotate=not args.no_video,
        )
    except (SourceError, ModelError) as exc:
        print(f"shopguard analyze: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps({k: summary[k] for k in ("frames_analysed", "unique_tracks")}))
    return 0


def analyze(
    video: str | Path,
    out_dir: str | Path,
    fps: float = 5.0,
    model: str | Path | None = None,
    threads: int | None = None,
    motion_gate: bool = True,
    annotate: bool = True,
    progress: bool = True,
) -> dict[str, Any]:
    """Analyse ``video`` into ``out_dir``; returns the summary that is also written."""
    out = Path(out_dir)
    source = VideoSource(str(video), camera_id="analyze", settings=SourceSettings(max_fps=fps))
    pipeline = VisionPipeline(
        PoseEstimator(model, threads=threads),
        analysis_fps=fps,
        motion=MotionSettings(enabled=motion_gate),
    )
    frames_iter = source.frames()
    first = next(frames_iter, None)  # opening errors surface here, before any output
    if first is None:
        raise SourceError(f"no video frames in {video}")
    out.mkdir(parents=True, exist_ok=True)
    writer = Mp4Writer(out / "annotated.mp4", fps=fps) if annotate else None
    track_ids: set[int] = set()
    analysed = frames = 0
    started = time.perf_counter()
    expected = round(source.status.duration_s * min(fps, source.status.source_fps or fps))
    frame: Frame | None = first
    with open(out / "tracks.jsonl", "w", encoding="utf-8") as jsonl, tqdm(
        desc=f"analyse {Path(video).name}",
        unit="frame",
        total=expected or None,
        disable=not progress,
    ) as bar:
        while frame is not None:
            result = pipeline.process(frame)
            frames += 1
            analysed += result.analysed
            track_ids.update(int(i) for i in result.tracks.ids)
            jsonl.write(json.dumps(frame_record(frame.index, frame.t, result.tracks)) + "\n")
            if writer:
                writer.write(draw_tracks(frame.image.copy(), result.tracks))
            bar.update()
            t0 = time.perf_counter()
            frame = next(frames_iter, None)
            pipeline.timer.add("decode", (time.perf_counter() - t0) * 1000)
    if writer:
        writer.close()
    wall = time.perf_counter() - started
    summary: dict[str, Any] = {
        "video": str(video),
        "model": str(pipeline.estimator.model_path),
        "provider": pipeline.estimator.provider,
        "analysis_fps": fps,
        "frames": frames,
        "frames_analysed": analysed,
        "frames_skipped_by_motion_gate": frames - analysed,
        "unique_tracks": len(track_ids),
        "wall_seconds": round(wall, 3),
        "frames_per_second": round(frames / wall, 2) if wall else 0.0,
        "stages_ms": pipeline.timer.summary(),
        "source_fps": source.status.source_fps,
        "decode_errors": source.status.decode_errors,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
