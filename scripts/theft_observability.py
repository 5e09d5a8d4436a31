#!/usr/bin/env python3
"""Which synthetic thefts could a pose model see, and when: recall by hands in view, and
frame ranking by time since the concealment began.

Scores ``data`` (native clips) with a behaviour model exactly as ``shopguard evaluate``
does, and reads which joints were in view from ``truth``: the same clips generated with
``--noise exact`` (same split, seed and count: an exact clip is its noisy twin without the
pose model's errors, so its confidence is 1 where a joint is in view and 0 where it is
hidden by a shelf or outside the image). Prints two tables and writes them as JSON:

* thefts caught (alert during the concealment) by how much of the concealment a wrist,
  both wrists, or a hip were in view;
* the fused score's ranking of theft frames against all normal frames by time since the
  concealment began, and the frame ROC-AUC without each concealment's first 0.5 s / 1 s.

Usage::

    shopguard synth data --out runs/synth-test --split test --n 1000
    shopguard synth data --out runs/exact-test --split test --n 1000 --noise exact
    python scripts/theft_observability.py runs/synth-test runs/exact-test --split test \\
        --model models/behavior-lstm.onnx --report observability.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.events.config import EventConfig
from shopguard.keypoints import KP
from shopguard.training import metrics
from shopguard.training.clip import PoseClip
from shopguard.training.datasets import load_dataset
from shopguard.training.evaluate import Replay, alert_times, event_config, replay_all, segments

F64 = npt.NDArray[np.float64]
#: Bins of the share of a concealment's frames in which a body part was in view.
VIEW_BINS = {"never": (0.0, 0.0), "up to half the time": (0.0, 0.5),
             "over half the time": (0.5, 1.0), "throughout": (1.0, 1.0)}
#: Bins of seconds since a concealment began.
ONSET_BINS = ((0.0, 0.25), (0.25, 0.5), (0.5, 1.0), (1.0, 1.5), (1.5, float("inf")))
PARTS = {
    "a wrist": ((KP.LEFT_WRIST, KP.RIGHT_WRIST), np.any),
    "both wrists": ((KP.LEFT_WRIST, KP.RIGHT_WRIST), np.all),
    "a hip": ((KP.LEFT_HIP, KP.RIGHT_HIP), np.any),
}


def _in_bin(share: float, lo: float, hi: float) -> bool:
    """(0, 0) and (1, 1) hold exactly 0 and 1; the bins between exclude both ends' bins."""
    if lo == hi:
        return share == lo
    return lo < share < 1.0 if hi == 1.0 else lo < share <= hi


def recall_by_view(replays: list[Replay], truth: dict[str, PoseClip], threshold: float) -> dict:
    """Thefts and thefts caught, by the share of each concealment a body part was in view."""
    config = event_config(threshold)
    thefts: list[tuple[bool, dict[str, float]]] = []
    for r in replays:
        exact = truth[r.clip_id]
        alerts = alert_times(r.assessments, config)
        for start, end in segments(r.timestamps, r.labels):
            during = (exact.timestamps >= start) & (exact.timestamps <= end)
            seen = exact.keypoints[during, :, 2] > 0
            shares = {name: float(agg(seen[:, list(joints)], axis=1).mean())
                      for name, (joints, agg) in PARTS.items()}
            thefts.append((any(start <= a <= end for a in alerts), shares))
    table = {}
    for name in PARTS:
        for when, (lo, hi) in VIEW_BINS.items():
            rows = [caught for caught, shares in thefts if _in_bin(shares[name], lo, hi)]
            table[f"{name} in view {when}"] = {"thefts": len(rows), "caught": int(sum(rows))}
    return {"thefts": len(thefts), "caught": sum(c for c, _ in thefts), "by_view": table}


def ranking_by_onset(replays: list[Replay]) -> dict:
    """Theft frames' ROC-AUC against all normal frames, by seconds since the theft began."""
    labels, scores, since = [], [], []
    for r in replays:
        after = np.full(len(r.timestamps), np.inf)
        for start, end in segments(r.timestamps, r.labels):
            during = (r.timestamps >= start) & (r.timestamps <= end)
            after[during] = r.timestamps[during] - start
        labels.append(r.labels.astype(np.float64))
        scores.append(r.frame_values("score"))
        since.append(after)
    y, s, d = np.concatenate(labels), np.concatenate(scores), np.concatenate(since)
    normal = np.sort(s[y == 0])
    out: dict = {"frame_roc_auc": metrics.roc_auc(y, s), "by_onset": {}}
    for lo, hi in ONSET_BINS:
        theft = s[(y == 1) & (d >= lo) & (d < hi)]
        ranks = (np.searchsorted(normal, theft, "left") + np.searchsorted(normal, theft, "right"))
        out["by_onset"][f"{lo}–{hi} s"] = {
            "share_of_theft_frames": float(len(theft) / max(y.sum(), 1)),
            "roc_auc": float(np.mean(ranks / 2 / len(normal))) if len(theft) else float("nan"),
        }
    for cut in (0.5, 1.0):
        keep = (y == 0) | (d >= cut)
        out[f"frame_roc_auc_without_first_{cut}_s"] = metrics.roc_auc(y[keep], s[keep])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="native dataset to score")
    parser.add_argument("truth", type=Path, help="the same clips made with --noise exact")
    parser.add_argument("--split", default=None, help="sub-folder of both (e.g. test)")
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--threshold", type=float, default=None,
                        help="alert threshold (default: the model's, as in evaluate)")
    parser.add_argument("--report", type=Path, default=None, help="JSON to write")
    args = parser.parse_args()
    model = SequenceModel(args.model or default_model_path())
    threshold = args.threshold or model.threshold or EventConfig().threshold  # as evaluate
    truth = {c.clip_id: c for c in load_dataset(args.truth, "native", args.split)}
    clips = load_dataset(args.data, "native", args.split)
    missing = [c.clip_id for c in clips if c.clip_id not in truth]
    if missing:
        parser.error(f"{len(missing)} clips have no exact twin in {args.truth} ({missing[0]}, …)")
    replays = replay_all(clips, model, ScorerConfig(), desc="score")
    report = {"model": str(args.model or default_model_path()), "threshold": threshold,
              **recall_by_view(replays, truth, threshold), **ranking_by_onset(replays)}
    print(f"{report['caught']} of {report['thefts']} thefts caught at {threshold}")
    print("| concealment | thefts | caught |\n| --- | ---: | ---: |")
    for name, row in report["by_view"].items():
        print(f"| {name} | {row['thefts']} | {row['caught']} |")
    print(f"\nframe ROC-AUC {report['frame_roc_auc']:.3f}")
    print("| since the theft began | share of theft frames | ROC-AUC against normal frames |")
    print("| --- | ---: | ---: |")
    for name, row in report["by_onset"].items():
        print(f"| {name} | {row['share_of_theft_frames']:.3f} | {row['roc_auc']:.3f} |")
    for cut in (0.5, 1.0):
        print(f"frame ROC-AUC without each theft's first {cut} s: "
              f"{report[f'frame_roc_auc_without_first_{cut}_s']:.3f}")
    if args.report:
        args.report.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
