"""The whole training recipe: windows → train each architecture → keep the best →
calibrate → export ONNX → choose the alert threshold on validation → report.

Outputs in ``out``: ``model.onnx`` and ``model.pt`` (the best), ``<arch>.onnx``,
``<arch>.pt`` and ``<arch>-curve.png`` for every architecture, and ``metrics.json``.

Example:
    >>> summary = run(train_clips, val_clips, Path("runs/x"), PipelineConfig())  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.behavior.config import FeatureConfig, ScorerConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import META_THRESHOLD, META_TRAINING_DATA, SequenceModel
from shopguard.training import metrics, plots
from shopguard.training.clip import PoseClip
from shopguard.training.evaluate import (
    choose_threshold,
    evaluate_replays,
    event_config,
    replay_all,
)
from shopguard.training.export import export_onnx, set_metadata
from shopguard.training.fresh import FreshSynthetic, FreshWindows, WindowRecipe
from shopguard.training.models import Arch, save_checkpoint
from shopguard.training.onnx_import import load_base_model
from shopguard.training.report import write_json
from shopguard.training.train import (
    EpochWindows,
    TrainConfig,
    TrainResult,
    WindowSet,
    clip_stats,
    predict_logits,
    train_model,
)


@dataclass(frozen=True)
class PipelineConfig:
    """What to train and how to pick the operating point."""

    archs: tuple[Arch, ...] = ("lstm",)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    scorer: ScorerConfig = field(default_factory=ScorerConfig)
    stride_s: float = 0.5
    dense_s: float | None = 0.1
    #: Windows ending this soon after a theft starts, or this soon after it ends, are left
    #: out of the loss and of model selection (their label is ambiguous; see ``train``).
    onset_s: float = 0.3
    after_s: float = 2.0
    max_false_per_hour: float = 1.0
    training_data: str = "synthetic"
    #: A ``model.pt`` or behaviour ``.onnx`` to fine-tune (its architecture, size and
    #: features must match).
    base: Path | None = None

    @property
    def recipe(self) -> WindowRecipe:
        """How training clips become windows (validation: the same without ``dense_s``)."""
        return WindowRecipe(self.features, self.stride_s, self.dense_s, self.onset_s, self.after_s)


def _ms_per_window(path: Path, steps: int, batch: int, repeats: int = 50) -> float:
    model = SequenceModel(path)
    x = np.zeros((batch, steps, NUM_FEATURES), np.float32)
    model.predict(x)
    start = time.perf_counter()
    for _ in range(repeats):
        model.predict(x)
    return (time.perf_counter() - start) * 1000 / repeats / batch


def base_model(cfg: PipelineConfig, arch: Arch) -> Any:
    """The checkpoint to fine-tune; ``ValueError`` unless it matches what is trained."""
    assert cfg.base is not None
    model, info = load_base_model(cfg.base)
    # The windows must mean the same; steadying the sides only cleans the input.
    info = info | {"feature_config": _without_sides(info.get("feature_config"))}
    wanted = {"arch": arch, "hidden": cfg.train.hidden,
              "feature_config": _without_sides(cfg.features.model_dump())}
    for key, value in wanted.items():
        if info.get(key) != value:
            raise ValueError(f"{cfg.base}: base model has {key} {info.get(key)!r}, "
                             f"training asks for {value!r}")
    return model.train()


def _without_sides(features: Any) -> Any:
    return {k: v for k, v in features.items() if k != "steady_sides"} if isinstance(
        features, dict) else features


def _train_one(
    arch: Arch, data: WindowSet | EpochWindows, val: WindowSet, cfg: PipelineConfig,
    out: Path, progress: bool,
) -> tuple[TrainResult, dict[str, Any], dict[str, Any]]:
    initial = base_model(cfg, arch) if cfg.base is not None else None
    result = train_model(data, val, replace(cfg.train, arch=arch), progress, initial)
    meta = {META_TRAINING_DATA: cfg.training_data}
    info: dict[str, Any] = {
        "arch": arch,
        "hidden": cfg.train.hidden,
        "num_features": NUM_FEATURES,
        "aux_classes": 0 if result.model.aux is None else result.model.aux.out_features,
        "feature_config": cfg.features.model_dump(),
        "temperature": result.temperature,
        "metadata": meta,
    }
    save_checkpoint(out / f"{arch}.pt", result.model, info)
    onnx_path = export_onnx(
        result.model,
        out / f"{arch}.onnx",
        cfg.features,
        arch=arch,
        temperature=result.temperature,
        metadata=meta,
    )
    plots.training_curve(result.history, out / f"{arch}-curve.png", title=f"{arch.upper()}")
    probs = 1 / (1 + np.exp(-predict_logits(result.model, val.x) / result.temperature))
    scored = val.w > 0
    row = {
        "arch": arch,
        "parameters": sum(  # what inference runs: the auxiliary head is not exported
            p.numel() for name, p in result.model.named_parameters() if not name.startswith("aux.")
        ),
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        "train_seconds": round(result.seconds, 1),
        "temperature": result.temperature,
        "val_window_pr_auc": result.val_pr_auc,
        "val_window_roc_auc": metrics.roc_auc(val.y[scored], probs[scored]),
        "val_window_ece": metrics.expected_calibration_error(val.y[scored], probs[scored]),
        "ms_per_window_batch1": _ms_per_window(onnx_path, cfg.features.steps, 1),
        "ms_per_window_batch16": _ms_per_window(onnx_path, cfg.features.steps, 16),
        "onnx_bytes": onnx_path.stat().st_size,
    }
    return result, row, info


def _train_all(
    train: Sequence[PoseClip] | FreshSynthetic, val: WindowSet, cfg: PipelineConfig,
    out: Path, progress: bool,
) -> tuple[dict[Arch, tuple[TrainResult, dict[str, Any], dict[str, Any]]], dict[str, Any]]:
    """Train every architecture on the same data; returns each one's result, report row
    and checkpoint info, and the training data's counts."""
    trained = {}
    if isinstance(train, FreshSynthetic):
        for arch in cfg.archs:  # every architecture sees the same fresh clips
            with FreshWindows(train, cfg.recipe, cfg.train.epochs) as source:
                trained[arch] = _train_one(arch, source, val, cfg, out, progress)
        return trained, source.stats
    fixed = cfg.recipe.build(train)
    for arch in cfg.archs:
        trained[arch] = _train_one(arch, fixed, val, cfg, out, progress)
    return trained, clip_stats(train, fixed)


def run(
    train_clips: Sequence[PoseClip] | FreshSynthetic,
    val_clips: Sequence[PoseClip],
    out: Path,
    cfg: PipelineConfig,
    progress: bool = True,
    command: str = "",
) -> dict[str, Any]:
    """Train, compare, calibrate, export and report; returns what ``metrics.json`` holds.

    ``train_clips`` is a fixed set of clips or, for synthetic data, ``FreshSynthetic``:
    new clips every epoch (``shopguard.training.fresh``).
    """
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    val = replace(cfg.recipe, dense_s=None).build(val_clips)
    trained, train_stats = _train_all(train_clips, val, cfg, out, progress)
    rows = [row for _, row, _ in trained.values()]
    best = max(rows, key=lambda r: r["val_window_pr_auc"])["arch"]

    model = SequenceModel(out / f"{best}.onnx")
    replays = replay_all(val_clips, model, cfg.scorer, desc="validation replay")
    threshold, sweep = choose_threshold(replays, cfg.max_false_per_hour)
    result, _, info = trained[best]
    info["metadata"][META_THRESHOLD] = f"{threshold:.3f}"
    set_metadata(out / f"{best}.onnx", info["metadata"])
    shutil.copyfile(out / f"{best}.onnx", out / "model.onnx")
    save_checkpoint(out / "model.pt", result.model, info)
    summary = {
        "command": command,
        "base": str(cfg.base) if cfg.base is not None else None,
        "best_arch": best,
        "threshold": threshold,
        "feature_config": cfg.features.model_dump(),
        "scorer_config": cfg.scorer.model_dump(),
        "train_config": asdict(cfg.train),
        "data": {
            "train": train_stats,
            "val": clip_stats(val_clips, val),
            "source": cfg.training_data,
        },
        "comparison": rows,
        "val": evaluate_replays(replays, event_config(threshold)),
        "threshold_sweep": sweep,
        "total_seconds": round(time.perf_counter() - start, 1),
    }
    write_json(out / "metrics.json", summary)
    return summary
