"""Operating thresholds per camera, chosen on that camera's reviewed data.

For each camera, its clips (the exported reviews and, above all, the ordinary shopping
of its track log: ``shopguard dataset export-reviews --background-hours``) are replayed
through the model; the threshold is the one with the best event recall whose false
alerts per hour of normal video stay at or below the target
(``shopguard.training.evaluate.choose_threshold``, ties to the higher threshold).
A camera with less than ``min_normal_hours`` of normal video keeps the model's default:
its false-alert rate cannot be measured.

Example:
    >>> result = choose_camera_thresholds(model, clips, max_false_per_hour=0.5)  # doctest: +SKIP
    >>> result["cameras"]  # doctest: +SKIP
    {'door': 0.625, 'till': 0.7}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from shopguard.behavior.config import ScorerConfig
from shopguard.behavior.model import SequenceModel
from shopguard.registry.compare import default_threshold, fingerprint
from shopguard.training.clip import PoseClip
from shopguard.training.evaluate import choose_threshold, replay_all
from shopguard.training.merge import camera_of


def choose_camera_thresholds(
    model: SequenceModel,
    clips: Sequence[PoseClip],
    max_false_per_hour: float = 0.5,
    min_normal_hours: float = 0.5,
) -> dict[str, Any]:
    """``{"default", "cameras": {id: threshold}, "chosen": {...how, per camera...}}``."""
    by_camera: dict[str, list[PoseClip]] = defaultdict(list)
    for clip in clips:
        if camera_of(clip):
            by_camera[camera_of(clip)].append(clip)
    cameras: dict[str, float] = {}
    detail: dict[str, Any] = {}
    for camera, own in sorted(by_camera.items()):
        replays = replay_all(own, model, ScorerConfig(), desc=f"thresholds {camera}")
        threshold, sweep = choose_threshold(replays, max_false_per_hour)
        row = next(r for r in sweep if r["threshold"] == threshold)
        info = {"clips": len(own), "normal_hours": row["normal_hours"],
                "events": row["n_events"], "event_recall": row["event_recall"],
                "false_alerts_per_hour": row["false_alerts_per_hour"]}
        if row["normal_hours"] < min_normal_hours:
            info["kept_default"] = f"only {row['normal_hours']:.2f} h of normal video"
        else:
            cameras[camera] = threshold
        detail[camera] = info
    return {
        "default": default_threshold(model),
        "cameras": cameras,
        "chosen": {"how": "best event recall at most max_false_per_hour false alerts per "
                   "hour of the camera's normal video", "max_false_per_hour": max_false_per_hour,
                   "data": fingerprint(clips), "at": datetime.now(UTC).isoformat(),
                   "per_camera": detail},
    }
