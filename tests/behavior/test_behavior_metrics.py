"""Evaluation metrics on inputs with known answers, and event-level counting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopguard.core import Assessment
from shopguard.events.config import EventConfig
from shopguard.training import metrics
from shopguard.training.evaluate import (
    LATE_S,
    Replay,
    choose_threshold,
    evaluate_replays,
    event_metrics,
    frame_arrays,
    segments,
)


def test_perfect_scores():
    y = np.r_[np.zeros(90), np.ones(10)]
    s = y * 0.5 + 0.2
    assert metrics.roc_auc(y, s) == 1.0
    assert metrics.average_precision(y, s) == 1.0
    assert metrics.equal_error_rate(y, s) == 0.0
    assert metrics.recall_at_fpr(y, s, 0.01) == 1.0


def test_inverted_scores():
    y = np.r_[np.zeros(50), np.ones(50)]
    assert metrics.roc_auc(y, -y) == 0.0
    assert metrics.equal_error_rate(y, -y) == 1.0
    assert metrics.recall_at_fpr(y, -y, 0.05) == 0.0


def test_random_scores_are_at_chance():
    rng = np.random.default_rng(0)
    y = rng.random(200_000) < 0.1
    s = rng.random(200_000)
    assert metrics.roc_auc(y, s) == pytest.approx(0.5, abs=0.01)
    assert metrics.average_precision(y, s) == pytest.approx(0.1, abs=0.01)
    assert metrics.equal_error_rate(y, s) == pytest.approx(0.5, abs=0.01)
    assert metrics.recall_at_fpr(y, s, 0.05) == pytest.approx(0.05, abs=0.01)


def test_hand_computed_example_and_ties():
    y = [0, 0, 1, 1]
    s = [0.1, 0.4, 0.35, 0.8]
    assert metrics.roc_auc(y, s) == pytest.approx(0.75)
    assert metrics.average_precision(y, s) == pytest.approx(0.5 * 1.0 + 0.5 * 2 / 3)
    assert metrics.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)


def test_single_class_is_undefined_not_a_crash():
    assert math.isnan(metrics.roc_auc([1, 1], [0.2, 0.3]))
    assert math.isnan(metrics.average_precision([0, 0], [0.2, 0.3]))
    with pytest.raises(ValueError, match="shape"):
        metrics.roc_auc([0, 1], [0.5])


def test_calibration_error():
    y = np.r_[np.zeros(80), np.ones(20)]
    assert metrics.expected_calibration_error(y, np.full(100, 0.2)) == pytest.approx(0.0)
    assert metrics.expected_calibration_error(y, np.full(100, 0.7)) == pytest.approx(0.5)


def test_segments_are_runs_of_positive_frames():
    t = np.arange(10.0)
    assert segments(t, [0, 1, 1, 0, 0, 1, 0, 0, 1, 1]) == [(1.0, 2.0), (5.0, 5.0), (8.0, 9.0)]
    assert segments(t, np.zeros(10)) == []


def make_replay(seconds: float, theft: tuple[float, float] | None, high: list[tuple[float, float]]):
    """One track at 10 fps, scored every 0.5 s: 0.9 inside ``high`` spans, else 0.1."""
    t = np.round(np.arange(0, seconds, 0.1), 3)
    labels = np.zeros(len(t), np.uint8)
    if theft:
        labels[(t >= theft[0]) & (t <= theft[1])] = 1
    assessed = np.round(np.arange(1.0, seconds, 0.5), 3)
    scores = [0.9 if any(a <= x <= b for a, b in high) else 0.1 for x in assessed]
    return Replay(
        "clip",
        t,
        labels,
        tuple(Assessment(1, float(x), s, s) for x, s in zip(assessed, scores, strict=True)),
    )


def test_event_recall_latency_and_false_alerts_per_hour():
    cfg = EventConfig(threshold=0.5, quiet_threshold=0.3, open_k=2, open_m=3)
    caught = make_replay(60, (20.0, 23.0), [(20.0, 23.0)])  # alert at 20.5
    missed = make_replay(60, (40.0, 41.0), [(41.0, 45.0)])  # alert at 41.5: too late
    false = make_replay(3600, None, [(100.0, 102.0), (2000.0, 2001.0)])
    report = event_metrics([caught, missed, false], cfg, late_s=3.0)
    assert report["n_events"] == 2 and report["n_caught"] == 1
    assert report["event_recall"] == 0.5
    assert report["event_recall_late"] == 1.0  # the late alert came within the window
    assert report["latency_mean_s"] == pytest.approx(0.5)
    # the late alert falls inside the window after the theft: neither caught nor false
    assert report["false_alerts"] == 2
    normal_s = (59.9 - 6.0) + (59.9 - 4.0) + 3599.9
    assert report["normal_hours"] == pytest.approx(normal_s / 3600)
    assert report["false_alerts_per_hour"] == pytest.approx(2 / (normal_s / 3600))


def test_late_span_is_fixed_not_the_model_window():
    cfg = EventConfig(threshold=0.5, quiet_threshold=0.3, open_k=2, open_m=3)
    late = make_replay(60, (40.0, 41.0), [(44.0, 47.0)])  # alert at 44.5, 3.5 s after
    assert LATE_S == 3.0
    assert event_metrics([late], cfg)["false_alerts"] == 1


def scaled(replay: Replay, high: float) -> Replay:
    """``replay`` with its 0.9 scores replaced by ``high``."""
    assessments = tuple(
        Assessment(a.track_id, a.t, s, s) for a in replay.assessments
        for s in [high if a.score > 0.5 else a.score]
    )
    return Replay(replay.clip_id, replay.timestamps, replay.labels, assessments)


def test_threshold_sweep_reaches_above_095():
    theft = scaled(make_replay(60, (20.0, 23.0), [(20.0, 23.0)]), 0.99)
    normal = scaled(make_replay(3600, None, [(100.0, 102.0), (900.0, 902.0)]), 0.97)
    threshold, sweep = choose_threshold([theft, normal], max_false_per_hour=1.0)
    assert sweep[-1]["threshold"] == 0.999
    assert threshold == 0.99  # the highest threshold that still catches the theft


def test_frame_values_use_the_latest_assessment():
    r = make_replay(5, (2.0, 3.0), [(2.0, 3.0)])
    labels, scores = frame_arrays([r])
    assert labels.sum() == 11
    assert scores[:10].tolist() == [0.0] * 10  # before the first assessment at 1.0 s
    assert scores[t_index(r, 2.4)] == 0.9 and scores[t_index(r, 3.6)] == 0.1


def t_index(r: Replay, t: float) -> int:
    return int(np.argmin(np.abs(r.timestamps - t)))


def test_events_are_broken_down_by_the_behaviour_clips_show():
    from dataclasses import replace

    cfg = EventConfig(threshold=0.5, quiet_threshold=0.3, open_k=2, open_m=3)
    caught = replace(make_replay(60, (20.0, 23.0), [(20.0, 23.0)]), behavior="theft:bag")
    missed = replace(make_replay(60, (40.0, 41.0), []), behavior="theft:sleeve")
    false = replace(make_replay(3600, None, [(100.0, 102.0)]), behavior="buyer")
    by = evaluate_replays([caught, missed, false], cfg)["by_behavior"]
    assert list(by) == ["buyer", "theft:bag", "theft:sleeve"]
    assert by["theft:bag"]["n_caught"] == 1 and by["theft:bag"]["event_recall"] == 1.0
    assert by["theft:sleeve"]["n_events"] == 1 and by["theft:sleeve"]["event_recall"] == 0.0
    assert by["buyer"]["false_alerts"] == 1 and by["buyer"]["n_events"] == 0
    unnamed = evaluate_replays([make_replay(60, (20.0, 23.0), [(20.0, 23.0)])], cfg)
    assert "by_behavior" not in unnamed  # e.g. PoseLift clips name no behaviour


def test_segment_peaks_show_which_behaviours_score_high():
    from dataclasses import replace

    from shopguard.training.evaluate import Segment, segment_peaks

    theft = replace(make_replay(60, (20.0, 23.0), [(20.0, 23.0), (30.0, 32.0)]), segments=(
        Segment("inspect", 10.0, 19.9), Segment("conceal_bag", 19.0, 23.5, label=1),
        Segment("recover", 23.6, 35.0)))
    normal = replace(make_replay(60, None, [(40.0, 42.0)]), segments=(
        Segment("walk", 0.0, 30.0), Segment("carry_item", 30.1, 59.9)))
    peaks = segment_peaks([theft, normal, make_replay(60, None, [(5.0, 6.0)])], 0.95)
    assert list(peaks) == ["normal_clips", "theft_clips", "thefts"]
    # a theft segment is judged over its labelled frames only (20-23 s, scored 0.9)
    assert peaks["thefts"]["conceal_bag"] == {
        "n": 1, "median_peak": 0.9, "reach": {"0.5": 1, "0.9": 1, "0.95": 0, "threshold": 0}}
    assert peaks["theft_clips"]["recover"]["reach"]["0.9"] == 1  # the score stays high after
    assert peaks["theft_clips"]["inspect"]["median_peak"] == 0.1
    assert peaks["normal_clips"]["carry_item"]["reach"]["0.5"] == 1
    assert peaks["normal_clips"]["walk"]["reach"]["0.5"] == 0
    assert segment_peaks([make_replay(60, None, [])], 0.5) == {}  # no clip lists segments


def test_replays_keep_the_segments_clips_list():
    from shopguard.training.evaluate import clip_segments

    meta = {"segments": [{"behavior": "walk", "t_start": -1.0, "t_end": 2.5, "label": 0},
                         {"behavior": "conceal_sleeve", "t_start": 2.5, "t_end": 4, "label": 1}]}
    segs = clip_segments(meta)
    assert [(s.behavior, s.label) for s in segs] == [("walk", 0), ("conceal_sleeve", 1)]
    assert clip_segments({}) == ()
