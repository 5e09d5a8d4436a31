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
from shopguard.keypoints import FLIP_INDEX, KP
from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import read_native_dir, write_clip
from shopguard.training.rendered import scene_truth, true_keypoints
from shopguard.training.synth import split_seed
from shopguard.training.synth.observe import (
    BODY_PARTS,
    NOISE_PROFILES,
    SLIP_TARGETS,
    WRIST_ZONES,
    degrade,
    wrist_zones,
)

Errors = npt.NDArray[np.float64]  # rows: joint, error / box height, confidence
#: rows: wrist zone, error > LARGE, nearest of (SLIP_TARGETS..., the true wrist)
Slips = npt.NDArray[np.int64]
#: rows: mirrored, facing the camera, mirroring changed since the previous judged frame
Mirrors = npt.NDArray[np.int64]
LARGE = 0.1
ZONE_JOINTS = [KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_HIP, KP.RIGHT_HIP,
               KP.LEFT_WRIST, KP.RIGHT_WRIST]


def _errors(found: npt.NDArray, exact: npt.NDArray, heights: npt.NDArray) -> Errors:
    seen = (exact[..., 2] > 0) & (found[..., 2] > 0) & (heights[:, None] > 0)
    err = np.linalg.norm(found[..., :2] - exact[..., :2], axis=-1) / np.maximum(heights, 1)[:, None]
    joint = np.broadcast_to(np.arange(found.shape[1]), err.shape)
    return np.stack([joint[seen], err[seen], found[..., 2][seen]], 1)


def _mirrored(found: npt.NDArray, exact: npt.NDArray, heights: npt.NDArray,
              min_conf: float) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(T,) frames that can be judged (at least 6 comparable body joints, both shoulders
    in view) and (T,) whether their labels are mirrored: the frame lies much nearer the
    left/right-swapped truth."""
    body = np.arange(5, 17)
    swap = np.array(FLIP_INDEX)
    ok = (found[:, body, 2] >= min_conf) & (exact[:, body, 2] > 0) & (exact[:, swap[body], 2] > 0)
    judged = (ok.sum(1) >= 6) & (heights > 0) & (exact[:, 5, 2] > 0) & (exact[:, 6, 2] > 0)
    direct = np.where(ok, np.linalg.norm(found[:, body, :2] - exact[:, body, :2], axis=-1), 0)
    swapped = np.where(ok, np.linalg.norm(found[:, body, :2] - exact[:, swap[body], :2],
                                          axis=-1), 0)
    return judged, swapped.sum(1) < 0.6 * direct.sum(1)


def _mirrors(exact: npt.NDArray, judged: npt.NDArray[np.bool_],
             mirrored: npt.NDArray[np.bool_]) -> Mirrors:
    """Per judged frame of one track: whether it is mirrored, whether the person faces
    the camera (their left shoulder on the image's right), and whether the mirroring
    changed since the track's previous judged frame."""
    mirrored = mirrored[judged]
    facing = (exact[:, 5, 0] > exact[:, 6, 0])[judged]
    changed = np.r_[False, mirrored[1:] != mirrored[:-1]][: len(mirrored)]
    return np.stack([mirrored, facing, changed], 1).astype(np.int64)


def _slips(found: npt.NDArray, exact: npt.NDArray, heights: npt.NDArray, min_conf: float,
           skip: npt.NDArray[np.bool_]) -> Slips:
    """Per confident wrist whose zone is known, in frames not in ``skip``: its zone,
    whether it is off by more than ``LARGE`` of the box height, and which of its slip
    targets (or itself) it lies nearest."""
    known = (exact[:, ZONE_JOINTS, 2] > 0).all(1) & (heights > 0) & ~skip
    zones = wrist_zones(exact[..., :2].astype(np.float64))
    rows = []
    for side, wrist in enumerate((KP.LEFT_WRIST, KP.RIGHT_WRIST)):
        keep = known & (found[:, wrist, 2] >= min_conf)
        point = found[keep, wrist, :2]
        candidates = [*SLIP_TARGETS[wrist], wrist]
        dist = np.stack([np.where(exact[keep, j, 2] > 0,
                                  np.linalg.norm(point - exact[keep, j, :2], axis=-1), np.inf)
                         for j in candidates], 1)
        large = dist[:, -1] / heights[keep] > LARGE
        rows.append(np.stack([zones[keep, side], large, dist.argmin(1)], 1))
    return np.concatenate(rows).astype(np.int64)


def _measure(found: npt.NDArray, exact: npt.NDArray, heights: npt.NDArray,
             min_conf: float) -> tuple[Errors, Slips, Mirrors]:
    """Errors, wrist slips (frames not mirrored) and mirrored frames of one track."""
    judged, mirrored = _mirrored(found, exact, heights, min_conf)
    return (_errors(found, exact, heights),
            _slips(found, exact, heights, min_conf, judged & mirrored),
            _mirrors(exact, judged, mirrored))


def _joined(measured: list[tuple[Errors, Slips, Mirrors]]) -> tuple[Errors, Slips, Mirrors]:
    errors, slips, mirrors = zip(*measured, strict=True)
    return np.concatenate(errors), np.concatenate(slips), np.concatenate(mirrors)


def mirror_line(name: str, rows: npt.NDArray[np.int64]) -> str:
    """Share of mirrored frames (facing the camera / away) and label switches per frame."""
    mirrored, facing, changed = rows.T.astype(bool)
    return (f"| {name} | {mirrored.mean():.3f} | {mirrored[facing].mean():.3f} "
            f"| {mirrored[~facing].mean():.3f} | {changed.mean():.3f} |")


def slip_table(slips: Slips) -> list[str]:
    """Per wrist zone: share of wrists in it, share off by more than ``LARGE`` and, of
    those, the share nearest the other wrist / the elbow / the hip / the true wrist."""
    lines = []
    for zone, name in enumerate(WRIST_ZONES):
        rows = slips[slips[:, 0] == zone]
        large = rows[rows[:, 1] == 1]
        near = np.bincount(large[:, 2], minlength=4) / max(len(large), 1)
        lines.append(f"| {name} | {len(rows) / max(len(slips), 1):.2f} "
                     f"| {np.mean(rows[:, 1]) if len(rows) else 0:.2f} | "
                     + " / ".join(f"{x:.2f}" for x in near) + " |")
    return lines


def rendered_errors(clips: list[PoseClip], videos: Path, out: Path | None,
                    min_conf: float) -> tuple[Errors, Slips, Mirrors]:
    """Errors, wrist slips and mirrored frames of the pose model's keypoints (and, with
    ``out``, the clips rewritten with exact keypoints)."""
    measured, truths = [], {}
    for clip in tqdm(clips, desc="rendered", unit="clip"):
        scene = str(clip.meta["camera"])
        if scene not in truths:
            truths[scene] = scene_truth(clip, videos)
        exact, heights = true_keypoints(clip, truths[scene])
        measured.append(_measure(clip.keypoints, exact, heights, min_conf))
        if out is not None:
            write_clip(out / f"{clip.clip_id}.npz",
                       PoseClip(exact, clip.boxes, clip.timestamps, clip.labels, clip.meta))
    return _joined(measured)


def synthetic_errors(n: int, profile: str, min_conf: float
                     ) -> tuple[Errors, Slips, Mirrors]:
    """Errors, wrist slips and mirrored frames of ``n`` synthetic ``val`` clips' degraded
    keypoints under ``profile``."""
    measured = []

    def recording(camera, joints, truth, rng, noise):  # type: ignore[no-untyped-def]
        kps, boxes, quality = degrade(camera, joints, truth, rng, noise)
        heights = truth.boxes[:, 3] - truth.boxes[:, 1]
        measured.append(_measure(kps, truth.keypoints, heights, min_conf))
        return kps, boxes, quality

    generate.degrade = recording  # type: ignore[assignment]
    try:
        clips: Iterator[PoseClip] = generate.iter_clips(
            split_seed("val"), n, noise=NOISE_PROFILES[profile])
        for _ in tqdm(clips, total=n, desc=f"synthetic {profile}", unit="clip"):
            pass
    finally:
        generate.degrade = degrade
    return _joined(measured)


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

    measured = [rendered_errors(read_native_dir(d), d / "videos", args.true_keypoints_out,
                                args.min_conf) for d in args.rendered]
    real = np.concatenate([m[0] for m in measured])
    slips = {"real pose model": np.concatenate([m[1] for m in measured])}
    mirrors = {"real pose model": np.concatenate([m[2] for m in measured])}
    columns = {"real pose model": summary(real, args.min_conf)}
    for profile in NOISE_PROFILES:
        errors, slips[profile], mirrors[profile] = synthetic_errors(
            args.synthetic_clips, profile, args.min_conf)
        columns[profile] = summary(errors, args.min_conf)
    print(f"\nkeypoint error / visible box height, median / p90 "
          f"(share under confidence {args.min_conf}); {len(real)} real keypoints")
    print("| body part | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for part in BODY_PARTS:
        print(f"| {part} | " + " | ".join(c[part] for c in columns.values()) + " |")
    for name, table in slips.items():
        print(f"\nwrists by zone (frames not mirrored), {name}: share of wrists, share off by "
              f"> {LARGE} of the box height, and of those the share nearest the other wrist / "
              f"own elbow / own hip / true wrist")
        print("| zone | wrists | off | nearest |\n| --- | ---: | ---: | ---: |")
        print("\n".join(slip_table(table)))
    print("\nleft/right mirrored frames: share of all, of people facing the camera, facing "
          "away; label switches per frame")
    print("| keypoints | mirrored | facing | away | switches |\n| --- |" + " ---: |" * 4)
    print("\n".join(mirror_line(name, rows) for name, rows in mirrors.items()))

if __name__ == "__main__":
    main()
