"""Zones, zone config validation and the explainable cues on hand-made tracks."""

from __future__ import annotations

import numpy as np
import pytest
from pose_factory import RIGHT_AT_WAISTBAND, RIGHT_REACHING, box_of, place, pose
from pydantic import ValidationError

from shopguard.behavior.config import CueConfig, CueWeights, ScorerConfig, ZoneConfig
from shopguard.behavior.cues import CueTracker, hand_region, head_yaw, is_reaching
from shopguard.behavior.zones import ZoneSet, contains
from shopguard.keypoints import KP

# Person stands with mid-hip at (320, 240), torso 100 px; the shelf is left of x = 230.
SHELF = ZoneConfig(name="A", kind="shelf", polygon=[(0, 0), (230, 0), (230, 400), (0, 400)])
CHECKOUT = ZoneConfig(
    name="till", kind="checkout", polygon=[(400, 300), (640, 300), (640, 480), (400, 480)]
)
EXIT = ZoneConfig(name="door", kind="exit", polygon=[(0, 430), (640, 430), (640, 480), (0, 480)])
FPS = 10


def run(
    tracker: CueTracker, t0: float, seconds: float, kps: np.ndarray, foot_y: float | None = None
):
    """Feed ``seconds`` of one pixel pose; ``foot_y`` moves the box bottom (feet)."""
    box = box_of(kps)
    if foot_y is not None:
        box[3] = foot_y
        kps = kps.copy()
        kps[[KP.LEFT_ANKLE, KP.RIGHT_ANKLE], 2] = 0.0  # feet from the box
    for t in np.arange(t0, t0 + seconds, 1 / FPS):
        tracker.update(float(t), kps, box)
    return t0 + seconds


def tracker(*zones: ZoneConfig, **cue: float) -> CueTracker:
    return CueTracker(ZoneSet(zones), CueConfig(**cue), CueWeights())


def test_point_in_polygon_handles_concave_shapes():
    l_shape = np.array([(0, 0), (10, 0), (10, 4), (4, 4), (4, 10), (0, 10)], float)
    inside = contains(l_shape, [(2, 2), (8, 2), (2, 8), (8, 8), (11, 1)])
    assert inside.tolist() == [True, True, True, False, False]


def test_zone_config_errors_name_the_field():
    with pytest.raises(ValidationError, match="kind"):
        ZoneConfig(name="x", kind="cellar", polygon=[(0, 0), (1, 0), (1, 1)])
    with pytest.raises(ValidationError, match="polygon"):
        ZoneConfig(name="x", kind="shelf", polygon=[(0, 0), (1, 1), (2, 2)])
    with pytest.raises(ValidationError, match="stride_s"):
        ScorerConfig(stride_s=0)
    with pytest.raises(ValueError, match="unique"):
        ZoneSet([SHELF, SHELF])
    with pytest.raises(ValidationError, match="polygon"):
        ZoneSet.from_dicts([{"name": "a", "kind": "exit", "polygon": [(0, 0)]}])


def test_hand_regions_tell_waistband_from_a_hanging_arm():
    assert hand_region(pose(RIGHT_AT_WAISTBAND), 1, 0.3) == "waistband"
    assert hand_region(pose(), 1, 0.3) is None  # relaxed, elbow straight
    assert hand_region(pose(RIGHT_REACHING), 1, 0.3) is None
    assert is_reaching(pose(RIGHT_REACHING), 1, 0.3)
    assert not is_reaching(pose(), 1, 0.3) and not is_reaching(pose(RIGHT_AT_WAISTBAND), 1, 0.3)


def test_a_hand_hanging_inside_a_shelf_zone_is_not_a_reach():
    everywhere = ZoneConfig(name="big", kind="shelf", polygon=[(0, 0), (640, 0), (640, 480)])
    cues = tracker(everywhere)
    t = run(cues, 0.0, 2.0, place(pose()))
    t = run(cues, t, 2.0, place(pose(RIGHT_AT_WAISTBAND)))
    assert cues.reasons(t) == []


def test_conceal_after_shelf_reach_fires_with_a_readable_reason():
    cues = tracker(SHELF)
    t = run(cues, 0.0, 2.0, place(pose()))
    t = run(cues, t, 1.0, place(pose(RIGHT_REACHING)))
    assert cues.reasons(t) == []
    t = run(cues, t, 2.2, place(pose(RIGHT_AT_WAISTBAND)))
    (reason,) = cues.reasons(t)
    assert reason.code == "conceal_after_shelf"
    assert reason.text.startswith(
        "right hand at waistband for 2.1 s after reaching into shelf zone A"
    )
    assert reason.t_start == pytest.approx(2.9) and reason.t_end == pytest.approx(t - 0.1)
    assert reason.weight == CueWeights().conceal_after_shelf


def test_no_conceal_cue_without_shelf_reach_or_for_a_short_touch():
    cues = tracker(SHELF)
    t = run(cues, 0.0, 3.0, place(pose(RIGHT_AT_WAISTBAND)))  # hand at belt, nothing taken
    assert cues.reasons(t) == []
    t = run(cues, t, 1.0, place(pose(RIGHT_REACHING)))
    t = run(cues, t, 0.5, place(pose(RIGHT_AT_WAISTBAND)))  # shorter than the dwell
    t = run(cues, t, 1.0, place(pose()))
    assert cues.reasons(t) == []


def test_conceal_cue_needs_the_reach_to_be_recent_and_fades_after_hold():
    cues = tracker(SHELF, conceal_within_s=3.0, hold_s=2.0)
    t = run(cues, 0.0, 1.0, place(pose(RIGHT_REACHING)))
    t = run(cues, t, 5.0, place(pose()))  # 5 s pass: too long ago
    t = run(cues, t, 2.0, place(pose(RIGHT_AT_WAISTBAND)))
    assert cues.reasons(t) == []
    t = run(cues, t, 1.0, place(pose(RIGHT_REACHING)))
    t = run(cues, t, 1.5, place(pose(RIGHT_AT_WAISTBAND)))
    assert [r.code for r in cues.reasons(t)] == ["conceal_after_shelf"]
    t = run(cues, t, 2.5, place(pose()))
    assert cues.reasons(t) == []


def test_skipped_checkout_fires_at_exit_only_without_paying():
    stand = place(pose())
    cues = tracker(SHELF, CHECKOUT, EXIT)
    t = run(cues, 0.0, 1.0, place(pose(RIGHT_REACHING)))
    t = run(cues, t, 3.0, stand, foot_y=420)
    assert cues.reasons(t) == []
    t = run(cues, t, 1.0, stand, foot_y=450)  # feet in the exit zone
    (reason,) = cues.reasons(t)
    assert reason.code == "skipped_checkout"
    assert "exit zone door" in reason.text and "shelf zone A" in reason.text

    paid = tracker(SHELF, CHECKOUT, EXIT)
    t = run(paid, 0.0, 1.0, place(pose(RIGHT_REACHING)))
    stand_at_till = place(pose(), cx=500)
    t = run(paid, t, 2.0, stand_at_till, foot_y=400)  # at the checkout
    t = run(paid, t, 1.0, stand, foot_y=450)
    assert paid.reasons(t) == []


def test_skipped_checkout_is_silent_when_no_checkout_is_in_view():
    cues = tracker(SHELF, EXIT)
    t = run(cues, 0.0, 1.0, place(pose(RIGHT_REACHING)))
    t = run(cues, t, 1.0, place(pose()), foot_y=450)
    assert cues.reasons(t) == []


def turned_head(yaw: float) -> np.ndarray:
    kps = pose()
    kps[KP.NOSE, 0] = 0.13 * yaw
    return place(kps)


def test_head_yaw_from_nose_and_ears():
    assert head_yaw(turned_head(0.0), 0.3) == pytest.approx(0.0)
    assert head_yaw(turned_head(0.8), 0.3) == pytest.approx(0.8, abs=1e-3)
    one_ear = turned_head(0.0)
    one_ear[KP.RIGHT_EAR, 2] = 0.0
    assert head_yaw(one_ear, 0.3) == -1.0
    no_face = turned_head(0.0)
    no_face[KP.NOSE, 2] = 0.0
    assert head_yaw(no_face, 0.3) is None


def test_looking_around_needs_repeated_turns():
    cues = tracker()
    t = 0.0
    for yaw in (0.9, -0.9, 0.9):
        t = run(cues, t, 0.8, turned_head(yaw))
    assert cues.reasons(t) == []  # three turns
    t = run(cues, t, 0.8, turned_head(-0.9))
    (reason,) = cues.reasons(t)
    assert reason.code == "looking_around" and "4 times" in reason.text

    steady = tracker()
    t = run(steady, 0.0, 5.0, turned_head(0.9))
    t = run(steady, t, 5.0, turned_head(0.2))
    assert steady.reasons(t) == []
