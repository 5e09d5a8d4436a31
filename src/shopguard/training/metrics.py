"""Binary classification metrics in numpy: ROC, precision-recall, EER, recall at a fixed FPR.

Scores are "higher means more likely positive"; ties are handled as one threshold.
A metric that is undefined (only one class present) is ``nan``.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1]); s = np.array([0.1, 0.4, 0.35, 0.8])
    >>> round(roc_auc(y, s), 2), round(average_precision(y, s), 2)
    (0.75, 0.83)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def _counts(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[F64, F64, F64]:
    """False and true positive counts and the threshold at each distinct score, high first."""
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"labels {y.shape} and scores {s.shape} differ in shape")
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.zeros(0, int)
    tps = np.cumsum(y)[last].astype(np.float64)
    fps = (last + 1 - tps).astype(np.float64)
    return fps, tps, s[last]


def roc_curve(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[F64, F64, F64]:
    """(fpr, tpr, thresholds), starting at (0, 0) with threshold +inf."""
    fps, tps, thr = _counts(labels, scores)
    n_neg, n_pos = (fps[-1], tps[-1]) if len(fps) else (0.0, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpr = np.r_[0.0, fps / n_neg]
        tpr = np.r_[0.0, tps / n_pos]
    return fpr, tpr, np.r_[np.inf, thr]


def pr_curve(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[F64, F64, F64]:
    """(precision, recall, thresholds) from the highest threshold down."""
    fps, tps, thr = _counts(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        return tps / (tps + fps), tps / (tps[-1] if len(tps) else 0.0), thr


def _two_classes(labels: npt.ArrayLike) -> bool:
    y = np.asarray(labels).astype(bool)
    return bool(y.any() and not y.all())


def roc_auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Area under the ROC curve (0.5 = chance, 1 = perfect)."""
    if not _two_classes(labels):
        return float("nan")
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(np.trapezoid(tpr, fpr))


def average_precision(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Area under the precision-recall curve as average precision (step-wise, no interpolation)."""
    if not _two_classes(labels):
        return float("nan")
    precision, recall, _ = pr_curve(labels, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def equal_error_rate(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """The error rate where the false positive rate equals the miss rate (interpolated)."""
    if not _two_classes(labels):
        return float("nan")
    fpr, tpr, _ = roc_curve(labels, scores)
    gap = fpr - (1.0 - tpr)  # rises from -1 to +1 along the curve
    i = int(np.argmax(gap >= 0))
    if i == 0:
        return float(fpr[0])
    w = -gap[i - 1] / (gap[i] - gap[i - 1])
    return float(fpr[i - 1] + w * (fpr[i] - fpr[i - 1]))


def recall_at_fpr(labels: npt.ArrayLike, scores: npt.ArrayLike, max_fpr: float) -> float:
    """Highest true positive rate whose false positive rate is at most ``max_fpr``."""
    if not _two_classes(labels):
        return float("nan")
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(tpr[fpr <= max_fpr + 1e-12].max())


def expected_calibration_error(
    labels: npt.ArrayLike, probabilities: npt.ArrayLike, bins: int = 10
) -> float:
    """Mean |accuracy − confidence| over equal-width probability bins, weighted by count."""
    y = np.asarray(labels, np.float64).ravel()
    p = np.asarray(probabilities, np.float64).ravel()
    if len(p) == 0:
        return float("nan")
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in np.unique(idx):
        sel = idx == b
        total += sel.sum() * abs(y[sel].mean() - p[sel].mean())
    return float(total / len(p))
