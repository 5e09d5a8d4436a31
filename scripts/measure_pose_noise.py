#!/usr/bin/env python3
"""How far off are the real pose model's keypoints, and how far off are the simulated ones?

Reads clips written by ``shopguard synth rendered --out DIR`` (YOLO11n-pose + ByteTrack
tracks of rendered scenes; the scenes' ground truth stays in ``DIR/videos``), matches
every frame to the shopper its box overlaps and measures each keypoint's error against
that shopper's exact projection, over the shopper's visible box height. The same is
measured for synthetic ``val`` clips under each noise profile (the generator's degraded
keypoints against its exact ones). Only keypoints with confidence >= ``--min-conf`` count
(the features drop the rest); the share under it is printed too.

``--true-keypoints-out OUT`` also writes every rendered clip with the pose model's
keypoints replaced by the exact ones (same tracks, frames and labels), to measure what
the pose model's errors cost a behaviour model (``shopguard evaluate OUT``).

Usage::

    python scripts/measure_pose_noise.py runs/rendered-train --synthetic-clips 150
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

import shopguard.training.synth.generate as generate
from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import read_native_dir, write_clip
from shopguard.training.rendered import scene_truth, true_keypoints
from shopguard.training.synth import split_seed
from shopguard.training.synth.observe import BODY_PARTS, NOISE_PROFILES, degrade

Errors = npt.NDArray[np.float64]  # rows: joint, error / box height, confidence


def _errors(found: npt.NDArray, exact: npt.NDArray, heights: npt.NDArray) -> Errors:
    seen = (exact[..., 2] > 0) & (found[..., 2] > 0) & (heights[:, None] > 0)
    err = np.linalg.norm(found[..., :2] - exact[..., :2], axis=-1) / np.maximum(heights, 1)[:, None]
    joint = np.broadcast_to(np.arange(found.shape[1]), err.shape)
    return np.stack([joint[seen], err[seen], found[..., 2][seen]], 1)


def rendered_errors(clips: list[PoseClip], videos: Path, out: Path | None) -> Errors:
    """Errors of the pose model's keypoints (and, with ``out``, the clips rewritten with
    exact keypoints)."""
    rows, truths = [], {}
    for clip in tqdm(clips, desc="rendered", unit="clip"):
        scene = str(clip.meta["camera"])
        if scene not in truths:
            truths[scene] = scene_truth(clip, videos)
        exact, heights = true_keypoints(clip, truths[scene])
        rows.append(_errors(clip.keypoints, exact, heights))
        if out is not None:
            write_clip(out / f"{clip.clip_id}.npz",
                       PoseClip(exact, clip.boxes, clip.timestamps, clip.labels, clip.meta))
    return np.concatenate(rows)


def synthetic_errors(n: int, profile: str) -> Errors:
    """Errors of ``n`` synthetic ``val`` clips' degraded keypoints under ``profile``."""
    rows = []

    def recording(camera, joints, truth, rng, noise):  # type: ignore[no-untyped-def]
        kps, boxes, quality = degrade(camera, joints, truth, rng, noise)
        rows.append(_errors(kps, truth.keypoints, truth.boxes[:, 3] - truth.boxes[:, 1]))
        return kps, boxes, quality

    generate.degrade = recording  # type: ignore[assignment]
    try:
        clips: Iterator[PoseClip] = generate.iter_clips(
            split_seed("val"), n, noise=NOISE_PROFILES[profile])
        for _ in tqdm(clips, total=n, desc=f"synthetic {profile}", unit="clip"):
            pass
    finally:
        generate.degrade = degrade
    return np.concatenate(rows)


def summary(errors: Errors, min_conf: float) -> dict[str, str]:
    """Per body part: median / 90th percentile error (confident keypoints) and the share
    of keypoints under ``min_conf``."""
    out = {}
    for part, joints in BODY_PARTS.items():
        rows = errors[np.isin(errors[:, 0], joints)]
        kept = rows[rows[:, 2] >= min_conf, 1]
        out[part] = (f"{np.median(kept):.3f} / {np.percentile(kept, 90):.3f}"
                     f" ({np.mean(rows[:, 2] < min_conf):.2f})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rendered", type=Path, nargs="+",
                        help="directories written by 'shopguard synth rendered'")
    parser.add_argument("--synthetic-clips", type=int, default=150)
    parser.add_argument("--min-conf", type=float, default=0.3)
    parser.add_argument("--true-keypoints-out", type=Path, default=None)
    args = parser.parse_args()

    real = np.concatenate([
        rendered_errors(read_native_dir(d), d / "videos", args.true_keypoints_out)
        for d in args.rendered])
    columns = {"real pose model": summary(real, args.min_conf)}
    for profile in NOISE_PROFILES:
        columns[profile] = summary(synthetic_errors(args.synthetic_clips, profile), args.min_conf)
    print(f"\nkeypoint error / visible box height, median / p90 "
          f"(share under confidence {args.min_conf}); {len(real)} real keypoints")
    print("| body part | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for part in BODY_PARTS:
        print(f"| {part} | " + " | ".join(c[part] for c in columns.values()) + " |")


if __name__ == "__main__":
    main()
