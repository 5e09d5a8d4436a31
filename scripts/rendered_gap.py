#!/usr/bin/env python3
"""Where does a behaviour model lose its thefts on rendered scenes: pose errors or tracking?

Reads clips written by ``shopguard synth rendered --out DIR`` (YOLO11n-pose + ByteTrack
tracks; the scenes' ground truth stays in ``DIR/videos``) and scores the same scenes four
ways, each one step closer to the synthetic training clips:

1. **pose model** – the tracks as the camera worker gets them;
2. **pose model, one track per shopper** – the same detections regrouped by the shopper
   they match: what the tracker's broken and swapped tracks cost;
3. **exact positions** – the tracks of 1, each keypoint moved to its exact projection
   (the pose model's confidences kept): what the pose model's position errors cost;
4. **exact, confidence C** – the same, with confidence C for every joint in view (the
   synthetic clips' range) instead of the pose model's;
5. **perfect tracking** – one clip per shopper from the ground truth alone, every
   analysed frame the shopper is in view, confidence C: also what the pose model's
   missed detections cost.

For each: frame ROC-AUC / PR-AUC of the fused score, concealments caught at the model's
threshold, false alerts, and the share of concealments whose model probability reaches
0.5 and the threshold between their start and 1 s after their end.

Usage::

    python scripts/rendered_gap.py runs/rendered-test --model models/behavior-lstm.onnx
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.behavior.scorer import ScorerConfig
from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import read_native_dir
from shopguard.training.evaluate import (
    Replay,
    evaluate_replays,
    event_config,
    replay_all,
    segments,
)
from shopguard.training.rendered import (
    scene_truth,
    tracks_by_shopper,
    true_keypoints,
    truth_visits,
)

Variant = Callable[[list[PoseClip], dict[str, dict]], list[PoseClip]]


def _by_shopper(clips: list[PoseClip], truths: dict[str, dict]) -> list[PoseClip]:
    out = []
    for scene, truth in sorted(truths.items()):
        out.extend(tracks_by_shopper([c for c in clips if c.meta["camera"] == scene], truth,
                                     name=scene))
    return out


def _exact_positions(clips: list[PoseClip], truths: dict[str, dict]) -> list[PoseClip]:
    out = []
    for clip in clips:
        exact, _ = true_keypoints(clip, truths[str(clip.meta["camera"])])
        seen = (exact[..., 2] > 0) & (clip.keypoints[..., 2] > 0)
        kps = np.where(seen[..., None], exact, 0.0).astype(np.float32)
        kps[..., 2] = np.where(seen, clip.keypoints[..., 2], 0.0)
        out.append(PoseClip(kps, clip.boxes, clip.timestamps, clip.labels, clip.meta))
    return out


def _exact_confident(confidence: float) -> Variant:
    def variant(clips: list[PoseClip], truths: dict[str, dict]) -> list[PoseClip]:
        out = []
        for clip in clips:
            exact, _ = true_keypoints(clip, truths[str(clip.meta["camera"])])
            exact[..., 2] *= confidence
            out.append(PoseClip(exact, clip.boxes, clip.timestamps, clip.labels, clip.meta))
        return out
    return variant


def _perfect_tracking(confidence: float, analysis_fps: float) -> Variant:
    def variant(clips: list[PoseClip], truths: dict[str, dict]) -> list[PoseClip]:
        out = []
        for scene, truth in sorted(truths.items()):
            t = np.array([f["t"] for f in truth["frames"]], np.float64)
            times = np.arange(t[0], t[-1] + 1e-6, 1.0 / analysis_fps)
            out.extend(truth_visits(truth, times, confidence=confidence, name=scene))
        return out
    return variant


def peak_shares(replays: Sequence[Replay], levels: Sequence[float]) -> list[float]:
    """Share of concealments whose model probability reaches each level between their
    start and 1 s after their end."""
    peaks = []
    for r in replays:
        times = np.array([a.t for a in r.assessments], np.float64)
        probs = np.array([a.probability for a in r.assessments], np.float64)
        for start, end in segments(r.timestamps, r.labels):
            near = probs[(times >= start) & (times <= end + 1.0)]
            peaks.append(float(near.max()) if len(near) else 0.0)
    return [float(np.mean(np.array(peaks) >= level)) if peaks else float("nan")
            for level in levels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rendered", type=Path, nargs="+",
                        help="directories written by 'shopguard synth rendered'")
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--confidence", type=float, default=0.8,
                        help="confidence of exact keypoints in view (variants 3 and 4)")
    parser.add_argument("--analysis-fps", type=float, default=5.0)
    parser.add_argument("--report", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()

    model = SequenceModel(args.model or default_model_path())
    threshold = model.threshold or 0.98
    clips: list[PoseClip] = []
    truths: dict[str, dict] = {}
    for directory in args.rendered:
        for clip in read_native_dir(directory):
            scene = str(clip.meta["camera"])
            if scene not in truths:
                truths[scene] = scene_truth(clip, directory / "videos")
            clips.append(clip)
    variants: dict[str, Variant] = {
        "pose model": lambda c, _: c,
        "pose model, one track per shopper": _by_shopper,
        "exact positions": _exact_positions,
        f"exact, confidence {args.confidence:g}": _exact_confident(args.confidence),
        "perfect tracking": _perfect_tracking(args.confidence, args.analysis_fps),
    }
    rows = {}
    for name, variant in variants.items():
        replays = replay_all(variant(clips, truths), model, ScorerConfig(), desc=name)
        report = evaluate_replays(replays, event_config(threshold))
        reach_half, reach_threshold = peak_shares(replays, (0.5, threshold))
        rows[name] = report | {"peak_at_least_0_5": reach_half,
                               "peak_at_least_threshold": reach_threshold}
    print(f"\n{model.path} (threshold {threshold:g}); {len(truths)} scenes")
    print("| input | clips | frame ROC-AUC | frame PR-AUC | caught | false alerts (h) "
          "| peak ≥ 0.5 | peak ≥ threshold |")
    print("| --- |" + " ---: |" * 7)
    for name, r in rows.items():
        print(f"| {name} | {r['n_clips']} | {r['frame_roc_auc']:.3f} | {r['frame_pr_auc']:.3f} "
              f"| {r['n_caught']} / {r['n_events']} | {r['false_alerts']} "
              f"({r['normal_hours']:.2f}) | {r['peak_at_least_0_5']:.2f} "
              f"| {r['peak_at_least_threshold']:.2f} |")
    if args.report is not None:
        args.report.write_text(json.dumps({"model": str(model.path), "threshold": threshold,
                                           "variants": rows}, indent=1, default=float))


if __name__ == "__main__":
    main()
