"""EventManager lifecycle: N-of-M opening, hysteresis, quiet/lost/max closes, cooldowns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from shopguard.core import Assessment, Reason
from shopguard.events.config import EventConfig
from shopguard.events.manager import EventManager, EventUpdate

DT = 0.2  # one assessment window every 0.2 s
CFG = EventConfig(
    threshold=0.6,
    quiet_threshold=0.4,
    open_k=3,
    open_m=5,
    quiet_s=2.0,
    track_cooldown_s=10.0,
    camera_cooldown_s=0.0,
    max_event_s=60.0,
)


def a(track: int, t: float, score: float, *reasons: Reason, version: str = "gru-1") -> Assessment:
    box = (float(track), 0.0, 10.0 + t, 20.0)
    return Assessment(track, t, score, score, reasons, box=box, model_version=version)


def run(
    m: EventManager, steps: Sequence[Mapping[int, float]], t0: float = 0.0
) -> list[tuple[float, EventUpdate]]:
    """Feed one step per DT, each step mapping track id → score; returns (t, update)."""
    out = []
    for i, step in enumerate(steps):
        t = round(t0 + i * DT, 6)
        out += [(t, u) for u in m.update([a(k, t, s) for k, s in step.items()], t)]
    return out


def kinds(updates: list[tuple[float, EventUpdate]]) -> list[str]:
    return [u.kind for _, u in updates]


def test_opens_on_k_of_m_hits_not_before() -> None:
    m = EventManager("cam", CFG)
    ups = run(m, [{1: s} for s in (0.7, 0.1, 0.8, 0.2)])
    assert ups == []
    ups = run(m, [{1: 0.65}], t0=4 * DT)
    assert kinds(ups) == ["opened"]
    ev = ups[0][1].event
    assert (ev.camera_id, ev.track_id) == ("cam", 1)
    assert ev.t_start == 0.0 and ev.t_opened == pytest.approx(0.8)
    assert (ev.peak_score, ev.peak_t) == (0.8, pytest.approx(0.4))
    assert ev.peak_box == (1.0, 0.0, 10.4, 20.0)
    assert not ev.closed and m.open_events == [ev]


def test_score_hovering_at_threshold_gives_one_event_and_no_flapping() -> None:
    m = EventManager("cam", CFG)
    hover = [{1: 0.59 if i % 2 else 0.61} for i in range(300)]  # 60 s around 0.6
    ups = run(m, hover)
    assert kinds(ups) == ["opened"]
    assert m.open_events[0].t_end == pytest.approx(59.8)


def test_hysteresis_keeps_event_open_between_thresholds_then_closes_when_quiet() -> None:
    m = EventManager("cam", CFG)
    ups = run(m, [{1: 0.9}] * 3 + [{1: 0.45}] * 20 + [{1: 0.1}] * 15)
    assert kinds(ups) == ["opened", "closed"]
    t_close, closed = ups[1]
    last_active = (3 + 20 - 1) * DT
    assert closed.event.close_reason == "quiet"
    assert closed.event.t_end == pytest.approx(last_active)
    assert t_close == pytest.approx(last_active + CFG.quiet_s)
    assert closed.event.id == ups[0][1].event.id
    assert m.open_events == []


def test_new_peak_and_new_reason_update_and_reasons_merge_by_code() -> None:
    m = EventManager("cam", CFG)
    shelf = Reason("reach_shelf", "reached into shelf A", 0.0, 0.4, 0.2)
    waist = Reason("hand_waist", "hand at waistband 0.5 s", 0.6, 1.1, 0.5)
    waist2 = Reason("hand_waist", "hand at waistband 1.5 s", 0.6, 2.1, 0.4)
    seq = [
        a(1, 0.0, 0.7, shelf),
        a(1, 0.2, 0.7),
        a(1, 0.4, 0.7),  # opens
        a(1, 0.6, 0.7),  # same peak, no new cue: no update
        a(1, 0.8, 0.9),  # new peak
        a(1, 1.0, 0.8, waist),  # new cue
        a(1, 2.2, 0.8, waist2, shelf),  # known cues: spans grow, no update
    ]
    ups = [u for x in seq for u in m.update([x], x.t)]
    assert [u.kind for u in ups] == ["opened", "updated", "updated"]
    assert (ups[1].event.peak_score, ups[1].event.peak_t) == (0.9, 0.8)
    reasons = m.open_events[0].reasons
    assert [r.code for r in reasons] == ["hand_waist", "reach_shelf"]  # strongest first
    merged = reasons[0]
    assert (merged.text, merged.t_start, merged.t_end, merged.weight) == (
        "hand at waistband 1.5 s",
        0.6,
        2.1,
        0.5,
    )


def test_track_cooldown_suppresses_reopen_then_allows_a_new_event() -> None:
    m = EventManager("cam", CFG)
    burst = [{1: 0.9}] * 3 + [{1: 0.1}] * 11  # open, then close 2 s after last hit
    first = run(m, burst)
    assert kinds(first) == ["opened", "closed"]
    t_close = first[1][0]
    again = run(m, [{1: 0.9}] * 45, t0=t_close + DT)  # 9 s of hits: still cooling down
    assert again == [] and m.suppressed > 0
    later = run(m, [{1: 0.9}] * 6, t0=t_close + CFG.track_cooldown_s)
    assert kinds(later) == ["opened"]
    assert later[0][1].event.id != first[0][1].event.id


def test_camera_cooldown_lets_one_track_alert_and_holds_the_other_back() -> None:
    m = EventManager("cam", CFG.model_copy(update={"camera_cooldown_s": 5.0}))
    ups = run(m, [{1: 0.9, 2: 0.9}] * 30)  # both suspicious for 6 s
    opened = [(t, u.event.track_id) for t, u in ups if u.kind == "opened"]
    assert opened[0] == (pytest.approx(0.4), 1)
    assert opened[1] == (pytest.approx(5.4), 2)  # first update at or after the cooldown
    assert len(opened) == 2 and m.suppressed > 0


def test_two_tracks_have_independent_events() -> None:
    m = EventManager("cam", CFG)
    ups = run(m, [{1: 0.9, 2: 0.1}] * 3 + [{1: 0.1, 2: 0.9}] * 3 + [{1: 0.1, 2: 0.1}] * 12)
    seen = [(u.kind, u.event.track_id) for _, u in ups]
    assert seen == [("opened", 1), ("opened", 2), ("closed", 1), ("closed", 2)]
    ids = {u.event.id for _, u in ups}
    assert len(ids) == 2


def test_track_that_disappears_closes_as_lost_after_quiet_period() -> None:
    m = EventManager("cam", CFG)
    ups = run(m, [{1: 0.9}] * 4)
    assert m.update([], 0.6 + CFG.quiet_s - 0.01) == []
    closed = m.update([], 0.6 + CFG.quiet_s)
    assert kinds(ups) == ["opened"] and [u.kind for u in closed] == ["closed"]
    assert closed[0].event.close_reason == "lost"
    assert closed[0].event.t_end == pytest.approx(0.6)


def test_long_event_closes_at_max_length_and_does_not_reopen_at_once() -> None:
    m = EventManager("cam", CFG.model_copy(update={"max_event_s": 4.0}))
    ups = run(m, [{1: 0.9}] * 40)  # 8 s of hits
    assert kinds(ups) == ["opened", "closed"]
    t_close, closed = ups[1]
    assert closed.event.close_reason == "max_duration"
    assert t_close == pytest.approx(4.0)


def test_history_from_before_a_gap_does_not_count() -> None:
    m = EventManager("cam", CFG)
    run(m, [{1: 0.9}] * 2)  # two hits, then away for longer than the quiet period
    assert run(m, [{1: 0.9}], t0=5.0) == []
    assert kinds(run(m, [{1: 0.9}] * 2, t0=5.2)) == ["opened"]


def test_flush_closes_every_open_event() -> None:
    m = EventManager("cam", CFG)
    run(m, [{1: 0.9, 2: 0.9, 3: 0.1}] * 3)
    ups = m.flush(0.6)
    assert sorted(u.event.track_id for u in ups) == [1, 2]
    assert {u.event.close_reason for u in ups} == {"shutdown"}
    assert m.open_events == [] and m.flush(0.8) == []


def test_model_versions_come_from_provider_and_assessments() -> None:
    m = EventManager("cam", CFG, model_version_provider=lambda: {"pose": "yolo11n-pose"})
    for i, v in enumerate(["gru-1", "gru-1", "gru-1", "gru-2"]):
        m.update([a(1, i * DT, 0.9, version=v)], i * DT)
    assert m.open_events[0].model_versions == {"pose": "yolo11n-pose", "behavior": "gru-1,gru-2"}


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"threshold": 0.5, "quiet_threshold": 0.5}, "quiet_threshold"),
        ({"open_k": 4, "open_m": 3}, "open_m"),
        ({"threshold": 1.5}, "threshold"),
        ({"quiet_s": 0}, "quiet_s"),
        ({"snapshot_quality": 0}, "snapshot_quality"),
        ({"blur_method": "smear"}, "blur_method"),
        ({"treshold": 0.5}, "treshold"),
    ],
)
def test_config_errors_name_the_field(fields: dict[str, object], loc: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        EventConfig.model_validate(fields)
    assert [e["loc"] for e in err.value.errors()] == [(loc,)]


def test_events_keep_the_tracks_score_over_time() -> None:
    manager = EventManager("cam", EventConfig(open_k=2, open_m=3, quiet_s=1.0))
    scores = [0.1, 0.7, 0.8, 0.9, 0.5, 0.1]
    updates = []
    for i, s in enumerate(scores):
        updates += manager.update([Assessment(1, i * 0.25, s, s)], t=i * 0.25)
    updates += manager.update([], t=5.0)
    opened = next(u.event for u in updates if u.kind == "opened")
    closed = next(u.event for u in updates if u.kind == "closed")
    assert opened.scores == ((0.0, 0.1), (0.25, 0.7), (0.5, 0.8))
    assert closed.scores == tuple((i * 0.25, s) for i, s in enumerate(scores))
