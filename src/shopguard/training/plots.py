"""PNG plots for training and evaluation: learning curves, ROC and precision-recall."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy.typing as npt
from matplotlib.figure import Figure

from shopguard.training import metrics


def training_curve(history: Sequence[Mapping[str, float]], path: Path, title: str = "") -> Path:
    """Train/val loss and val PR-AUC per epoch (``history`` rows: epoch, train_loss, ...)."""
    epochs = [h["epoch"] for h in history]
    fig = Figure(figsize=(10, 4))
    ax_loss, ax_ap = fig.subplots(1, 2)
    ax_loss.plot(epochs, [h["train_loss"] for h in history], label="train")
    ax_loss.plot(epochs, [h["val_loss"] for h in history], label="val")
    ax_loss.set(xlabel="epoch", ylabel="weighted BCE loss", title="loss")
    ax_loss.legend()
    ax_ap.plot(epochs, [h["val_pr_auc"] for h in history], color="C2")
    ax_ap.set(xlabel="epoch", ylabel="PR-AUC", title="validation PR-AUC (window level)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def roc_pr(labels: npt.ArrayLike, scores: npt.ArrayLike, out_dir: Path, name: str) -> list[Path]:
    """``<name>-roc.png`` and ``<name>-pr.png`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fpr, tpr, _ = metrics.roc_curve(labels, scores)
    precision, recall, _ = metrics.pr_curve(labels, scores)
    paths = []
    for kind, (x, y, xl, yl, score) in {
        "roc": (fpr, tpr, "false positive rate", "true positive rate", metrics.roc_auc),
        "pr": (recall, precision, "recall", "precision", metrics.average_precision),
    }.items():
        fig = Figure(figsize=(5, 5))
        ax = fig.subplots()
        ax.plot(x, y, label=f"{name} (area {score(labels, scores):.3f})")
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k:", lw=0.8)
        ax.set(xlabel=xl, ylabel=yl, xlim=(0, 1), ylim=(0, 1.02), title=f"{kind.upper()}: {name}")
        ax.legend(loc="lower right" if kind == "roc" else "lower left")
        fig.tight_layout()
        path = out_dir / f"{name}-{kind}.png"
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
