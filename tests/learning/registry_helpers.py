"""Registry test helpers: the committed tiny models and a registry on a temp folder."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
UP, DOWN, LONG = DATA / "affine-up.onnx", DATA / "affine-down.onnx", DATA / "affine-long.onnx"


def heldout(pr_auc: float, recall: float, fph: float, events: int = 10) -> dict:
    return {"frame_pr_auc": pr_auc, "event_recall": recall, "false_alerts_per_hour": fph,
            "n_events": events}


def comparison(baseline: str, candidate: dict, active: dict) -> dict:
    return {"comparison": {"baseline": baseline, "candidate": candidate, "active": active,
                           "data": "sha256:test"}}
