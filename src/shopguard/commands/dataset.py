"""``shopguard dataset export-reviews|merge|balance``: the store's feedback as training data.

Example:
    $ shopguard dataset export-reviews --config shopguard.yaml --out data/reviews
    $ shopguard dataset merge --out data/merged --native data/reviews --synthetic 2000 \\
          --poselift data/PoseLift --test-cameras door-2
    $ shopguard train --from data/merged --base v3 --out runs/ft1
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from shopguard.training.clip import PoseClip

EXIT_ERROR = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dataset`` sub-command."""
    parser = subparsers.add_parser(
        "dataset", help="export reviews as training clips, merge and split datasets",
        description="Turn reviewed alerts and missed-theft reports into labelled pose clips "
        "(native format) and merge them with other datasets into train/val/test splits "
        "that never share a person.")
    actions = parser.add_subparsers(dest="dataset_action", metavar="ACTION", required=True)
    export = actions.add_parser("export-reviews", help="reviewed events and missed-theft "
                                "reports as labelled pose clips")
    export.add_argument("--config", type=Path, required=True, help="service configuration")
    export.add_argument("--out", type=Path, required=True, help="folder (or .zip) to write")
    export.add_argument("--cameras", help="comma-separated camera ids (default: all)")
    export.add_argument("--margin-s", type=float, default=5.0,
                        help="seconds of track log either side of a missed-theft span")
    export.add_argument("--background-hours", type=float, default=0.0,
                        help="also export every track of the last hours of each camera's "
                        "track log (ordinary shopping: negatives, and the normal hours that "
                        "per-camera thresholds are chosen on)")
    merge = actions.add_parser("merge", help="merge datasets into train/val/test by camera "
                               "and day")
    merge.add_argument("--out", type=Path, required=True)
    merge.add_argument("--native", type=Path, action="append", default=[],
                       help="native dataset folder (read recursively); repeatable")
    merge.add_argument("--poselift", type=Path, action="append", default=[],
                       help="PoseLift folder; repeatable")
    merge.add_argument("--synthetic", type=int, default=0, help="synthetic clips to add")
    merge.add_argument("--val-fraction", type=float, default=0.15)
    merge.add_argument("--test-fraction", type=float, default=0.15)
    merge.add_argument("--test-cameras", default="",
                       help="comma-separated cameras held out entirely for test")
    balance = actions.add_parser("balance", help="class balance of a merged dataset")
    balance.add_argument("data", type=Path)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    action = {"export-reviews": _export, "merge": _merge, "balance": _balance}
    try:
        return action[args.dataset_action](args)
    except (ValueError, OSError) as exc:
        print(f"shopguard dataset: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _cameras(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def _export(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from shopguard.config import ConfigError, load_config
    from shopguard.service.wiring import SetupError, build_archive, open_database
    from shopguard.training.datasets import write_native_dir
    from shopguard.training.feedback import collect, write_zip

    try:
        config = load_config(args.config)
        sessions, archive = open_database(config, migrate=True), build_archive(config)
        with sessions() as session:
            result = collect(session, archive, config.data_dir / "tracklog",
                             cameras=_cameras(args.cameras), margin_s=args.margin_s,
                             background_hours=args.background_hours)
    except (ConfigError, SetupError, SQLAlchemyError) as exc:
        print(f"shopguard dataset: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.out.suffix == ".zip":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_zip(args.out, result)
    else:
        write_native_dir(args.out, result.clips)
    summary = result.summary()
    skipped = ", ".join(f"{n} {why}" for why, n in summary["skipped"].items()) or "none"
    print(f"wrote {summary['clips']} clips to {args.out} ({summary['by_label']}); "
          f"skipped: {skipped}")
    return 0


def read_tree(folder: Path) -> list[PoseClip]:
    """Every native clip under ``folder`` (sub-folders included), sorted by path."""
    from shopguard.training.datasets import read_clip

    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such dataset folder")
    return [read_clip(p) for p in sorted(folder.rglob("*.npz"))]


def _merge(args: argparse.Namespace) -> int:
    from shopguard.training.datasets import read_poselift
    from shopguard.training.merge import SplitConfig, format_balance, merge

    by_source: dict[str, list[PoseClip]] = defaultdict(list)
    for folder in args.native:
        for clip in read_tree(folder):
            by_source[str(clip.meta.get("source") or "native")].append(clip)
    for folder in args.poselift:
        by_source["poselift"] += read_poselift(folder)
    if args.synthetic:
        from shopguard.training.synth import generate_clips, split_seed

        by_source["synthetic"] += generate_clips(split_seed("train"), args.synthetic,
                                                 theft_fraction=0.5)
    if not by_source:
        raise ValueError("nothing to merge: give --native, --poselift or --synthetic")
    cfg = SplitConfig(args.val_fraction, args.test_fraction,
                      frozenset(_cameras(args.test_cameras) or ()))
    report = merge(sorted(by_source.items()), args.out, cfg)
    print(format_balance(report))
    print(f"wrote {args.out}/{{train,val,test}} and {args.out / 'balance.json'}")
    return 0


def _balance(args: argparse.Namespace) -> int:
    from shopguard.training.merge import SPLITS, balance_report, format_balance

    splits = {name: read_tree(args.data / name) for name in SPLITS
              if (args.data / name).is_dir()}
    if not splits:
        splits = {"all": read_tree(args.data)}
    print(format_balance(balance_report(splits)))
    return 0
