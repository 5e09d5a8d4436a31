"""From a keyframed :class:`Timeline` to 3D joints: sample, add natural sway, solve arms."""

from __future__ import annotations

import numpy as np

from shopguard.training.synth.motion import HandTarget, Sampled, Timeline, sample_motion
from shopguard.training.synth.skeleton import (
    Array,
    Body,
    Frames,
    IntArray,
    Posture,
    apply,
    assemble,
    body_frames,
    rest_hand,
    shoulders,
    solve_arm,
)

SIDES: dict[str, float] = {"left": -1.0, "right": 1.0}


def smooth_noise(rng: np.random.Generator, times: Array, sigma: float, freq: float) -> Array:
    """Zero-mean band-limited noise: three sinusoids near ``freq`` Hz with total std ``sigma``."""
    f = freq * rng.uniform(0.5, 1.6, 3)
    phase = rng.uniform(0, 2 * np.pi, 3)
    amp = rng.uniform(0.5, 1.0, 3)
    wave = (amp[:, None] * np.sin(2 * np.pi * f[:, None] * times[None] + phase[:, None])).sum(0)
    return np.asarray(wave * sigma / np.sqrt(0.5 * (amp**2).sum()))


def _add_sway(p: Posture, times: Array, rng: np.random.Generator) -> None:
    """Idle sway of head, torso and stance so that nobody stands perfectly still."""
    p.head_yaw = p.head_yaw + smooth_noise(rng, times, 0.12, 0.15)
    p.head_pitch = p.head_pitch + smooth_noise(rng, times, 0.05, 0.2)
    p.torso_pitch = p.torso_pitch + smooth_noise(rng, times, 0.02, 0.1)
    p.torso_roll = p.torso_roll + smooth_noise(rng, times, 0.015, 0.12)
    p.x = p.x + smooth_noise(rng, times, 0.01, 0.1)
    p.y = p.y + smooth_noise(rng, times, 0.01, 0.1)


def _target_points(target: HandTarget, body: Body, f: Frames, rest: Array, idx: IntArray) -> Array:
    """World positions (len(idx), 3) of a hand target at the frames ``idx``."""
    off = np.asarray(target.offset, dtype=np.float64)
    if target.anchor == "rest":
        return rest[idx]
    if target.anchor == "world":
        return np.broadcast_to(off, (len(idx), 3)).copy()
    origin, rot = {
        "pelvis": (f.pelvis, f.pelvis_rot),
        "chest": (f.chest, f.chest_rot),
        "head": (f.head, f.head_rot),
    }[target.anchor]
    return np.asarray(origin[idx] + apply(rot[idx], off))


def _hand_path(s: Sampled, side: str, body: Body, f: Frames, rest: Array) -> Array:
    """Blend consecutive hand keyframes frame by frame (both ends move with the body)."""
    targets, i, w = s.hand_keys[side]
    out = np.zeros((len(i), 3))
    for k in np.unique(i):
        idx = np.nonzero(i == k)[0]
        a = _target_points(targets[k], body, f, rest, idx)
        b = _target_points(targets[min(k + 1, len(targets) - 1)], body, f, rest, idx)
        out[idx] = a + (b - a) * w[idx, None]
    return out


def timeline_joints(body: Body, tl: Timeline, times: Array, rng: np.random.Generator) -> Array:
    """World joints (T, NUM_JOINTS, 3) of ``tl`` sampled at ``times``."""
    s = sample_motion(tl, times)
    _add_sway(s.posture, times, rng)
    f, legs = body_frames(body, s.posture)
    shoulder_pts = shoulders(body, f)
    arms = {}
    for (side, sign), shoulder in zip(SIDES.items(), shoulder_pts, strict=True):
        rest = rest_hand(body, f, s.posture, shoulder, sign, s.swing[side])
        target = _hand_path(s, side, body, f, rest)
        jitter = np.stack([smooth_noise(rng, times, 0.008, 0.4) for _ in range(3)], -1)
        wiggle = s.wiggle[side] * np.sin(2 * np.pi * 3.2 * times + rng.uniform(0, 6.3))
        target = target + jitter + f.chest_rot[:, :, 2] * wiggle[:, None]
        arms[sign] = solve_arm(body, f, shoulder, target, sign)
    return assemble(body, f, legs, arms, shoulder_pts)
