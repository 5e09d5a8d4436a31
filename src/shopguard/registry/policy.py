"""When a candidate model is worse than the active one, precisely.

Both models are evaluated on the **same held-out clips** (the ``test`` split of a merged
dataset, identified by its fingerprint), each at its own operating threshold, with the
product's scorer and event rules (``shopguard.training.evaluate``). The candidate is
**worse** if any of these holds:

1. frame-level PR-AUC of the fused score is lower by more than ``max_pr_auc_drop``
   (0.01 absolute);
2. event recall at the operating point is lower by more than ``max_recall_drop``
   (0.05 absolute);
3. false alerts per hour of normal video exceed the active model's by more than
   ``max_false_alert_increase`` (10 %) plus ``false_alert_slack`` (0.1 per hour).

A metric that is undefined (NaN) for both models is not compared. The comparison cannot
be made at all (and promotion is refused) when the held-out clips contain no theft
event. A refused promotion can still be forced with a written reason, which is stored.

Example:
    >>> worse_reasons({"frame_pr_auc": 0.70, "event_recall": 0.9, "false_alerts_per_hour": 1,
    ...                "n_events": 10},
    ...               {"frame_pr_auc": 0.75, "event_recall": 0.9, "false_alerts_per_hour": 1,
    ...                "n_events": 10})
    ['frame PR-AUC 0.700 is below the active model's 0.750 by more than 0.01']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PromotionPolicy:
    """Tolerances of the "worse" test (see the module doc)."""

    max_pr_auc_drop: float = 0.01
    max_recall_drop: float = 0.05
    max_false_alert_increase: float = 0.10
    false_alert_slack: float = 0.1


def _value(metrics: Mapping[str, Any], key: str) -> float:
    value = metrics.get(key)
    return float(value) if isinstance(value, int | float) else math.nan


def worse_reasons(
    candidate: Mapping[str, Any],
    active: Mapping[str, Any],
    policy: PromotionPolicy | None = None,
) -> list[str]:
    """Why ``candidate`` is worse than ``active`` (empty: it is not worse)."""
    p = policy or PromotionPolicy()
    if not _value(active, "n_events") >= 1 or not _value(candidate, "n_events") >= 1:
        return ["the held-out clips contain no theft event, so the models cannot be compared"]
    reasons = []
    c, a = _value(candidate, "frame_pr_auc"), _value(active, "frame_pr_auc")
    if not (math.isnan(c) and math.isnan(a)) and not c >= a - p.max_pr_auc_drop:
        reasons.append(f"frame PR-AUC {c:.3f} is below the active model's {a:.3f} "
                       f"by more than {p.max_pr_auc_drop:g}")
    c, a = _value(candidate, "event_recall"), _value(active, "event_recall")
    if not (math.isnan(c) and math.isnan(a)) and not c >= a - p.max_recall_drop:
        reasons.append(f"event recall {c:.3f} is below the active model's {a:.3f} "
                       f"by more than {p.max_recall_drop:g}")
    c, a = _value(candidate, "false_alerts_per_hour"), _value(active, "false_alerts_per_hour")
    limit = a * (1 + p.max_false_alert_increase) + p.false_alert_slack
    if not (math.isnan(c) and math.isnan(a)) and not c <= limit:
        reasons.append(f"{c:.2f} false alerts per hour, more than the active model's "
                       f"{a:.2f} allows ({limit:.2f})")
    return reasons
