#!/usr/bin/env python3
"""How well does the real pose model see the synthetic renderer's people?

Renders frames of a few generated scenes, runs ``PoseEstimator`` (YOLO11n-pose ONNX)
on them and prints, per scene and overall: person recall (a ground-truth person counts
as found when a detection overlaps their visible-pixel box or their whole-figure box
with IoU ≥ 0.5; each detection matches one person), precision,
and the median keypoint error of matched people (pixels / ground-truth box height, over
keypoints that are in view and not behind a shelf).

Only people that are at least ``--min-visible`` visible and ``--min-height`` px tall
are counted (others are reported separately as "small/occluded").

Usage::

    python scripts/measure_render_recall.py --seeds 1 2 3 --frames 60
    python scripts/measure_render_recall.py --seeds 9 10 11 12 13 14 15 16 --frames 20 \
        --thresholds 0.1 0.15 0.2 0.25 0.3
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

import numpy as np

from shopguard.training.render import SceneRenderer
from shopguard.training.synth import generate_scene
from shopguard.vision.pose import PoseEstimator, PoseSettings


@dataclass
class Tally:
    """Counts over frames."""

    gt: int = 0
    found: int = 0
    detections: int = 0
    matched_detections: int = 0
    skipped: int = 0
    errors: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.gt += other.gt
        self.found += other.found
        self.detections += other.detections
        self.matched_detections += other.matched_detections
        self.skipped += other.skipped
        self.errors += other.errors

    def row(self, name: str) -> str:
        recall = self.found / self.gt if self.gt else float("nan")
        precision = self.matched_detections / self.detections if self.detections else float("nan")
        err = float(np.median(self.errors)) if self.errors else float("nan")
        return (
            f"| {name} | {self.gt} | {self.found} | {recall:.3f} | {precision:.3f} | "
            f"{err:.3f} | {self.skipped} |"
        )


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of xyxy boxes (N, 4) × (M, 4)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), -1)
    area_a = np.prod(a[:, 2:] - a[:, :2], -1)
    area_b = np.prod(b[:, 2:] - b[:, :2], -1)
    return np.asarray(inter / (area_a[:, None] + area_b[None] - inter + 1e-9))


def score_frame(
    people: list[dict], boxes: np.ndarray, kps: np.ndarray, min_visible: float, min_height: float
) -> Tally:
    """Greedy IoU matching of one frame's detections to its ground truth."""
    tally = Tally(detections=len(boxes))
    visible = np.array([p["box"] for p in people], np.float64).reshape(-1, 4)
    full = np.array([p["full_box"] for p in people], np.float64).reshape(-1, 4)
    if len(boxes) and len(people):
        ious = np.maximum(iou_matrix(visible, boxes), iou_matrix(full, boxes))
    else:
        ious = np.zeros((len(people), 0))
    taken: set[int] = set()
    for gi in np.argsort(-ious.max(1) if ious.shape[1] else np.zeros(len(people))):
        p = people[gi]
        height = p["box"][3] - p["box"][1]
        counted = p["visible_fraction"] >= min_visible and height >= min_height
        order = [d for d in np.argsort(-ious[gi]) if d not in taken and ious[gi, d] >= 0.5]
        if order:
            taken.add(int(order[0]))
            tally.matched_detections += 1
        if not counted:
            tally.skipped += 1
            continue
        tally.gt += 1
        if order:
            tally.found += 1
            gt_k = np.array(p["keypoints"], np.float64)
            vis = gt_k[:, 2] > 0
            if vis.any():
                d = np.hypot(*(kps[order[0], vis, :2] - gt_k[vis, :2]).T)
                tally.errors.append(float(np.median(d) / height))
    return tally


def estimator_down_to(thresholds: list[float], model: str | None = None) -> PoseEstimator:
    """A pose estimator keeping people down to the lowest of ``thresholds`` (and of the
    pipeline's own); cut its output per threshold with ``poses.subset(poses.scores >= t)``:
    NMS keeps the same boxes at any lower cut, so one detection pass serves them all."""
    lowest = min([*thresholds, PoseSettings().score_threshold])
    return PoseEstimator(model, settings=PoseSettings(score_threshold=lowest), threads=2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--frames", type=int, default=40, help="frames sampled per scene")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--model", default=None, help="pose model (default: the shipped one)")
    parser.add_argument("--min-visible", type=float, default=0.5)
    parser.add_argument("--min-height", type=float, default=40.0)
    parser.add_argument("--thresholds", type=float, nargs="+", default=None,
                        help="also print the totals at these person score thresholds")
    args = parser.parse_args()
    cuts = sorted(args.thresholds or [])
    estimator = estimator_down_to(cuts, args.model)
    total, whole = Tally(), Tally()
    at_cut = {cut: Tally() for cut in cuts}
    print("| scene | people | found | recall | precision | median kp error / box h | skipped |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for seed in args.seeds:
        scene = generate_scene(seed, duration=args.duration)
        renderer = SceneRenderer(scene)
        tally = Tally()
        for fi in np.linspace(0, len(renderer) - 1, args.frames).astype(int):
            rf = renderer.frame(int(fi))
            poses = estimator(rf.image)
            for cut, cut_tally in at_cut.items():
                kept = poses.subset(poses.scores >= cut)
                cut_tally.add(score_frame(rf.people, kept.boxes, kept.keypoints,
                                          args.min_visible, args.min_height))
            kept = poses.subset(poses.scores >= PoseSettings().score_threshold)
            found = (kept.boxes, kept.keypoints)
            tally.add(score_frame(rf.people, *found, args.min_visible, args.min_height))
            whole.add(score_frame(rf.people, *found, 0.9, args.min_height))
        print(tally.row(f"seed {seed}"))
        total.add(tally)
    print(total.row("**all**"))
    print(whole.row("all, people ≥ 90 % visible"))
    for cut, cut_tally in at_cut.items():
        print(cut_tally.row(f"all, person score ≥ {cut}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
