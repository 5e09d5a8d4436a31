"""3D stick body: anthropometric segment lengths and vectorised forward kinematics.

World frame: x, y on the floor, z up, metres. A person's local frame has axes
(right, forward, up); ``heading`` is the counter-clockwise angle of "forward" from +x.
Joint arrays hold the 17 COCO keypoints followed by :data:`EXTRA_JOINTS` (used for
boxes and drawing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import KP, NUM_KEYPOINTS

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: Joints after the 17 COCO keypoints, in this order.
EXTRA_JOINTS: tuple[str, ...] = (
    "head_top",
    "neck",
    "pelvis",
    "left_toe",
    "right_toe",
    "left_hand",
    "right_hand",
)
HEAD_TOP, NECK, PELVIS, LEFT_TOE, RIGHT_TOE, LEFT_HAND, RIGHT_HAND = range(
    NUM_KEYPOINTS, NUM_KEYPOINTS + len(EXTRA_JOINTS)
)
NUM_JOINTS = NUM_KEYPOINTS + len(EXTRA_JOINTS)


@dataclass(frozen=True, slots=True)
class Body:
    """Segment lengths of one person in metres (Drillis & Contini proportions, jittered)."""

    height: float
    shoulder_width: float
    hip_width: float
    torso: float
    neck: float
    upper_arm: float
    forearm: float
    hand: float
    thigh: float
    shank: float
    ankle_height: float
    foot: float
    head: float

    @classmethod
    def sample(cls, rng: np.random.Generator, height: float | None = None) -> Body:
        """A random adult: height ~ N(1.70, 0.09) m clipped to [1.45, 1.98], ±4 % per segment."""
        h = height if height is not None else float(np.clip(rng.normal(1.70, 0.09), 1.45, 1.98))

        def seg(frac: float) -> float:
            return float(frac * h * rng.uniform(0.96, 1.04))

        broad = rng.uniform(0.9, 1.1)
        return cls(
            height=h,
            shoulder_width=seg(0.215) * broad,
            hip_width=seg(0.125) / broad**0.5,
            torso=seg(0.305),
            neck=seg(0.09),
            upper_arm=seg(0.186),
            forearm=seg(0.146),
            hand=seg(0.108),
            thigh=seg(0.245),
            shank=seg(0.246),
            ankle_height=seg(0.039),
            foot=seg(0.152),
            head=seg(0.075),
        )

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm


@dataclass(slots=True)
class Frames:
    """Per-frame body frames (origins (T, 3) and rotations (T, 3, 3), columns = local axes)."""

    pelvis: Array
    pelvis_rot: Array
    chest: Array
    chest_rot: Array
    head: Array
    head_rot: Array
    heading_rot: Array


def rot_heading(heading: Array) -> Array:
    """(T, 3, 3) rotation with columns (right, forward, up) for a heading angle."""
    c, s = np.cos(heading), np.sin(heading)
    z, o = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([s, -c, z], -1), np.stack([c, s, z], -1), np.stack([z, z, o], -1)], -1
    )


def rot_local(yaw: Array, pitch: Array, roll: Array) -> Array:
    """(T, 3, 3) rotation in a local frame: twist ``yaw`` (ccw), lean ``pitch`` forward,
    bend ``roll`` to the right, applied in that order (radians)."""
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(-pitch), np.sin(-pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    z, o = np.zeros_like(cy), np.ones_like(cy)
    rz = np.stack(
        [np.stack([cy, -sy, z], -1), np.stack([sy, cy, z], -1), np.stack([z, z, o], -1)], -2
    )
    rx = np.stack(
        [np.stack([o, z, z], -1), np.stack([z, cp, -sp], -1), np.stack([z, sp, cp], -1)], -2
    )
    ry = np.stack(
        [np.stack([cr, z, sr], -1), np.stack([z, o, z], -1), np.stack([-sr, z, cr], -1)], -2
    )
    return np.asarray(rz @ rx @ ry)


def apply(rot: Array, v: Array | tuple[float, float, float]) -> Array:
    """Rotate local vectors ``v`` ((3,) or (T, 3)) by per-frame rotations (T, 3, 3)."""
    vec = np.asarray(v, dtype=np.float64)
    if vec.ndim == 1:
        return np.asarray(rot @ vec)
    return np.einsum("tij,tj->ti", rot, vec)


@dataclass(slots=True)
class Posture:
    """Per-frame posture channels (all (T,) arrays, angles in radians, positions in metres)."""

    x: Array
    y: Array
    heading: Array
    gait_phase: Array
    gait: Array
    squat: Array
    torso_pitch: Array
    torso_yaw: Array
    torso_roll: Array
    head_yaw: Array
    head_pitch: Array


def _leg_angles(p: Posture, side: float) -> tuple[Array, Array]:
    """Hip and knee flexion of one leg (side -1 = left, +1 = right) from gait and squat."""
    phase = p.gait_phase + (np.pi if side > 0 else 0.0)
    hip = p.gait * np.radians(22.0) * np.sin(phase) + p.squat * np.radians(80.0)
    knee = (
        p.gait * np.radians(6.0 + 52.0 * np.clip(np.cos(phase - 0.6), 0.0, None) ** 3)
        + p.squat * np.radians(115.0)
        + np.radians(4.0)
    )
    return hip, knee


def body_frames(body: Body, p: Posture) -> tuple[Frames, Array]:
    """Pelvis, chest and head frames plus leg joints (T, 6, 3): hips, knees, ankles (L, R)."""
    rh = rot_heading(p.heading)
    swing = p.gait * np.radians(5.0) * np.sin(p.gait_phase)
    zeros = np.zeros_like(p.x)
    pelvis_rot = rh @ rot_local(swing, zeros, zeros)
    legs = []
    reach = []
    for side in (-1.0, 1.0):
        hip, knee = _leg_angles(p, side)
        reach.append(body.thigh * np.cos(hip) + body.shank * np.cos(hip - knee))
        legs.append((hip, knee))
    pelvis_z = np.maximum(reach[0], reach[1]) + body.ankle_height
    pelvis = np.stack([p.x, p.y, pelvis_z], -1)
    joints = np.zeros((len(p.x), 6, 3))
    for i, (side, (hip, knee)) in enumerate(zip((-1.0, 1.0), legs, strict=True)):
        h = pelvis + apply(pelvis_rot, (side * body.hip_width / 2, 0.0, 0.0))
        k_local = np.stack([zeros, body.thigh * np.sin(hip), -body.thigh * np.cos(hip)], -1)
        a_local = k_local + np.stack(
            [zeros, body.shank * np.sin(hip - knee), -body.shank * np.cos(hip - knee)], -1
        )
        joints[:, i] = h
        joints[:, 2 + i] = h + apply(pelvis_rot, k_local)
        joints[:, 4 + i] = h + apply(pelvis_rot, a_local)
    chest_rot = rh @ rot_local(p.torso_yaw - 0.6 * swing, p.torso_pitch, p.torso_roll)
    chest = pelvis + apply(chest_rot, (0.0, 0.0, body.torso))
    head_rot = chest_rot @ rot_local(p.head_yaw, p.head_pitch, zeros)
    head = chest + apply(chest_rot, (0.0, 0.0, body.neck))
    return Frames(pelvis, pelvis_rot, chest, chest_rot, head, head_rot, rh), joints


def shoulders(body: Body, f: Frames) -> tuple[Array, Array]:
    """Left and right shoulder joints (T, 3)."""
    drop = -0.02 * body.height
    left = f.chest + apply(f.chest_rot, (-body.shoulder_width / 2, 0.0, drop))
    right = f.chest + apply(f.chest_rot, (body.shoulder_width / 2, 0.0, drop))
    return left, right


def solve_arm(
    body: Body, f: Frames, shoulder: Array, target: Array, side: float
) -> tuple[Array, Array, Array]:
    """Two-bone IK: elbow, wrist and hand tip (each (T, 3)) reaching for ``target``.

    The wrist is pulled onto the reachable shell; the elbow bends down, out and back.
    """
    l1, l2 = body.upper_arm, body.forearm
    d_vec = target - shoulder
    dist = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    n = d_vec / np.maximum(dist, 1e-6)
    d = np.clip(dist, 0.3 * (l1 + l2), 0.995 * (l1 + l2))
    wrist = shoulder + n * d
    a = (l1**2 - l2**2 + d**2) / (2 * d)
    r = np.sqrt(np.clip(l1**2 - a**2, 0.0, None))
    pole = apply(f.chest_rot, (side * 0.45, -0.35, -1.0))
    pole = pole - np.sum(pole * n, -1, keepdims=True) * n
    pole /= np.maximum(np.linalg.norm(pole, axis=-1, keepdims=True), 1e-6)
    elbow = shoulder + n * a + pole * r
    fore = wrist - elbow
    fore /= np.maximum(np.linalg.norm(fore, axis=-1, keepdims=True), 1e-6)
    hand = wrist + fore * body.hand * 0.65
    return elbow, wrist, hand


def rest_hand(
    body: Body, f: Frames, p: Posture, shoulder: Array, side: float, swing: Array
) -> Array:
    """Wrist target of a relaxed hanging arm, swinging against the same-side leg."""
    phase = p.gait_phase + (0.0 if side > 0 else np.pi)
    ang = swing * p.gait * np.radians(18.0) * np.sin(phase) + np.radians(3.0)
    length = body.arm * 0.97
    local = np.stack(
        [
            np.full_like(ang, side * 0.035 * body.height / 1.7),
            length * np.sin(ang),
            -length * np.cos(ang),
        ],
        -1,
    )
    return shoulder + apply(f.chest_rot, local)


def head_points(body: Body, f: Frames) -> dict[int, Array]:
    """Face keypoints and head top (T, 3) from the head frame."""
    h = body.height
    pts = {
        KP.NOSE: (0.0, 0.055 * h, -0.008 * h),
        KP.LEFT_EYE: (-0.019 * h, 0.045 * h, 0.010 * h),
        KP.RIGHT_EYE: (0.019 * h, 0.045 * h, 0.010 * h),
        KP.LEFT_EAR: (-0.046 * h, -0.004 * h, 0.0),
        KP.RIGHT_EAR: (0.046 * h, -0.004 * h, 0.0),
        HEAD_TOP: (0.0, 0.005 * h, body.head),
    }
    return {int(k): f.head + apply(f.head_rot, v) for k, v in pts.items()}


def assemble(
    body: Body,
    f: Frames,
    legs: Array,
    arms: dict[float, tuple[Array, Array, Array]],
    shoulder_pts: tuple[Array, Array],
) -> Array:
    """All joints (T, NUM_JOINTS, 3) in world coordinates."""
    t = len(f.pelvis)
    out = np.zeros((t, NUM_JOINTS, 3))
    for k, v in head_points(body, f).items():
        out[:, k] = v
    out[:, KP.LEFT_SHOULDER], out[:, KP.RIGHT_SHOULDER] = shoulder_pts
    out[:, KP.LEFT_ELBOW], out[:, KP.LEFT_WRIST], out[:, LEFT_HAND] = arms[-1.0]
    out[:, KP.RIGHT_ELBOW], out[:, KP.RIGHT_WRIST], out[:, RIGHT_HAND] = arms[1.0]
    out[:, KP.LEFT_HIP], out[:, KP.RIGHT_HIP] = legs[:, 0], legs[:, 1]
    out[:, KP.LEFT_KNEE], out[:, KP.RIGHT_KNEE] = legs[:, 2], legs[:, 3]
    out[:, KP.LEFT_ANKLE], out[:, KP.RIGHT_ANKLE] = legs[:, 4], legs[:, 5]
    out[:, NECK] = f.chest
    out[:, PELVIS] = f.pelvis
    for ankle, toe in ((KP.LEFT_ANKLE, LEFT_TOE), (KP.RIGHT_ANKLE, RIGHT_TOE)):
        out[:, toe] = out[:, ankle] + f.pelvis_rot[:, :, 1] * body.foot * 0.75
        out[:, toe, 2] = np.maximum(out[:, ankle, 2] - body.ankle_height * 0.8, 0.0)
    return out
