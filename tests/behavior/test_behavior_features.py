"""Feature windows: invariance, masking, resampling and mirroring."""

from __future__ import annotations

import numpy as np
import pytest
from pose_factory import RIGHT_AT_WAISTBAND, place, pose

from shopguard.behavior.config import FeatureConfig
from shopguard.behavior.features import (
    FEATURE_NAMES,
    JOINT_CHANNELS,
    NUM_FEATURES,
    extract_windows,
    flip_features,
    resample,
    window_ends,
)
from shopguard.keypoints import KP

CFG = FeatureConfig(rate_hz=10, window_s=2.0)


def moving_track(fps: float = 15.0, seconds: float = 4.0, **placement: float):
    """A person walking right while raising the right hand to the waistband."""
    t = np.arange(0, seconds, 1 / fps)
    a, b = pose(), pose(RIGHT_AT_WAISTBAND)
    frames = []
    for ti in t:
        w = 0.5 - 0.5 * np.cos(np.pi * min(ti / seconds, 1.0))
        p = a * (1 - w) + b * w
        p[:, 0] += 0.3 * ti  # walking in torso units
        frames.append(place(p, **placement))
    return t, np.stack(frames)


def channel(features: np.ndarray, name: str, joint: int) -> np.ndarray:
    return features[..., JOINT_CHANNELS.index(name) * 17 + joint]


def test_layout_names_every_feature():
    assert len(FEATURE_NAMES) == NUM_FEATURES == 17 * len(JOINT_CHANNELS) + 2
    assert FEATURE_NAMES[0] == "x_nose" and FEATURE_NAMES[-1] == "centre_vy"


def test_translation_and_scale_do_not_change_features():
    t, kps = moving_track(cx=100, cy=80, scale=60)
    _, moved = moving_track(cx=900, cy=500, scale=210)
    ends = window_ends(t, 0.5, 1.0)
    a = extract_windows(t, kps, ends, CFG)
    b = extract_windows(t, moved, ends, CFG)
    assert a.valid.all() and b.valid.all()
    np.testing.assert_allclose(a.features, b.features, atol=1e-4)


def test_positions_are_hip_centred_in_torso_lengths():
    t, kps = moving_track()
    w = extract_windows(t, kps, [t[-1]], CFG)
    last = w.features[0, -1]
    assert last[FEATURE_NAMES.index("x_left_hip")] == pytest.approx(0.2, abs=1e-4)
    assert last[FEATURE_NAMES.index("y_left_shoulder")] == pytest.approx(-1.0, abs=1e-4)
    # walking 0.3 torso/s shows in the body velocity, not in hip-relative positions
    assert w.features[0, 5:, -2] == pytest.approx(0.3, abs=1e-3)


def test_missing_joint_is_masked_and_zeroed():
    t, kps = moving_track()
    kps[:, KP.LEFT_KNEE, 2] = 0.0
    kps[:, KP.LEFT_KNEE, :2] = 1e6  # garbage coordinates of an unseen joint are ignored
    kps[5, KP.NOSE] = np.nan  # a non-finite joint counts as missing
    w = extract_windows(t, kps, [t[-1]], CFG)
    f = w.features[0]
    for name in JOINT_CHANNELS:
        assert not channel(f, name, KP.LEFT_KNEE).any(), name
    assert channel(f, "mask", KP.NOSE).all()  # one NaN frame is bridged by interpolation
    assert channel(f, "conf", KP.NOSE) == pytest.approx(0.9)


def test_hips_missing_falls_back_to_shoulders_with_same_centre():
    t, kps = moving_track()
    ref = extract_windows(t, kps, [t[-1]], CFG).features[0]
    hidden = kps.copy()
    hidden[-10:, [KP.LEFT_HIP, KP.RIGHT_HIP], 2] = 0.0  # hips occluded for the last frames
    w = extract_windows(t, hidden, [t[-1]], CFG)
    assert w.valid[0]
    for joint in (KP.NOSE, KP.RIGHT_WRIST, KP.LEFT_ANKLE):
        np.testing.assert_allclose(
            channel(w.features[0], "y", joint), channel(ref, "y", joint), atol=1e-4
        )
    assert not channel(w.features[0], "mask", KP.LEFT_HIP)[-3:].any()


def test_hips_never_seen_use_upper_body_scale_and_centre():
    t, kps = moving_track()
    ref = extract_windows(t, kps, [t[-1]], CFG).features[0]
    kps[:, [KP.LEFT_HIP, KP.RIGHT_HIP], 2] = 0.0  # hidden behind a shelf all along
    w = extract_windows(t, kps, [t[-1]], CFG)
    assert w.valid[0]
    for joint in (KP.NOSE, KP.LEFT_ELBOW):
        got, want = channel(w.features[0], "y", joint), channel(ref, "y", joint)
        np.testing.assert_allclose(got, want, rtol=0.1)


def test_no_torso_makes_the_window_invalid():
    t, kps = moving_track()
    kps[:, [KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER], 2] = 0.0
    w = extract_windows(t, kps, [t[-1]], CFG)
    assert not w.valid[0]
    assert not w.features.any()


def test_head_fallback_places_and_scales_a_body_seen_only_by_its_head():
    t, kps = moving_track()
    ref = extract_windows(t, kps, [t[-1]], CFG).features[0]
    kps[:, KP.LEFT_SHOULDER :, 2] = 0.0  # only the head shows above a shelf
    head = CFG.model_copy(update={"head_fallback": True})
    w = extract_windows(t, kps, [t[-1]], head)
    assert w.valid[0]
    for joint in (KP.NOSE, KP.LEFT_EAR):
        for name in ("x", "y"):
            got, want = channel(w.features[0], name, joint), channel(ref, name, joint)
            np.testing.assert_allclose(got, want, atol=0.1)
    assert not channel(w.features[0], "mask", KP.LEFT_WRIST).any()
    _, moved = moving_track(cx=900, cy=500, scale=210)
    moved[:, KP.LEFT_SHOULDER :, 2] = 0.0
    np.testing.assert_allclose(
        extract_windows(t, moved, [t[-1]], head).features, w.features, atol=1e-4
    )


def test_head_fallback_leaves_windows_with_a_torso_unchanged():
    t, kps = moving_track()
    head = CFG.model_copy(update={"head_fallback": True})
    ends = window_ends(t, 0.5, 1.0)
    np.testing.assert_array_equal(
        extract_windows(t, kps, ends, head).features, extract_windows(t, kps, ends, CFG).features
    )


def test_frame_rate_does_not_change_features_much():
    t5, k5 = moving_track(fps=5)
    t30, k30 = moving_track(fps=30)
    end = 3.8 + 1e-9  # a frame of both tracks (arange rounding aside)
    a = extract_windows(t5, k5, [end], CFG).features
    b = extract_windows(t30, k30, [end], CFG).features
    pos = slice(0, 34)  # x, y of every joint
    assert np.abs(a[..., pos] - b[..., pos]).max() < 0.02


def test_windows_never_see_frames_after_their_end():
    t, kps = moving_track(fps=10)
    kps[-6:-1, KP.NOSE, 2] = 0.0  # the nose vanishes before the end of the window...
    cut = len(t) - 2
    end = t[cut]
    online = extract_windows(t[: cut + 1], kps[: cut + 1], [end], CFG).features
    offline = extract_windows(t, kps, [end], CFG).features  # ...and is back right after it
    np.testing.assert_array_equal(online, offline)
    assert not channel(online[0], "mask", KP.NOSE)[-1]


def test_a_joint_seen_long_ago_is_held_not_interpolated_across_the_gap():
    t, kps = moving_track(fps=10)
    kps[10:30, KP.LEFT_WRIST, 2] = 0.0  # unseen for 2 s, seen again at t[30]
    xy, _, present = resample(t, kps, np.array([t[30] - 0.05]), CFG)
    assert present[0, KP.LEFT_WRIST]
    np.testing.assert_allclose(xy[0, KP.LEFT_WRIST], kps[30, KP.LEFT_WRIST, :2], atol=1e-4)


def test_long_gap_leaves_joints_missing_instead_of_inventing_them():
    t, kps = moving_track(fps=10, seconds=5)
    keep = (t < 2.45) | (t > 3.45)  # 1 s without detections
    w = extract_windows(t[keep], kps[keep], [4.4], CFG)
    assert w.valid[0]
    mask = channel(w.features[0], "mask", KP.NOSE)
    grid = 4.4 + (np.arange(CFG.steps) - (CFG.steps - 1)) / CFG.rate_hz
    assert not mask[(grid > 2.55) & (grid < 3.35)].any()
    assert mask[grid > 3.45].all()


def test_steps_before_the_track_starts_are_missing():
    t, kps = moving_track()
    w = extract_windows(t, kps, [1.0], CFG)  # window reaches back to -1 s
    mask = channel(w.features[0], "mask", KP.NOSE)
    assert not mask[:9].any() and mask[-10:].all()


def test_mirroring_twice_is_identity_and_swaps_sides():
    t, kps = moving_track()
    f = extract_windows(t, kps, [t[-1]], CFG).features
    np.testing.assert_array_equal(flip_features(flip_features(f)), f)
    flipped = flip_features(f)
    np.testing.assert_allclose(
        channel(flipped, "x", KP.LEFT_WRIST), -channel(f, "x", KP.RIGHT_WRIST)
    )
    np.testing.assert_allclose(
        channel(flipped, "y", KP.LEFT_WRIST), channel(f, "y", KP.RIGHT_WRIST)
    )


def test_window_ends_follow_stride_after_min_history():
    t = np.arange(0, 5, 1 / 15)
    ends = window_ends(t, 1.0, 2.0)
    assert ends[0] == pytest.approx(2.0, abs=1 / 15)
    assert np.diff(ends) == pytest.approx(1.0, abs=1 / 15)


def test_empty_track_gives_invalid_windows():
    w = extract_windows(np.zeros(0), np.zeros((0, 17, 3)), [1.0, 2.0], CFG)
    assert w.features.shape == (2, CFG.steps, NUM_FEATURES) and not w.valid.any()


def test_confidence_threshold_compares_float32_confidences_in_float64():
    """A float32 confidence that rounds just below ``min_conf`` is below it (NumPy would
    compare a float32 array with a Python float in float32, where it equals it)."""
    cfg = CFG.model_copy(update={"min_conf": 0.7})
    t, kps = moving_track()
    kps = kps.astype(np.float32)
    kps[:, KP.NOSE, 2] = np.float32(0.7)  # 0.699999988...
    kps[:, KP.LEFT_EAR, 2] = np.nextafter(np.float32(0.7), np.float32(1))  # 0.70000005
    w = extract_windows(t, kps, [t[-1]], cfg)
    assert not channel(w.features[0], "mask", KP.NOSE).any()
    assert channel(w.features[0], "mask", KP.LEFT_EAR).all()
