"""``shopguard evaluate DATA``: frame- and event-level metrics of the behaviour stage.

Replays every clip through the scorer (model + zone cues) and the event manager, as in
the product, and writes a JSON report (and optional ROC / PR plots).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.model import ModelLoadError, SequenceModel, default_model_path
from shopguard.events.config import EventConfig


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` sub-command."""
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate the behaviour model on labelled clips",
        description=(
            "Frame-level ROC-AUC, PR-AUC, EER, recall at 1 % and 5 % FPR; event recall, "
            "latency and false alerts per hour of normal video."
        ),
    )
    parser.add_argument("data", type=Path, help="dataset directory")
    parser.add_argument("--format", choices=("native", "poselift"), default="native")
    parser.add_argument("--split", default=None, help="sub-folder / PoseLift part (e.g. test)")
    parser.add_argument("--report", type=Path, required=True, help="JSON report to write")
    parser.add_argument("--model", type=Path, default=None, help="behaviour model (ONNX)")
    parser.add_argument("--plots", type=Path, default=None, help="directory for ROC/PR PNGs")
    parser.add_argument(
        "--threshold", type=float, default=None, help="alert threshold (default: the model's)"
    )
    parser.add_argument(
        "--choose-threshold", action="store_true",
        help="validation data only: sweep the alert threshold and report at the one with the "
             "best event recall within --max-false-per-hour (the sweep goes in the report)")
    parser.add_argument("--max-false-per-hour", type=float, default=1.0,
                        help="false-alert budget for --choose-threshold (default 1)")
    parser.add_argument(
        "--save-threshold", action="store_true",
        help="with --choose-threshold: store the chosen threshold in the --model file as its "
             "recommended threshold")
    parser.add_argument(
        "--compare-with", default=None, metavar="MODEL",
        help="also evaluate this model (file, or with --config a registry version or "
        "'active') on the same clips: both reports, both ROC curves in one PNG, and the "
        "verdict the registry's promotion checks",
    )
    parser.add_argument(
        "--config", type=Path, default=None,
        help="service configuration: --model and --compare-with may name registry versions",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and write the report; exit code 2 on bad data or model."""
    if args.compare_with is not None:
        from shopguard.commands.models import compare

        return compare(args)
    from shopguard.training import plots, sources
    from shopguard.training.evaluate import (
        choose_threshold,
        evaluate_replays,
        event_config,
        frame_arrays,
        replay_all,
    )
    from shopguard.training.report import write_json

    try:
        _check_threshold_options(args)
        model = SequenceModel(args.model or default_model_path())
        clips = sources.evaluation_clips(args.data, args.format, args.split)
    except (ModelLoadError, ValueError, OSError) as exc:
        print(f"shopguard evaluate: error: {exc}", file=sys.stderr)
        return 2
    threshold = args.threshold or model.threshold or EventConfig().threshold
    replays = replay_all(clips, model, ScorerConfig(), desc="evaluate")
    sweep = None
    if args.choose_threshold:
        threshold, sweep = choose_threshold(replays, args.max_false_per_hour)
        print(f"chosen threshold {threshold:.3f} (best event recall with at most "
              f"{args.max_false_per_hour:g} false alerts per hour)")
    report = evaluate_replays(replays, event_config(threshold))
    report |= {"model": str(model.path), "model_version": model.version, "data": str(args.data)}
    if sweep is not None:
        report |= {"threshold_sweep": sweep, "max_false_per_hour": args.max_false_per_hour}
    if args.save_threshold:
        from shopguard.behavior.model import META_THRESHOLD
        from shopguard.training.export import set_metadata

        set_metadata(model.path, {META_THRESHOLD: f"{threshold:.3f}"})
        print(f"stored threshold {threshold:.3f} in {model.path}")
    write_json(args.report, report)
    if args.plots is not None:
        labels, scores = frame_arrays(replays, "score")
        plots.roc_pr(labels, scores, args.plots, "frame-score")
    print(
        f"{report['n_clips']} clips, {report['n_frames']} frames, {report['n_events']} events: "
        f"frame ROC-AUC {report['frame_roc_auc']:.3f}, PR-AUC {report['frame_pr_auc']:.3f}, "
        f"event recall {report['event_recall']:.3f}, "
        f"false alerts/h {report['false_alerts_per_hour']:.2f}; wrote {args.report}"
    )
    for behavior, row in report.get("by_behavior", {}).items():
        caught = f"{row['n_caught']}/{row['n_events']} caught" if row["n_events"] else ""
        false = f"{row['false_alerts']} false alerts" if row["false_alerts"] else ""
        if caught or false:
            print(f"  {behavior}: {', '.join(x for x in (caught, false) if x)}")
    normal = report.get("segment_peaks", {}).get("normal_clips", {})
    if high := [f"{b} {row['reach']['threshold']}/{row['n']}" for b, row in normal.items()
                if row["reach"]["threshold"]]:
        print(f"  normal behaviours scored at or above {threshold:.3f}: {', '.join(high)}")
    return 0


def _check_threshold_options(args: argparse.Namespace) -> None:
    """``ValueError`` for contradictory threshold options."""
    if args.choose_threshold and args.threshold is not None:
        raise ValueError("--threshold and --choose-threshold exclude each other")
    if args.save_threshold and not (args.choose_threshold and args.model is not None):
        raise ValueError("--save-threshold needs --choose-threshold and an explicit --model")
    if args.max_false_per_hour < 0:
        raise ValueError("--max-false-per-hour must be ≥ 0")
