"""``shopguard train``: train the behaviour model (synthetic data by default).

Writes ``model.onnx`` (the best architecture, calibrated, with its alert threshold),
``model.pt``, one ``<arch>-curve.png`` per architecture and ``metrics.json`` to ``--out``.
Needs the ``train`` extra (PyTorch, onnx).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from shopguard.behavior.config import FeatureConfig
from shopguard.training.synth.observe import CLASSIC_NOISE, NOISE_PROFILES

ARCH_CHOICES = ("lstm", "gru", "tcn")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser(
        "train",
        help="train the behaviour model",
        description=(
            "Train sequence models on pose clips, keep the best on validation PR-AUC, "
            "calibrate it, pick the alert threshold on validation and export ONNX."
        ),
    )
    parser.add_argument("--data", type=Path, default=None, help="dataset (default: synthetic)")
    parser.add_argument(
        "--from", dest="from_dir", type=Path, default=None,
        help="merged native dataset (train/ and val/ from 'shopguard dataset merge'); "
        "same as --data DIR --format native",
    )
    parser.add_argument(
        "--base", default=None,
        help="fine-tune this model: a model.pt checkpoint, a behaviour .onnx file (the "
        "shipped model too), or with --config a registry version or 'active' (its "
        "checkpoint, else its ONNX file; architecture, size and features are kept)",
    )
    parser.add_argument("--config", type=Path, default=None,
                        help="service configuration (for --base VERSION)")
    parser.add_argument("--lr", type=float, default=None,
                        help="peak learning rate (default 2e-3, 5e-4 when fine-tuning)")
    parser.add_argument("--format", choices=("native", "poselift"), default="native")
    parser.add_argument("--train-clips", type=int, default=3000,
                        help="synthetic training clips (with --fresh: per epoch)")
    parser.add_argument(
        "--fresh", action="store_true",
        help="synthetic data only: new training clips every epoch, generated while the "
             "model trains, instead of the same clips every epoch")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes generating clips with --fresh (default 2)")
    parser.add_argument(
        "--noise", choices=sorted(NOISE_PROFILES), default=CLASSIC_NOISE.name,
        help="keypoint noise of synthetic train and validation clips: classic (default), "
             "pose-fit (sized like the real pose model's errors on rendered scenes) or "
             "pose-slip (also its misplaced wrists); exact (a perfect pose model) and "
             "exact-positions (classic confidences and lost joints, true places) measure "
             "what the pose alone tells apart")
    parser.add_argument("--val-clips", type=int, default=600, help="synthetic validation clips")
    parser.add_argument(
        "--arch", nargs="+", choices=ARCH_CHOICES, default=["lstm"], help="one or more to compare"
    )
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--patience", type=int, default=5, help="early-stopping epochs")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--window-s", type=float, default=FeatureConfig().window_s)
    parser.add_argument("--rate-hz", type=float, default=FeatureConfig().rate_hz)
    parser.add_argument(
        "--head-fallback", action=argparse.BooleanOptionalAction, default=True,
        help="windows of people whose shoulders are hidden are placed and scaled from the head",
    )
    parser.add_argument(
        "--steady-sides", action=argparse.BooleanOptionalAction, default=None,
        help="swap a frame's left and right joints back when the pose model mirrors them "
        "(default: off, or as the --base model has it)",
    )
    parser.add_argument("--onset-s", type=float, default=None,
                        help="leave windows ending this soon after a theft starts out of the "
                        "loss (default 0.3)")
    parser.add_argument("--after-s", type=float, default=None,
                        help="leave windows ending this soon after a theft ends out of the "
                        "loss (default 2.0)")
    parser.add_argument(
        "--aux-weight", type=float, default=0.0,
        help="weight of an auxiliary loss predicting each window's behaviour (synthetic "
             "clips name it); the head shapes training only and is not exported (default 0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="PyTorch CPU threads")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.set_defaults(func=run)


def _base_model_file(args: argparse.Namespace) -> Path:
    """``--base`` as a file: given directly, or with --config a registry version's
    ``model.pt``, or its ONNX file when it was registered without one."""
    if Path(args.base).is_file() or args.config is None:
        return Path(args.base)
    from shopguard.commands.models import Registry, open_registry
    from shopguard.registry.files import ModelFileError
    from shopguard.registry.store import active_version, get_version

    reg: Registry = open_registry(args.config)
    with reg.session() as s:
        row = active_version(s) if args.base == "active" else get_version(s, args.base)
        if row is None:
            raise ValueError("no active model to fine-tune")
        try:
            if row.checkpoint_key is not None:
                return Path(reg.files.path(row.checkpoint_key, None))
            return Path(reg.files.path(row.file_key, row.sha256))
        except ModelFileError as exc:
            raise ValueError(str(exc)) from exc


def run(args: argparse.Namespace) -> int:
    """Train and report; exit code 2 on unusable data or arguments."""
    from shopguard.training import sources
    from shopguard.training.clip import PoseClip
    from shopguard.training.fresh import FreshSynthetic
    from shopguard.training.pipeline import PipelineConfig
    from shopguard.training.pipeline import run as run_pipeline
    from shopguard.training.train import TrainConfig

    try:
        if args.from_dir is not None:
            args.data, args.format = args.from_dir, "native"
        base = _base_model_file(args) if args.base else None
        features = FeatureConfig(
            window_s=args.window_s, rate_hz=args.rate_hz, head_fallback=args.head_fallback
        )
        if base is not None:
            from shopguard.training.onnx_import import load_base_model

            info = load_base_model(base)[1]
            features = FeatureConfig.model_validate(info["feature_config"])
            args.arch, args.hidden = [info["arch"]], int(info["hidden"])
            print(f"fine-tuning {base}: {info['arch']}, hidden {args.hidden}, "
                  f"{features.window_s:g} s windows at {features.rate_hz:g} Hz")
        if args.steady_sides is not None:
            features = features.model_copy(update={"steady_sides": args.steady_sides})
        train: list[PoseClip] | FreshSynthetic
        if args.data is not None and (args.fresh or args.noise != CLASSIC_NOISE.name):
            raise ValueError("--fresh and --noise shape synthetic clips; they do not apply "
                             "to --data")
        noise = NOISE_PROFILES[args.noise]
        noted = "" if noise is CLASSIC_NOISE else f", {noise.name} noise"
        if args.fresh:
            train = FreshSynthetic(args.train_clips, workers=args.workers, noise=noise.name)
            val = sources.synthetic_splits(0, args.val_clips, noise=noise)[1]
            origin = (f"synthetic ({args.train_clips} new train clips per epoch, "
                      f"{args.train_clips * args.epochs} at most / {args.val_clips} val "
                      f"clips{noted})")
        elif args.data is None:
            train, val = sources.synthetic_splits(args.train_clips, args.val_clips, noise=noise)
            origin = f"synthetic ({args.train_clips} train / {args.val_clips} val clips{noted})"
        else:
            train, val = sources.dataset_splits(args.data, args.format)
            origin = f"{args.format} dataset {args.data}"
        cfg = PipelineConfig(
            archs=tuple(args.arch),
            features=features,
            train=TrainConfig(
                epochs=args.epochs,
                patience=args.patience,
                hidden=args.hidden,
                seed=args.seed,
                threads=args.threads,
                aux_weight=args.aux_weight,
                lr=args.lr or (5e-4 if base is not None else TrainConfig().lr),
            ),
            training_data=origin,
            base=base,
            **{k: v for k in ("onset_s", "after_s") if (v := getattr(args, k)) is not None},
        )
        command = shlex.join(["shopguard", *sys.argv[1:]])
        summary = run_pipeline(train, val, args.out, cfg, command=command)
    except (ValueError, OSError) as exc:
        print(f"shopguard train: error: {exc}", file=sys.stderr)
        return 2
    val = summary["val"]
    print(
        f"best {summary['best_arch']}: threshold {summary['threshold']:.3f}, validation "
        f"frame ROC-AUC {val['frame_roc_auc']:.3f}, event recall {val['event_recall']:.3f}, "
        f"false alerts/h {val['false_alerts_per_hour']:.2f}"
    )
    print(f"wrote {args.out / 'model.onnx'} and {args.out / 'metrics.json'}")
    return 0
