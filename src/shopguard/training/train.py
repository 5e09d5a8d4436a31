"""Train a sequence model on feature windows cut from labelled clips.

Windows come from ``shopguard.behavior.features.extract_windows`` (the scorer's own
code), end at frame times every ``stride_s`` seconds and take the label of their last
frame. Windows whose label the pose cannot support yet or any more get weight 0: those
ending in the first ``onset_s`` of a theft segment (the concealment has barely begun)
and those ending within ``after_s`` after it (the window still shows it; evaluation does
not count alerts there as false either). Training uses class-weighted BCE, a one-cycle
learning rate, left-right mirroring, early stopping on the validation PR-AUC, and a
temperature fitted on validation logits for calibration. With ``aux_weight`` > 0 an
auxiliary head also learns which behaviour (``synth.behaviors.BEHAVIORS``) each window
ends in, where the clip says (``meta["segments"]``); it is not exported.

Example:
    >>> data = build_windows(clips, FeatureConfig(), stride_s=0.5)  # doctest: +SKIP
    >>> result = train_model(data, val_data, TrainConfig(arch="lstm"))  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from tqdm import tqdm

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import NUM_FEATURES, extract_windows, flip_index, window_ends
from shopguard.behavior.sides import steady_sides
from shopguard.training import metrics
from shopguard.training.clip import PoseClip
from shopguard.training.evaluate import segments
from shopguard.training.models import Arch, WindowModel, build_model
from shopguard.training.synth.behaviors import BEHAVIORS

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class WindowSet:
    """Model inputs ``x`` (n, steps, features), labels ``y`` (n,), source clip,
    loss weights ``w`` (n,): 0 for windows with an ambiguous label, and ``behavior`` (n,):
    the index in ``BEHAVIORS`` of the behaviour each window ends in, -1 where unknown.

    ``x`` is float16: half the memory (10,000 synthetic clips make about 600,000 windows,
    5 GB instead of 10); features are bounded, a few torso lengths, so the rounding
    (< 0.1 %) is far below the keypoint noise. Batches are cast to float32 for the model.
    """

    x: npt.NDArray[np.float16]
    y: npt.NDArray[np.float32]
    clip: npt.NDArray[np.int64]
    w: npt.NDArray[np.float32]
    behavior: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.y)

    @property
    def positive_fraction(self) -> float:
        return float(self.y.mean()) if len(self.y) else 0.0


WINDOW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(WindowSet))
#: Training windows for an epoch (1-based): the same set every epoch, or a new one.
EpochWindows = Callable[[int], WindowSet]


def _ends(clip: PoseClip, stride_s: float, min_history_s: float, dense_s: float | None) -> F64:
    """Window ends every ``stride_s``; every ``dense_s`` within 1 s of a theft segment."""
    t = clip.timestamps
    ends = window_ends(t, stride_s, min_history_s)
    if dense_s is None or len(t) == 0:
        return ends
    near = np.zeros(len(t), bool)
    for start, end in segments(t, clip.labels):
        near |= (t >= start - 1.0) & (t <= end + 1.0)
    near &= t >= t[0] + min_history_s
    return np.union1d(ends, window_ends(t[near], dense_s, 0.0))


def _weights(clip: PoseClip, ends: F64, onset_s: float, after_s: float) -> F64:
    """1 per window end, 0 in the first ``onset_s`` of a theft segment or ``after_s`` after it."""
    w = np.ones(len(ends))
    for start, end in segments(clip.timestamps, clip.labels):
        w[(ends >= start) & (ends < start + onset_s)] = 0.0
        w[(ends > end) & (ends <= end + after_s)] = 0.0
    return w


def _behaviors(clip: PoseClip, ends: F64) -> npt.NDArray[np.int64]:
    """Index in ``BEHAVIORS`` of the behaviour segment holding each window end (-1: none
    or a name outside the vocabulary, e.g. clips without ``meta["segments"]``)."""
    out = np.full(len(ends), -1, np.int64)
    for seg in clip.meta.get("segments", []):
        if seg.get("behavior") in BEHAVIORS:
            inside = (ends >= seg["t_start"]) & (ends <= seg["t_end"])
            out[inside] = BEHAVIORS.index(seg["behavior"])
    return out


def concat_windows(parts: Iterable[WindowSet], steps: int) -> WindowSet:
    """One ``WindowSet`` of several (windows of ``steps`` steps), in order."""
    parts = [p for p in parts if len(p)]
    if not parts:
        no, none = np.zeros(0, np.float32), np.zeros(0, np.int64)
        return WindowSet(np.zeros((0, steps, NUM_FEATURES), np.float16), no, none, no, none)
    return WindowSet(*(np.concatenate([getattr(p, f) for p in parts]) for f in WINDOW_FIELDS))


def build_windows(
    clips: Iterable[PoseClip],
    cfg: FeatureConfig,
    stride_s: float,
    min_history_s: float = 1.0,
    dense_s: float | None = None,
    onset_s: float = 0.0,
    after_s: float = 0.0,
) -> WindowSet:
    """Valid windows of every clip, labelled with their last frame's label.

    ``dense_s`` adds windows that often around theft segments (more, time-shifted
    examples of the rare class and its boundaries; for training only). ``onset_s`` and
    ``after_s`` set the ambiguous windows' weights to 0 (see the module docstring).
    """
    parts = []
    for i, clip in enumerate(clips):
        ends = _ends(clip, stride_s, min_history_s, dense_s)
        if len(ends) == 0:
            continue
        kps = steady_sides(clip.timestamps, clip.keypoints) if cfg.steady_sides else clip.keypoints
        win = extract_windows(clip.timestamps, kps, ends, cfg)
        frame = np.searchsorted(clip.timestamps, ends, side="right") - 1
        parts.append(WindowSet(
            win.features[win.valid].astype(np.float16),
            clip.labels[frame][win.valid].astype(np.float32),
            np.full(int(win.valid.sum()), i, np.int64),
            _weights(clip, ends, onset_s, after_s)[win.valid].astype(np.float32),
            _behaviors(clip, ends)[win.valid],
        ))
    return concat_windows(parts, cfg.steps)


def clip_stats(clips: Sequence[PoseClip], windows: WindowSet) -> dict[str, Any]:
    """Counts for a report: clips, thieves, hours, frames and windows by kind."""
    return {
        "clips": len(clips),
        "theft_clips": sum(bool(c.labels.any()) for c in clips),
        "hours": sum(c.duration for c in clips) / 3600,
        "frames": sum(len(c) for c in clips),
        "windows": len(windows),
        "positive_windows": int(windows.y.sum()),
        "ambiguous_windows": int((windows.w == 0).sum()),
    }


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Hyper-parameters of one training run."""

    arch: Arch = "lstm"
    hidden: int = 64
    epochs: int = 30
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 5
    seed: int = 0
    threads: int = 2
    mirror: bool = True
    #: Weight of the auxiliary behaviour loss (0: no auxiliary head).
    aux_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.aux_weight < 0:
            raise ValueError(f"aux_weight must be ≥ 0, got {self.aux_weight}")


@dataclass
class TrainResult:
    """The best model (by validation PR-AUC), its calibration and the learning history."""

    model: WindowModel
    config: TrainConfig
    best_epoch: int
    val_pr_auc: float
    temperature: float
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)


def predict_logits(model: nn.Module, x: npt.NDArray[np.floating], batch: int = 2048) -> np.ndarray:
    """Logits for windows (float16 or float32), in evaluation mode, without gradients."""
    model.eval()
    with torch.no_grad():
        return np.concatenate(
            [model(torch.from_numpy(x[i : i + batch]).float()).numpy()
             for i in range(0, len(x), batch)]
            or [np.zeros(0, np.float32)]
        )


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature T minimising the validation log-loss of ``sigmoid(logit / T)``."""
    z = np.asarray(logits, np.float64)
    y = np.asarray(labels, np.float64)
    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 121))

    def nll(temp: float) -> float:
        s = z / temp
        return float(np.mean(np.logaddexp(0.0, s) - y * s))

    return float(min(grid, key=nll))


def _weighted_loss(pos_weight: float) -> nn.BCEWithLogitsLoss:
    return nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor(pos_weight, dtype=torch.float32), reduction="none"
    )


def _mean(loss: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return (loss * weight).sum() / weight.sum().clamp(min=1e-6)


def train_model(
    train: WindowSet | EpochWindows,
    val: WindowSet,
    cfg: TrainConfig,
    progress: bool = True,
    initial: WindowModel | None = None,
) -> TrainResult:
    """Train with early stopping on validation PR-AUC; returns the best epoch's model.

    ``train`` is one set for every epoch or a function giving each epoch's set (e.g. new
    synthetic clips every epoch); an epoch then takes at most as many batches as the first
    one, and the class weight comes from the first. ``initial`` (a model of ``cfg.arch``
    and ``cfg.hidden``) is fine-tuned instead of training a fresh one. The auxiliary head
    is used when ``cfg.aux_weight`` > 0 and some training windows have a known behaviour.
    """
    first = train if isinstance(train, WindowSet) else train(1)
    if len(first) == 0 or len(val) == 0:
        raise ValueError(f"need training and validation windows, got {len(first)} and {len(val)}")
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    aux_classes = len(BEHAVIORS) if cfg.aux_weight > 0 and (first.behavior >= 0).any() else 0
    model = initial if initial is not None else build_model(
        cfg.arch, NUM_FEATURES, cfg.hidden, aux_classes)
    if aux_classes and model.aux is None:  # fine-tuning a model trained without one
        model.aux = nn.Linear(model.head.in_features, aux_classes)
    # Summed, then divided by the batch's known behaviours below: the mean over them, but
    # 0 instead of NaN for a batch without any (reduction="mean" divides by zero there).
    aux_loss_fn = nn.CrossEntropyLoss(ignore_index=-1, reduction="sum")
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    batches = -(-len(first) // cfg.batch_size)  # per epoch, at most
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, cfg.lr, total_steps=cfg.epochs * batches)
    n_pos = max(float((first.y * first.w).sum()), 1.0)
    loss_fn = _weighted_loss((float(first.w.sum()) - n_pos) / n_pos)
    flip_idx, flip_sign = (torch.from_numpy(a) for a in flip_index())
    scored = val.w > 0  # validation windows that count for model selection

    best_state, best_ap, best_epoch, history = None, -1.0, 0, []
    start = time.perf_counter()
    bar = tqdm(range(1, cfg.epochs + 1), desc=f"train {cfg.arch}", disable=not progress)
    for epoch in bar:
        data = first if epoch == 1 or isinstance(train, WindowSet) else train(epoch)
        x_all, y_all, w_all, b_all = (
            torch.from_numpy(a) for a in (data.x, data.y, data.w, data.behavior))
        model.train()
        order = torch.from_numpy(rng.permutation(len(data))[: batches * cfg.batch_size])
        total = 0.0
        for i in range(0, len(order), cfg.batch_size):
            idx = order[i : i + cfg.batch_size]
            xb = x_all[idx].float()
            if cfg.mirror:
                flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
                xb = torch.where(flip[:, None, None], xb[..., flip_idx] * flip_sign, xb)
            logit, aux = model.forward_aux(xb)
            loss = _mean(loss_fn(logit, y_all[idx]), w_all[idx])
            if aux is not None and cfg.aux_weight > 0:
                known = (b_all[idx] >= 0).sum().clamp(min=1)
                loss = loss + cfg.aux_weight * aux_loss_fn(aux, b_all[idx]) / known
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
        logits = predict_logits(model, val.x)
        val_y, val_w = torch.from_numpy(val.y), torch.from_numpy(val.w)
        val_loss = float(_mean(loss_fn(torch.from_numpy(logits), val_y), val_w))
        ap = metrics.average_precision(val.y[scored], logits[scored])
        train_loss = total / len(order)
        history.append(
            {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "val_pr_auc": ap}
        )
        bar.set_postfix(loss=f"{train_loss:.3f}", val_ap=f"{ap:.3f}")
        if ap > best_ap:
            best_ap, best_epoch, best_state = ap, epoch, copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= cfg.patience:
            break
    assert best_state is not None
    model.load_state_dict(best_state)
    temperature = fit_temperature(predict_logits(model, val.x)[scored], val.y[scored])
    return TrainResult(
        model.eval(), cfg, best_epoch, best_ap, temperature, time.perf_counter() - start, history
    )
