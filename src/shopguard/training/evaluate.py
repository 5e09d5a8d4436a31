"""Evaluate the behaviour stage on labelled clips, exactly as it runs in the product.

Each clip is replayed frame by frame through a ``Scorer`` (sequence model + zone cues,
zones from ``clip.meta["zones"]``); alerts are the event manager's ``opened`` events
(score ≥ threshold in ``open_k`` of the last ``open_m`` assessments, with cooldowns).

* Frame level: every frame gets the latest score assessed at or before it (0 before the
  first); ROC-AUC, PR-AUC (average precision), EER and recall at 1 % / 5 % FPR.
* Event level: a theft segment (a run of frames labelled 1) is caught when an alert opens
  during it; latency is the time from its start. An alert outside every theft segment
  (and the ``late_s`` after it, ``LATE_S`` = 3 s unless told otherwise: a late alert about
  that theft) is a false alert; false alerts are counted per hour of the remaining,
  normal video. ``LATE_S`` is fixed, not the model's window length, so that models with
  longer windows are judged by the same rule.
* Segments (clips that list their behaviours, like synthetic ones): how high the score
  peaks in each kind of behaviour, which shows what a model takes for a concealment.

Example:
    >>> report = evaluate_replays([], EventConfig())  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.model import SequenceModel
from shopguard.behavior.scorer import Scorer
from shopguard.behavior.zones import ZoneSet
from shopguard.core import Assessment, Poses, Tracks
from shopguard.events.config import EventConfig
from shopguard.events.manager import EventManager
from shopguard.training import metrics
from shopguard.training.clip import PoseClip

F64 = npt.NDArray[np.float64]

#: Seconds after a theft segment in which an alert is late rather than false (the window
#: length of the first shipped models).
LATE_S = 3.0


#: Fused-score levels at which ``segment_peaks`` counts segments (besides the threshold).
PEAK_LEVELS = (0.5, 0.9, 0.95)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a clip showing one behaviour (synthetic clips' ``meta["segments"]``)."""

    behavior: str
    t_start: float
    t_end: float
    label: int = 0


def clip_segments(meta: dict) -> tuple[Segment, ...]:
    """The behaviour segments a clip's metadata lists (none for other sources)."""
    return tuple(
        Segment(str(s["behavior"]), float(s["t_start"]), float(s["t_end"]), int(s["label"]))
        for s in meta.get("segments", [])
    )


@dataclass(frozen=True, slots=True)
class Replay:
    """A clip's frames, labels and the scorer's assessments of it; ``behavior`` is what
    the clip shows where its source says (synthetic clips: ``"theft:sleeve"``, ``"buyer"``…),
    ``segments`` the behaviours in it, where its source lists them."""

    clip_id: str
    timestamps: F64
    labels: npt.NDArray[np.uint8]
    assessments: tuple[Assessment, ...]
    behavior: str = ""
    segments: tuple[Segment, ...] = ()

    def frame_values(self, attr: str) -> F64:
        """Per-frame latest ``score`` or ``probability`` assessed at or before the frame."""
        times = np.array([a.t for a in self.assessments], np.float64)
        values = np.array([getattr(a, attr) for a in self.assessments], np.float64)
        idx = np.searchsorted(times, self.timestamps, side="right") - 1
        return np.where(idx >= 0, values[np.maximum(idx, 0)] if len(values) else 0.0, 0.0)


def replay(clip: PoseClip, model: SequenceModel | None, config: ScorerConfig) -> Replay:
    """Run one clip (one track) through a fresh scorer with the clip's zones."""
    scorer = Scorer(model, ZoneSet.from_dicts(clip.meta.get("zones", [])), config)
    ids = np.zeros(1, np.int64)
    ones = np.ones(1, np.float32)
    out: list[Assessment] = []
    for i, t in enumerate(clip.timestamps.tolist()):
        poses = Poses(clip.boxes[i : i + 1], ones, clip.keypoints[i : i + 1])
        out.extend(scorer.update(Tracks(poses, ids), t))
    behavior = str(clip.meta.get("behavior", ""))
    return Replay(clip.clip_id, clip.timestamps, clip.labels, tuple(out), behavior,
                  clip_segments(clip.meta))


def replay_all(
    clips: Iterable[PoseClip], model: SequenceModel | None, config: ScorerConfig, desc: str = ""
) -> list[Replay]:
    """``replay`` for every clip, with a progress bar."""
    clips = list(clips)
    return [replay(c, model, config) for c in tqdm(clips, desc=desc or "replay", leave=False)]


def segments(timestamps: F64, labels: npt.ArrayLike) -> list[tuple[float, float]]:
    """(start, end) times of each run of frames labelled 1."""
    y = np.r_[0, np.asarray(labels).astype(np.int8) > 0, 0].astype(np.int8)
    starts = np.flatnonzero(np.diff(y) == 1)
    ends = np.flatnonzero(np.diff(y) == -1) - 1
    return [(float(timestamps[s]), float(timestamps[e])) for s, e in zip(starts, ends, strict=True)]


def alert_times(assessments: Sequence[Assessment], config: EventConfig) -> list[float]:
    """Times at which the event manager opens an event for these assessments."""
    manager = EventManager("evaluation", config)
    return [
        u.event.t_opened
        for a in assessments
        for u in manager.update([a], a.t)
        if u.kind == "opened"
    ]


def event_metrics(
    replays: Sequence[Replay], config: EventConfig, late_s: float = LATE_S
) -> dict:
    """Event recall, latency and false alerts per hour of normal video.

    ``event_recall`` counts alerts during the segment; ``event_recall_late`` also those
    up to ``late_s`` after it (the alert is about the theft, but late).
    """
    latencies: list[float] = []
    n_events = false_alerts = late = 0
    normal_s = 0.0
    for r in replays:
        segs = segments(r.timestamps, r.labels)
        alerts = alert_times(r.assessments, config)
        n_events += len(segs)
        t0, t1 = (float(r.timestamps[0]), float(r.timestamps[-1])) if len(r.timestamps) else (0, 0)
        covered = [(s, min(e + late_s, t1)) for s, e in segs]
        for (start, end), (_, late_end) in zip(segs, covered, strict=True):
            hits = [a for a in alerts if start <= a <= end]
            if hits:
                latencies.append(hits[0] - start)
            late += any(start <= a <= late_end for a in alerts)
        normal_s += (t1 - t0) - sum(e - s for s, e in covered)
        false_alerts += sum(not any(s <= a <= e for s, e in covered) for a in alerts)
    hours = normal_s / 3600.0
    lat = np.array(latencies)
    return {
        "n_events": n_events,
        "n_caught": len(latencies),
        "event_recall": len(latencies) / n_events if n_events else math.nan,
        "event_recall_late": late / n_events if n_events else math.nan,
        "latency_mean_s": float(lat.mean()) if len(lat) else math.nan,
        "latency_median_s": float(np.median(lat)) if len(lat) else math.nan,
        "latency_p90_s": float(np.percentile(lat, 90)) if len(lat) else math.nan,
        "false_alerts": false_alerts,
        "normal_hours": hours,
        "false_alerts_per_hour": false_alerts / hours if hours > 0 else math.nan,
    }


def event_metrics_by_behavior(
    replays: Sequence[Replay], config: EventConfig, late_s: float = LATE_S
) -> dict[str, dict]:
    """``event_metrics`` per clip behaviour (empty when no clip names one): which kinds
    of theft are caught, and which normal behaviours raise the false alerts."""
    groups: dict[str, list[Replay]] = {}
    for r in replays:
        if r.behavior:
            groups.setdefault(r.behavior, []).append(r)
    keep = ("n_events", "n_caught", "event_recall", "false_alerts", "normal_hours")
    return {
        behavior: {k: v for k, v in event_metrics(group, config, late_s).items() if k in keep}
        for behavior, group in sorted(groups.items())
    }


def segment_peaks(replays: Sequence[Replay], threshold: float) -> dict[str, dict]:
    """How high the fused score gets in each kind of behaviour segment.

    Three groups: ``thefts`` (the labelled frames of each concealment), ``normal_clips``
    (segments of clips without a theft: where false alerts come from) and
    ``theft_clips`` (the other segments of clips with a theft, e.g. the ``recover`` right
    after a concealment). Per behaviour: the number of segments, the median of their
    peaks, and how many peak at or above each of ``PEAK_LEVELS`` and ``threshold``.
    Empty when no clip lists its segments.
    """
    peaks: dict[str, dict[str, list[float]]] = {}
    for r in replays:
        if not r.segments:
            continue
        score = r.frame_values("score")
        group = "theft_clips" if r.labels.any() else "normal_clips"
        for seg in r.segments:
            inside = (r.timestamps >= seg.t_start) & (r.timestamps <= seg.t_end)
            if seg.label:
                inside &= r.labels > 0
            if inside.any():
                key = "thefts" if seg.label else group
                peaks.setdefault(key, {}).setdefault(seg.behavior, []).append(
                    float(score[inside].max()))
    levels = {f"{x:g}": x for x in PEAK_LEVELS} | {"threshold": threshold}
    return {
        group: {
            behavior: {
                "n": len(values),
                "median_peak": float(np.median(values)),
                "reach": {name: int(sum(v >= x for v in values)) for name, x in levels.items()},
            }
            for behavior, values in sorted(by.items())
        }
        for group, by in sorted(peaks.items())
    }


def frame_metrics(labels: npt.ArrayLike, scores: npt.ArrayLike) -> dict:
    """Frame-level ROC-AUC, PR-AUC, EER and recall at 1 % / 5 % FPR."""
    return {
        "frame_roc_auc": metrics.roc_auc(labels, scores),
        "frame_pr_auc": metrics.average_precision(labels, scores),
        "eer": metrics.equal_error_rate(labels, scores),
        "recall_at_fpr_1": metrics.recall_at_fpr(labels, scores, 0.01),
        "recall_at_fpr_5": metrics.recall_at_fpr(labels, scores, 0.05),
    }


def frame_arrays(replays: Sequence[Replay], attr: str = "score") -> tuple[F64, F64]:
    """All frames' labels and per-frame values, concatenated over clips."""
    if not replays:
        return np.zeros(0), np.zeros(0)
    labels = np.concatenate([r.labels for r in replays]).astype(np.float64)
    return labels, np.concatenate([r.frame_values(attr) for r in replays])


def evaluate_replays(
    replays: Sequence[Replay], config: EventConfig, late_s: float = LATE_S
) -> dict:
    """The full report: frame metrics of the fused score (and of the model alone), events."""
    labels, scores = frame_arrays(replays, "score")
    _, probs = frame_arrays(replays, "probability")
    report = frame_metrics(labels, scores)
    report.update({f"model_{k}": v for k, v in frame_metrics(labels, probs).items()})
    report.update(event_metrics(replays, config, late_s))
    report.update(
        n_frames=len(labels),
        n_clips=len(replays),
        threshold=config.threshold,
        open_k=config.open_k,
        open_m=config.open_m,
    )
    if by_behavior := event_metrics_by_behavior(replays, config, late_s):
        report["by_behavior"] = by_behavior
    if peaks := segment_peaks(replays, config.threshold):
        report["segment_peaks"] = peaks
    return report


def event_config(threshold: float, base: EventConfig | None = None) -> EventConfig:
    """``base`` (product defaults) with the given threshold and a quiet level below it."""
    base = base or EventConfig()
    fields = base.model_dump() | {"threshold": threshold, "quiet_threshold": threshold * 2 / 3}
    return EventConfig.model_validate(fields)


def choose_threshold(
    replays: Sequence[Replay],
    max_false_per_hour: float = 1.0,
    base: EventConfig | None = None,
    late_s: float = LATE_S,
) -> tuple[float, list[dict]]:
    """The threshold with the best event recall at most ``max_false_per_hour`` false alerts.

    Sweeps 0.1–0.95 in steps of 0.025, then 0.955–0.995 in steps of 0.005, 0.998 and
    0.999 (class-weighted training puts the useful thresholds of a good model near 1).
    Ties go to the higher threshold. Returns it and the sweep (one row per threshold).
    """
    sweep = []
    grid = np.concatenate(
        [np.arange(0.1, 0.94, 0.025), np.arange(0.95, 0.996, 0.005), [0.998, 0.999]]
    )
    for thr in np.round(grid, 3):
        row = event_metrics(replays, event_config(float(thr), base), late_s)
        sweep.append({"threshold": float(thr), **row})
    ok = [r for r in sweep if r["false_alerts_per_hour"] <= max_false_per_hour]
    if not ok:
        best = min(sweep, key=lambda r: (r["false_alerts_per_hour"], -r["threshold"]))
    else:
        best = max(ok, key=lambda r: (np.nan_to_num(r["event_recall"]), r["threshold"]))
    return float(best["threshold"]), sweep
