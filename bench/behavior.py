"""Benchmark the behaviour stage: model inference and full scorer cost per track-window.

Prints, for batch 1 and batch 16: ONNX Runtime milliseconds per window (median of
repeats) and the scorer's whole cost per track-window (history, features, cues, model,
fusion) with that many tracks due in the same frame. Run:
``.venv/bin/python bench/behavior.py [--model models/behavior-lstm.onnx]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.behavior.scorer import Scorer
from shopguard.core import Poses, Tracks
from shopguard.training.synth import generate_clips


def model_ms(model: SequenceModel, batch: int, repeats: int) -> float:
    """Median milliseconds per window of ``model.predict`` on a batch."""
    x = np.random.default_rng(0).normal(size=(batch, model.steps, NUM_FEATURES))
    x = x.astype(np.float32)
    model.predict(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(x)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000 / batch


def scorer_ms(model: SequenceModel, tracks: int, seconds: float = 20.0) -> float:
    """Scorer milliseconds per assessed track-window with ``tracks`` people in view."""
    clips = generate_clips(seed=7, n=tracks)
    fps = 15.0
    scorer = Scorer(model, [], ScorerConfig())
    n = int(seconds * fps)
    frames = []
    for i in range(n):
        kps = np.stack([c.keypoints[i % len(c)] for c in clips])
        boxes = np.stack([c.boxes[i % len(c)] for c in clips])
        poses = Poses(boxes, np.ones(tracks, np.float32), kps)
        frames.append(Tracks(poses, np.arange(tracks, dtype=np.int64)))
    start = time.perf_counter()
    assessed = sum(len(scorer.update(f, i / fps)) for i, f in enumerate(frames))
    return (time.perf_counter() - start) * 1000 / max(assessed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    model = SequenceModel(args.model or default_model_path(), threads=1)
    print(f"model {model.version}: {model.steps} steps x {NUM_FEATURES} features, 1 thread")
    print(f"{'batch':>5} | {'model ms/window':>15} | {'scorer ms/track-window':>22}")
    print(f"{'-' * 5}-+-{'-' * 15}-+-{'-' * 22}")
    for batch in (1, 16):
        m = model_ms(model, batch, args.repeats)
        s = scorer_ms(model, batch)
        print(f"{batch:>5} | {m:>15.3f} | {s:>22.3f}")


if __name__ == "__main__":
    main()
