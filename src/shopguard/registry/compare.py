"""Candidate against active model on the same held-out clips, as the product runs them.

Each model is replayed through the scorer (model + zone cues) and the event manager at its
own operating threshold (``shopguard.training.evaluate``). The report holds, per model,
ROC-AUC, PR-AUC (frame level, fused score), event recall at the operating point, frame
recall at the threshold and false alerts per hour of normal video; ``worse`` lists the
reasons the candidate counts as worse (``shopguard.registry.policy``). ``roc_png`` draws
both ROC curves on one figure.

Example:
    >>> report, curves = compare_models(candidate, active, clips)  # doctest: +SKIP
    >>> roc_png(Path("out/roc.png"), curves)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.model import SequenceModel
from shopguard.events.config import EventConfig
from shopguard.registry.policy import PromotionPolicy, worse_reasons
from shopguard.training import metrics
from shopguard.training.clip import PoseClip
from shopguard.training.evaluate import evaluate_replays, event_config, frame_arrays, replay_all

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Contender:
    """A model to compare: a label (registry version or file), the model, its threshold."""

    label: str
    model: SequenceModel
    threshold: float


@dataclass(frozen=True, slots=True)
class Curve:
    label: str
    labels: F64
    scores: F64


def fingerprint(clips: Sequence[PoseClip]) -> str:
    """Identifies a set of clips (ids, lengths, labels): equal sets, equal fingerprints."""
    digest = hashlib.sha256()
    for clip in sorted(clips, key=lambda c: c.clip_id):
        digest.update(f"{clip.clip_id}:{len(clip)}:{int(clip.labels.sum())};".encode())
    return f"sha256:{digest.hexdigest()[:16]}"


def evaluate(contender: Contender, clips: Sequence[PoseClip],
             scorer: ScorerConfig | None = None) -> tuple[dict[str, Any], Curve]:
    """One model's held-out report and its frame-level ROC data."""
    replays = replay_all(clips, contender.model, scorer or ScorerConfig(),
                         desc=f"evaluate {contender.label}")
    cfg = event_config(contender.threshold)
    report = evaluate_replays(replays, cfg)
    labels, scores = frame_arrays(replays, "score")
    positive = labels > 0
    report["frame_recall_at_threshold"] = (
        float((scores[positive] >= contender.threshold).mean()) if positive.any() else None)
    report["model"] = contender.label
    return report, Curve(contender.label, labels, scores)


def compare_models(candidate: Contender, active: Contender, clips: Sequence[PoseClip],
                   policy: PromotionPolicy | None = None) -> tuple[dict[str, Any], list[Curve]]:
    """Both reports on the same clips and the verdict (``worse``: reasons, empty if not)."""
    if not clips:
        raise ValueError("no held-out clips to compare on")
    cand, cand_curve = evaluate(candidate, clips)
    act, act_curve = evaluate(active, clips)
    report = {"baseline": active.label, "data": fingerprint(clips), "n_clips": len(clips),
              "candidate": cand, "active": act, "worse": worse_reasons(cand, act, policy)}
    return report, [cand_curve, act_curve]


def roc_png(path: Path, curves: Sequence[Curve], title: str = "held-out ROC") -> Path:
    """Every curve's ROC (frame level, fused score) on one figure."""
    fig = Figure(figsize=(5.5, 5.5))
    ax = fig.subplots()
    for curve in curves:
        fpr, tpr, _ = metrics.roc_curve(curve.labels, curve.scores)
        auc = metrics.roc_auc(curve.labels, curve.scores)
        ax.plot(fpr, tpr, label=f"{curve.label} (ROC-AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(0, 1),
           ylim=(0, 1.02), title=title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def default_threshold(model: SequenceModel) -> float:
    """The model's recommended threshold, else the product default."""
    return model.threshold if model.threshold is not None else EventConfig().threshold
