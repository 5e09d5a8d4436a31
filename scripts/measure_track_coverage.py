#!/usr/bin/env python3
"""How much of the rendered shoppers' time do the pipeline's tracks cover, at several
person score thresholds of the pose model?

Renders every frame of generated scenes at the analysis rate (5 fps), runs the shipped
YOLO11n-pose model once per frame (keeping detections down to the lowest threshold), and
feeds each threshold's detections to its own ``PersonTracker`` (ByteTrack, the pipeline's
settings). A person-frame (at least ``--min-visible`` of the figure visible, visible box
≥ 40 px tall) is covered when a confirmed track's box has IoU ≥ 0.5 with the person's
visible or whole-figure box. Also counted: distinct track ids per shopper (fragmentation),
track ids that covered two shoppers (identity switches) and confirmed track boxes that
match no shopper.

Usage::

    python scripts/measure_track_coverage.py --seeds 9 10 11 12 13 14 15 16 \\
        --thresholds 0.1 0.15 0.25
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

import numpy as np
from measure_render_recall import estimator_down_to, iou_matrix

from shopguard.core import Tracks
from shopguard.training.render import SceneRenderer
from shopguard.training.render.video import RenderedFrame
from shopguard.training.synth import generate_scene
from shopguard.vision.tracking import PersonTracker


class Coverage:
    """Counts for one threshold over all scenes."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.ids_per_shopper: list[int] = []
        self.ids_on_two = 0
        self._ids: defaultdict[int, set[int]] = defaultdict(set)
        self._owners: defaultdict[int, set[int]] = defaultdict(set)

    def add_frame(self, frame: RenderedFrame, tracks: Tracks, min_visible: float) -> None:
        """Match one frame's confirmed tracks to its shoppers (greedy, best IoU first)."""
        people = frame.people
        visible = np.array([p["box"] for p in people], np.float64).reshape(-1, 4)
        whole = np.array([p["full_box"] for p in people], np.float64).reshape(-1, 4)
        boxes = tracks.poses.boxes.astype(np.float64).reshape(-1, 4)
        iou = np.maximum(iou_matrix(visible, boxes), iou_matrix(whole, boxes))
        taken: set[int] = set()
        best = iou.max(1) if boxes.size else np.zeros(len(people))
        for gi in np.argsort(-best):
            person = people[gi]
            free = [int(d) for d in np.argsort(-iou[gi]) if d not in taken and iou[gi, d] >= 0.5]
            if free:
                taken.add(free[0])
                self._ids[person["id"]].add(int(tracks.ids[free[0]]))
                self._owners[int(tracks.ids[free[0]])].add(person["id"])
            height = person["box"][3] - person["box"][1]
            if person["visible_fraction"] < min_visible or height < 40:
                continue
            kinds = ["all"] + (["part"] if person["visible_fraction"] < 0.9 else [])
            kinds += ["theft"] if person["label"] else []
            for kind in kinds:
                self.counts[kind] += 1
                self.counts[f"{kind}_covered"] += bool(free)
        self.counts["track_boxes"] += len(boxes)
        self.counts["on_nobody"] += len(boxes) - len(taken)

    def end_scene(self) -> None:
        """Close a scene's identity bookkeeping (track ids restart per scene)."""
        self.ids_per_shopper += [len(ids) for ids in self._ids.values()]
        self.ids_on_two += sum(len(owners) > 1 for owners in self._owners.values())
        self._ids.clear()
        self._owners.clear()

    def row(self, name: str) -> str:
        c = self.counts

        def share(kind: str) -> str:
            return f"{c[f'{kind}_covered'] / c[kind]:.3f}" if c[kind] else "n/a"

        return (f"| {name} | {share('all')} ({c['all_covered']}/{c['all']}) | {share('part')} | "
                f"{share('theft')} | {np.mean(self.ids_per_shopper):.2f} | {self.ids_on_two} | "
                f"{c['on_nobody'] / max(c['track_boxes'], 1):.1%} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.25])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--fps", type=float, default=5.0, help="analysis frames per second")
    parser.add_argument("--min-visible", type=float, default=0.5)
    args = parser.parse_args()
    estimator = estimator_down_to(args.thresholds)
    coverage = {cut: Coverage() for cut in args.thresholds}
    for seed in args.seeds:
        scene = generate_scene(seed, duration=args.duration)
        renderer = SceneRenderer(scene)
        step = max(1, round(scene.fps / args.fps))
        trackers = {cut: PersonTracker(frame_rate=scene.fps / step) for cut in args.thresholds}
        for fi in range(0, len(renderer), step):
            frame = renderer.frame(fi)
            poses = estimator(frame.image)
            for cut, tracker in trackers.items():
                kept = poses.subset(poses.scores >= cut)
                coverage[cut].add_frame(frame, tracker.update(kept, frame.t), args.min_visible)
        for cov in coverage.values():
            cov.end_scene()
        print(f"seed {seed} done", flush=True)
    print("| person score ≥ | coverage | 50–90 % visible | during thefts | track ids per "
          "shopper | ids on two shoppers | track boxes on nobody |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for cut, cov in coverage.items():
        print(cov.row(str(cut)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
