"""``shopguard models list|register|promote|rollback|thresholds``: the behaviour model registry.

Example:
    $ shopguard models register runs/ft1/model.onnx --checkpoint runs/ft1/model.pt \\
          --metrics runs/ft1/metrics.json --config shopguard.yaml
    $ shopguard evaluate data/merged --split test --model v4 --compare-with active \\
          --config shopguard.yaml --report out/compare.json --plots out/
    $ shopguard models promote v4 --config shopguard.yaml
    $ shopguard models thresholds v4 --data data/reviews --max-false-per-hour 0.5 \\
          --config shopguard.yaml
    $ shopguard models rollback --config shopguard.yaml

Running cameras switch to a promoted (or rolled back) version within ``models.poll_s``
seconds, without a restart.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from shopguard.config import ServiceConfig

EXIT_ERROR = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``models`` sub-command."""
    parser = subparsers.add_parser(
        "models", help="behaviour model registry: list, register, promote, roll back",
        description="Versions of the behaviour model in the database and data_dir/models. "
        "A promotion is refused when the candidate is worse than the active model on the "
        "held-out split (see 'shopguard evaluate --compare-with'), unless forced with a "
        "reason.")
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list versions")
    reg = actions.add_parser("register", help="add a model file as a candidate")
    reg.add_argument("model", type=Path, help="behaviour model (ONNX)")
    reg.add_argument("--version", help="name (default: v<N+1>)")
    reg.add_argument("--checkpoint", type=Path, help="model.pt, for later fine-tuning")
    reg.add_argument("--metrics", type=Path, help="metrics.json written by 'shopguard train'")
    reg.add_argument("--note", default="")
    promote = actions.add_parser("promote", help="make a version the active model")
    promote.add_argument("version")
    promote.add_argument("--force-reason", help="promote although refused; the reason is "
                         "stored with the version")
    rollback = actions.add_parser("rollback", help="re-activate the previous active version")
    thresholds = actions.add_parser("thresholds", help="choose per-camera thresholds on "
                                    "reviewed data and store them with a version")
    thresholds.add_argument("version")
    thresholds.add_argument("--data", type=Path, required=True,
                            help="native clips with camera metadata (export-reviews output, "
                            "with --background-hours for the normal hours)")
    thresholds.add_argument("--max-false-per-hour", type=float, default=0.5)
    thresholds.add_argument("--min-normal-hours", type=float, default=0.5)
    thresholds.add_argument("--dry-run", action="store_true", help="print, do not store")
    for action in (listing, reg, promote, rollback, thresholds):
        action.add_argument("--config", type=Path, required=True, help="service configuration")
    for action in (reg, promote, rollback, thresholds):
        action.add_argument("--by", default=f"cli:{getpass.getuser()}", help="who (audit log)")
    parser.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Registry:
    """The registry of a configuration: its database and model files."""

    config: ServiceConfig

    @contextmanager
    def session(self) -> Iterator[Session]:
        from shopguard.service.wiring import open_database

        with open_database(self.config, migrate=True).begin() as session:
            yield session

    @property
    def files(self) -> Any:
        from shopguard.service.worker import model_files

        return model_files(self.config)


def open_registry(path: Path) -> Registry:
    """The registry of the configuration file at ``path``."""
    from shopguard.config import load_config

    return Registry(load_config(path))


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from shopguard.behavior.model import ModelLoadError
    from shopguard.config import ConfigError
    from shopguard.registry.files import ModelFileError
    from shopguard.registry.store import PromotionRefused, RegistryError
    from shopguard.service.wiring import SetupError

    action = {"list": _list, "register": _register, "promote": _promote,
              "rollback": _rollback, "thresholds": _thresholds}[args.models_action]
    try:
        return action(open_registry(args.config), args)
    except PromotionRefused as exc:
        print(f"shopguard models: refused: {exc.args[0].split(': ', 1)[0]}:", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  - {reason}", file=sys.stderr)
        print("  (--force-reason TEXT promotes anyway and stores the reason)", file=sys.stderr)
        return EXIT_ERROR
    except (RegistryError, ModelLoadError, ModelFileError, ValueError, OSError) as exc:
        print(f"shopguard models: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, SetupError, SQLAlchemyError) as exc:
        print(f"shopguard models: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "-" if value is None else str(value)


def _list(reg: Registry, args: argparse.Namespace) -> int:
    from shopguard.registry.store import list_versions

    with reg.session() as s:
        rows = list_versions(s)
        print(f"{'version':<14} {'status':<10} {'created':<17} {'promoted':<17} "
              f"{'threshold':>9} {'cameras':>7}  held-out PR-AUC (active)  note")
        for r in rows:
            comparison = r.metrics.get("comparison") or {}
            held = (f"{_fmt(comparison.get('candidate', {}).get('frame_pr_auc'))} "
                    f"({_fmt(comparison.get('active', {}).get('frame_pr_auc'))} "
                    f"{comparison.get('baseline', '')})" if comparison else "-")
            promoted = f"{r.promoted_at:%Y-%m-%d %H:%M}" if r.promoted_at else "-"
            forced = f" FORCED: {r.forced_reason}" if r.forced_reason else ""
            print(f"{r.version:<14} {r.status.value:<10} {r.created_at:%Y-%m-%d %H:%M} "
                  f"{promoted:<17} {_fmt(r.thresholds.get('default')):>9} "
                  f"{len(r.thresholds.get('cameras') or {}):>7}  {held:<24}  {r.note}{forced}")
    return 0


def _register(reg: Registry, args: argparse.Namespace) -> int:
    from shopguard.registry.store import register
    from shopguard.training.report import json_safe

    metrics: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if args.metrics is not None:
        summary = json.loads(args.metrics.read_text())
        metrics = {"training": {k: summary.get(k) for k in
                                ("best_arch", "threshold", "val", "command", "base")}}
        data = dict(summary.get("data") or {})
    with reg.session() as s:
        row = register(s, reg.files, args.model, version=args.version,
                       checkpoint=args.checkpoint, metrics=json_safe(metrics),
                       training_data=json_safe(data), note=args.note, created_by=args.by)
        print(f"registered {row.version} (candidate, sha256 {row.sha256[:12]}); compare it "
              f"with the active model: shopguard evaluate DATA --split test --model "
              f"{row.version} --compare-with active --config {args.config}")
    return 0


def _promote(reg: Registry, args: argparse.Namespace) -> int:
    from shopguard.registry.store import promote

    with reg.session() as s:
        row = promote(s, args.version, by=args.by, force_reason=args.force_reason)
        forced = f" (forced: {row.forced_reason})" if row.forced_reason else ""
        print(f"{row.version} is now active{forced}; cameras switch within "
              f"{reg.config.models.poll_s:g} s")
    return 0


def _rollback(reg: Registry, args: argparse.Namespace) -> int:
    from shopguard.registry.store import rollback

    with reg.session() as s:
        row = rollback(s, by=args.by)
        print(f"{row.version} is active again; cameras switch within "
              f"{reg.config.models.poll_s:g} s")
    return 0


def _thresholds(reg: Registry, args: argparse.Namespace) -> int:
    from shopguard.behavior.model import SequenceModel
    from shopguard.commands.dataset import read_tree
    from shopguard.privacy.audit import Actor
    from shopguard.registry.store import get_version, set_thresholds
    from shopguard.registry.thresholds import choose_camera_thresholds
    from shopguard.training.report import json_safe

    with reg.session() as s:
        row = get_version(s, args.version)
        model = SequenceModel(reg.files.path(row.file_key, row.sha256))
        if row.thresholds.get("default") is not None:
            model.threshold = float(row.thresholds["default"])
        result = choose_camera_thresholds(model, read_tree(args.data), args.max_false_per_hour,
                                          args.min_normal_hours)
        for camera, info in result["chosen"]["per_camera"].items():
            chosen = result["cameras"].get(camera)
            why = info.get("kept_default", "")
            print(f"{camera:<16} {_fmt(chosen) if chosen else 'default':>8}  "
                  f"{info['normal_hours']:.2f} h normal, {info['events']} thefts, recall "
                  f"{_fmt(info['event_recall'])}, {_fmt(info['false_alerts_per_hour'])} "
                  f"false/h {why}")
        if not args.dry_run:
            set_thresholds(s, args.version, json_safe(result), actor=Actor(None, args.by))
            print(f"stored with {args.version}; cameras running it switch within "
                  f"{reg.config.models.poll_s:g} s")
    return 0


# ----- shopguard evaluate --compare-with ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """A model named on the command line: a file, or a registry version ("active")."""

    label: str
    path: Path
    threshold: float | None
    version: str | None


def resolve(spec: str, reg: Registry | None) -> Resolved:
    """A file path, or (with a configuration) a registry version or ``active``."""
    from shopguard.registry.store import RegistryError, active_version, get_version

    if Path(spec).is_file() or reg is None:
        return Resolved(Path(spec).name, Path(spec), None, None)
    with reg.session() as s:
        row = active_version(s) if spec == "active" else get_version(s, spec)
        if row is None:
            raise RegistryError("no active model version")
        default = row.thresholds.get("default")
        return Resolved(row.version, reg.files.path(row.file_key, row.sha256),
                        float(default) if default is not None else None, row.version)


def compare(args: argparse.Namespace) -> int:
    """``shopguard evaluate DATA --model CANDIDATE --compare-with ACTIVE``: both models on the
    same clips; report JSON, both ROC curves on one PNG; with registry versions the
    comparison is stored with the candidate (what ``models promote`` checks)."""
    from shopguard.behavior.model import ModelLoadError, SequenceModel
    from shopguard.registry.compare import Contender, compare_models, default_threshold, roc_png
    from shopguard.registry.files import ModelFileError
    from shopguard.registry.store import RegistryError, get_version
    from shopguard.training import sources
    from shopguard.training.report import json_safe, write_json

    try:
        reg = open_registry(args.config) if args.config else None
        if args.model is None:
            raise ValueError("--compare-with needs --model (the candidate)")
        named = [resolve(str(args.model), reg), resolve(args.compare_with, reg)]
        contenders = []
        for r in named:
            model = SequenceModel(r.path)
            threshold = args.threshold or r.threshold or default_threshold(model)
            contenders.append(Contender(r.label, model, threshold))
        clips = sources.evaluation_clips(args.data, args.format, args.split)
    except (ModelLoadError, ModelFileError, RegistryError, ValueError, OSError) as exc:
        print(f"shopguard evaluate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report, curves = compare_models(contenders[0], contenders[1], clips)
    report |= {"split": args.split, "data_path": str(args.data)}
    write_json(args.report, report)
    if args.plots is not None:
        roc_png(args.plots / "roc-compare.png", curves,
                f"held-out ROC: {contenders[0].label} vs {contenders[1].label}")
    if reg is not None and named[0].version and named[1].version:
        with reg.session() as s:
            row = get_version(s, named[0].version)
            row.metrics = {**row.metrics, "comparison": json_safe(report)}
    for name in ("candidate", "active"):
        r = report[name]
        print(f"{name:<9} {r['model']:<14} ROC-AUC {_fmt(r['frame_roc_auc'])} PR-AUC "
              f"{_fmt(r['frame_pr_auc'])} event recall {_fmt(r['event_recall'])} at "
              f"{_fmt(r['threshold'])}, {_fmt(r['false_alerts_per_hour'])} false alerts/h")
    verdict = "; ".join(report["worse"]) or "not worse: may be promoted"
    print(f"{report['n_clips']} clips ({report['data']}): {verdict}; wrote {args.report}")
    return 0
