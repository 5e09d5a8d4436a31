"""Keypoint noise profiles of the synthetic generator (``classic``, ``pose-fit``, ``pose-slip``,
``exact``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shopguard.cli import main
from shopguard.keypoints import KP
from shopguard.training.datasets import load_dataset
from shopguard.training.fresh import FreshSynthetic
from shopguard.training.synth import generate_clips
from shopguard.training.synth.observe import (
    BODY_PARTS,
    CLASSIC_NOISE,
    EXACT_POSE,
    EXACT_POSITIONS,
    POSE_FIT_NOISE,
    POSE_SLIP_NOISE,
    SLIP_TARGETS,
    WRIST_ZONES,
    wrist_zones,
)


@pytest.fixture(scope="module")
def pairs() -> list:
    classic = generate_clips(21, 6, theft_fraction=0.5)
    fitted = generate_clips(21, 6, theft_fraction=0.5, noise=POSE_FIT_NOISE)
    return list(zip(classic, fitted, strict=True))


def test_classic_is_the_default_and_stays_as_it_was() -> None:
    default = generate_clips(21, 2)
    named = generate_clips(21, 2, noise=CLASSIC_NOISE)
    for a, b in zip(default, named, strict=True):
        np.testing.assert_array_equal(a.keypoints, b.keypoints)
        assert a.meta["noise_profile"] == "classic"
    assert CLASSIC_NOISE.factors(np.random.default_rng(0), 5) is None


def test_pose_fit_changes_only_the_noise_and_most_on_the_arms(pairs: list) -> None:
    moved: dict[str, list[float]] = {part: [] for part in BODY_PARTS}
    for classic, fitted in pairs:
        # same visit, camera, frames, labels, boxes and confidences: only pixel noise differs
        np.testing.assert_array_equal(classic.timestamps, fitted.timestamps)
        np.testing.assert_array_equal(classic.labels, fitted.labels)
        np.testing.assert_array_equal(classic.boxes, fitted.boxes)
        np.testing.assert_array_equal(classic.keypoints[..., 2], fitted.keypoints[..., 2])
        assert fitted.meta["noise_profile"] == "pose-fit"
        seen = classic.keypoints[..., 2] > 0
        height = classic.boxes[:, 3:4] - classic.boxes[:, 1:2]
        shift = np.linalg.norm(classic.keypoints[..., :2] - fitted.keypoints[..., :2], axis=-1)
        for part, joints in BODY_PARTS.items():
            mask = seen[:, joints]
            moved[part].extend((shift[:, joints] / height)[mask].tolist())
    median = {part: float(np.median(v)) for part, v in moved.items()}
    assert median["face"] == 0.0  # scale 1, no tail: the face keeps the classic noise
    assert median["wrists"] > median["elbows"] > median["hips"] > 0.0


def test_unknown_profiles_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(ValueError, match="unknown noise profile"):
        FreshSynthetic(10, noise="blurry")
    with pytest.raises(SystemExit):
        main(["synth", "data", "--out", str(tmp_path), "--noise", "blurry"])
    assert "invalid choice: 'blurry'" in capsys.readouterr().err


def test_synth_data_writes_pose_fit_clips(tmp_path: Path) -> None:
    argv = ["synth", "data", "--out", str(tmp_path), "--split", "val", "--n", "2",
            "--noise", "pose-fit"]
    assert main(argv) == 0
    clips = load_dataset(tmp_path, "native", split="val")
    assert [c.meta["noise_profile"] for c in clips] == ["pose-fit", "pose-fit"]


def _body(rng: np.random.Generator, frames: int, wrists_at: tuple[float, float]) -> np.ndarray:
    """Random joints around a fixed torso, both wrists near ``wrists_at`` (apart by 60 px)."""
    exact = rng.uniform(0, 500, (frames, 17, 2))
    exact[:, [KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.RIGHT_HIP, KP.LEFT_HIP]] = [
        [100, 100], [200, 100], [190, 300], [110, 300]]
    exact[:, KP.LEFT_WRIST] = np.add(wrists_at, rng.normal(0, 3, (frames, 2)))
    exact[:, KP.RIGHT_WRIST] = exact[:, KP.LEFT_WRIST] + [0, 120]
    return exact


def test_wrist_zones_place_wrists_against_the_torso() -> None:
    rng = np.random.default_rng(3)
    zones = [WRIST_ZONES[z] for z in wrist_zones(_body(rng, 1, (150, 120)))[0]]
    assert zones == ["torso", "torso"]
    assert [WRIST_ZONES[z] for z in wrist_zones(_body(rng, 1, (215, 100)))[0]] == [
        "near", "near"]
    far = _body(rng, 1, (450, 400))
    far[:, KP.RIGHT_WRIST] = far[:, KP.LEFT_WRIST] + 10
    assert [WRIST_ZONES[z] for z in wrist_zones(far)[0]] == ["away, hands together"] * 2


def test_slipping_wrists_land_on_the_other_wrist_or_toward_elbow_or_hip() -> None:
    rng = np.random.default_rng(4)
    # 2,000 frames with the wrists in front of the torso, then 4,000 away from it.
    exact = np.concatenate([_body(rng, 2000, (150, 120)), _body(rng, 4000, (450, 400))])
    rates = dict.fromkeys(WRIST_ZONES, 0.0) | {"away": 0.3}
    profile = replace(POSE_SLIP_NOISE, wrist_slip=tuple(rates.values()),
                      slip_shares=((1.0, 0.0, 0.0),) * 4 + ((0.5, 0.35, 0.15),) * 2)
    noise = rng.normal(0, 1, exact.shape)

    out = profile.slip_wrists(np.random.default_rng(5), exact + noise, exact)

    moved = np.linalg.norm(out - (exact + noise), axis=-1) > 0
    assert not moved[:, [j for j in range(17) if j not in SLIP_TARGETS]].any()
    assert not moved[:2000].any()  # the slip rate in front of the torso is 0 here
    moved = moved[2000:]
    exact, out, noise = exact[2000:], out[2000:], noise[2000:]
    for wrist, targets in SLIP_TARGETS.items():
        share = moved[:, wrist].mean()
        assert 0.2 < share < 0.4  # about the zone's rate, in episodes
        runs = np.diff(np.r_[0, moved[:, wrist].astype(int), 0])
        assert (runs == 1).sum() < 0.5 * moved[:, wrist].sum()  # episodes, not single frames
        places = [exact[:, targets[0]]] + [
            exact[:, wrist] + 0.75 * (exact[:, t] - exact[:, wrist]) for t in targets[1:]]
        where = out[:, wrist] - noise[:, wrist]
        hits = [np.isclose(where, p).all(-1) & moved[:, wrist] for p in places]
        assert (sum(h.astype(int) for h in hits) == moved[:, wrist]).all()
        shares = [h.sum() / moved[:, wrist].sum() for h in hits]
        assert shares[0] > shares[2] and shares[1] > shares[2]
    assert CLASSIC_NOISE.slip_wrists(rng, exact, exact) is exact


def test_mirrored_frames_come_in_episodes_at_the_rate_for_the_facing() -> None:
    facing_camera = np.r_[np.ones(3000, bool), np.zeros(3000, bool)]
    profile = replace(POSE_SLIP_NOISE, mirror=(0.0, 0.3))

    mirrored = profile.mirror_frames(np.random.default_rng(6), facing_camera)

    assert not mirrored[:3000].any()
    assert 0.2 < mirrored[3000:].mean() < 0.4
    starts = np.diff(np.r_[0, mirrored.astype(int)]) == 1
    assert starts.sum() < 0.6 * mirrored.sum()  # episodes, not single frames
    rng = np.random.default_rng(6)
    assert not CLASSIC_NOISE.mirror_frames(rng, facing_camera).any()
    assert rng.random() == np.random.default_rng(6).random()  # nothing was drawn


@pytest.fixture(scope="module")
def twins() -> list:
    """The same clips as ``classic``, ``exact`` and ``exact-positions`` report them."""
    profiles = (CLASSIC_NOISE, EXACT_POSE, EXACT_POSITIONS)
    made = [generate_clips(23, 4, theft_fraction=0.5, noise=p) for p in profiles]
    return list(zip(*made, strict=True))


def test_exact_is_the_classic_clip_without_the_pose_models_errors(twins: list) -> None:
    for noisy, clean, _ in twins:
        # the same visit, frames and labels (the same random numbers were drawn)
        np.testing.assert_array_equal(noisy.timestamps, clean.timestamps)
        np.testing.assert_array_equal(noisy.labels, clean.labels)
        assert clean.meta["noise_profile"] == "exact"
        conf = clean.keypoints[..., 2]
        assert set(np.unique(conf)) <= {0.0, 1.0}
        # the joints the pose model reported are in view (bar its rare left/right swaps)
        assert np.mean(conf[noisy.keypoints[..., 2] > 0] == 1.0) > 0.98
        seen = (conf > 0) & (noisy.keypoints[..., 2] > 0)
        error = np.linalg.norm(noisy.keypoints[..., :2] - clean.keypoints[..., :2], axis=-1)
        assert float(np.median(error[seen])) > 0.0
        assert np.all(clean.keypoints[conf == 0, :2] == 0.0)


def test_exact_positions_keeps_the_classic_confidences_and_lost_joints(twins: list) -> None:
    for noisy, clean, clip in twins:
        np.testing.assert_array_equal(clip.labels, noisy.labels)
        assert clip.meta["noise_profile"] == "exact-positions"
        reported = clip.keypoints[..., 2] > 0
        # the same joints are lost as under classic, the rest sit exactly at the truth
        assert np.mean(reported == (noisy.keypoints[..., 2] > 0)) > 0.98
        np.testing.assert_allclose(clip.keypoints[reported, :2], clean.keypoints[reported, :2],
                                   atol=1e-3)
        assert np.all(clean.keypoints[reported, 2] == 1.0)
