"""What a camera and a pose model would report: projection, visibility and degradation.

:func:`project_truth` gives exact 2D keypoints with 0/1 visibility (hidden by a shelf or
wall, behind the camera or outside the image = 0). :func:`degrade` turns them into
pose-model-like output: confidences that fall with person size, facing away and
self-occlusion by the torso, pixel noise, dropped joints and rare left/right swaps.
A :class:`NoiseProfile` scales the pixel noise per joint: ``classic`` (the generator's
original noise), ``pose-fit`` (fitted to the real pose model's errors on rendered
scenes: larger on the arms, with heavy tails) or ``pose-slip`` (``pose-fit`` plus wrists
reported at the other wrist, elbow or hip, as the real model does; docs/synthetic-data.md).
``exact`` and ``exact-positions`` take errors away instead, to measure what the pose itself
carries (a perfect pose model; exact places with the classic confidences).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import FACE_KEYPOINTS, FLIP_PAIRS, KP, NUM_KEYPOINTS
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.scene import Store
from shopguard.training.synth.skeleton import NECK, PELVIS, Array

F32 = npt.NDArray[np.float32]
ARM_JOINTS = (KP.LEFT_ELBOW, KP.RIGHT_ELBOW, KP.LEFT_WRIST, KP.RIGHT_WRIST)
#: COCO-17 joints by body part, for per-part noise settings.
BODY_PARTS: dict[str, tuple[int, ...]] = {
    "face": FACE_KEYPOINTS,
    "shoulders": (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER),
    "elbows": (KP.LEFT_ELBOW, KP.RIGHT_ELBOW),
    "wrists": (KP.LEFT_WRIST, KP.RIGHT_WRIST),
    "hips": (KP.LEFT_HIP, KP.RIGHT_HIP),
    "knees": (KP.LEFT_KNEE, KP.RIGHT_KNEE),
    "ankles": (KP.LEFT_ANKLE, KP.RIGHT_ANKLE),
}


@dataclass(frozen=True, slots=True)
class NoiseProfile:
    """How the pixel noise of each body part is scaled: ``scale`` multiplies its standard
    deviation, ``tail`` is the standard deviation of the log of a slowly varying extra
    factor (0: none), which gives the heavy tails of a pose model's errors (a wrist lost
    against the torso for a few frames)."""

    name: str
    scale: dict[str, float]
    tail: dict[str, float]
    #: Per wrist zone (``WRIST_ZONES``): share of frames in which a wrist is reported at
    #: the wrong place, and how those episodes split between ``SLIP_TARGETS`` (see
    #: ``slip_wrists``). Empty: never.
    wrist_slip: tuple[float, ...] = ()
    slip_shares: tuple[tuple[float, float, float], ...] = ()
    #: Share of frames whose left and right labels are all swapped, for people facing the
    #: camera and for people facing away (see ``mirror_frames``).
    mirror: tuple[float, float] = (0.0, 0.0)
    #: What is reported exactly instead (the same random numbers are drawn as under
    #: ``classic``, so such a clip is its classic twin without some of the pose model's
    #: errors): ``"positions"``: every reported joint at its true place (the classic
    #: confidences and lost joints, no left/right swaps); ``"all"``: a perfect pose model,
    #: every joint in view at its true place with confidence 1. ``""``: nothing.
    exact: Literal["", "positions", "all"] = ""

    def factors(self, rng: np.random.Generator, frames: int) -> Array | None:
        """(frames, 17, 1) noise factors, or ``None`` when the profile changes nothing
        (then no random numbers are drawn, so ``classic`` clips stay as they were)."""
        if all(v == 1.0 for v in self.scale.values()) and not any(self.tail.values()):
            return None
        scale, tail = np.ones(NUM_KEYPOINTS), np.zeros(NUM_KEYPOINTS)
        for part, joints in BODY_PARTS.items():
            scale[list(joints)] = self.scale.get(part, 1.0)
            tail[list(joints)] = self.tail.get(part, 0.0)
        return (scale * np.exp(tail * _ar1(rng, (frames, NUM_KEYPOINTS), 0.8)))[..., None]

    def slip_wrists(self, rng: np.random.Generator, xy: Array, exact: Array) -> Array:
        """``xy`` with each wrist, in episodes of a few frames, reported where the real
        pose model misplaces it: at the other wrist, or three quarters of the way to its
        elbow or to its hip (``SLIP_TARGETS``). How often, and where to, depends on the
        wrist's zone (``wrist_zones``: in front of the torso, near it or away; hands
        together or apart). ``exact`` holds the exact projections of all joints, hidden
        ones included."""
        if not self.wrist_slip:
            return xy
        zones = wrist_zones(exact)
        slipping = _ar1(rng, (len(xy), 2), 0.9) > _cuts(self.wrist_slip)[zones]
        starts = slipping & ~np.vstack([np.zeros((1, 2), bool), slipping[:-1]])
        shares = np.cumsum(self.slip_shares, axis=1)
        kind = np.zeros((len(xy), 2), np.int64)
        for side in range(2):
            episode = np.cumsum(starts[:, side])
            first = np.flatnonzero(starts[:, side])
            draws = rng.random(len(first))
            per_episode = (draws[:, None] > shares[zones[first, side]]).sum(1)
            kind[:, side] = np.r_[0, per_episode][episode]
        out = xy.copy()
        for side, wrist in enumerate((KP.LEFT_WRIST, KP.RIGHT_WRIST)):
            for k, target in enumerate(SLIP_TARGETS[wrist]):
                frames = slipping[:, side] & (kind[:, side] == k)
                to = exact[frames, target]
                moved = to if target in (KP.LEFT_WRIST, KP.RIGHT_WRIST) else (
                    exact[frames, wrist] + 0.75 * (to - exact[frames, wrist]))
                out[frames, wrist] = moved + (xy[frames, wrist] - exact[frames, wrist])
        return out


    def mirror_frames(self, rng: np.random.Generator, facing_camera: npt.NDArray[np.bool_]
                      ) -> npt.NDArray[np.bool_]:
        """(T,) frames whose left/right labels the pose model swaps, in episodes of a few
        frames (AR(1), ρ 0.8, above the quantile that gives ``mirror``'s share for the
        person's facing). No random numbers are drawn when ``mirror`` is zero."""
        if not any(self.mirror):
            return np.zeros(len(facing_camera), bool)
        cuts = _cuts(self.mirror)[np.where(facing_camera, 0, 1)]
        return _ar1(rng, (len(facing_camera),), 0.8) > cuts


#: Where a slipping wrist is reported (other wrist, own elbow, own hip).
SLIP_TARGETS = {
    KP.LEFT_WRIST: (KP.RIGHT_WRIST, KP.LEFT_ELBOW, KP.LEFT_HIP),
    KP.RIGHT_WRIST: (KP.LEFT_WRIST, KP.RIGHT_ELBOW, KP.RIGHT_HIP),
}
#: A wrist's place relative to its body: inside the outline of the torso (in front of or
#: behind it), near it (within the torso outline enlarged 1.8 times) or away from it;
#: each with the hands apart or together (wrists closer than half a torso length).
WRIST_ZONES = ("torso", "torso, hands together", "near", "near, hands together", "away",
               "away, hands together")


def wrist_zones(xy: Array) -> npt.NDArray[np.int64]:
    """(T, 2) index into ``WRIST_ZONES`` of the left and right wrist, from exact 2D
    keypoints (T, 17, 2)."""
    quad = xy[:, [KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.RIGHT_HIP, KP.LEFT_HIP]]
    centre = quad.mean(1, keepdims=True)
    wrists = xy[:, [KP.LEFT_WRIST, KP.RIGHT_WRIST]]
    torso = np.linalg.norm(quad[:, :2].mean(1) - quad[:, 2:].mean(1), axis=-1)
    together = np.linalg.norm(wrists[:, 0] - wrists[:, 1], axis=-1) < 0.5 * torso
    zones = np.full((len(xy), 2), 4, np.int64)
    for zone, grow in ((2, 1.8), (0, 1.15)):
        grown = centre + (quad - centre) * grow
        for side in range(2):
            zones[_inside(grown, wrists[:, side]), side] = zone
    return zones + together[:, None]


CLASSIC_NOISE = NoiseProfile("classic", {}, {})
#: Fitted to YOLO11n-pose on rendered scenes (per-part median and 90th percentile of the
#: keypoint error over the visible box height; docs/synthetic-data.md).
POSE_FIT_NOISE = NoiseProfile(
    "pose-fit",
    scale={"face": 1.0, "shoulders": 1.55, "elbows": 2.5, "wrists": 3.8, "hips": 1.65,
           "knees": 1.7, "ankles": 2.2},
    tail={"face": 0.0, "shoulders": 0.8, "elbows": 0.9, "wrists": 0.6, "hips": 0.4,
          "knees": 0.5, "ankles": 0.35},
)
#: The structure of the real pose model's errors, not only their size: whole-body
#: left/right mirroring in episodes (more often for people facing away), wrists reported
#: toward the elbow or hip at rates by the wrist's zone, and per-part noise fitted to the
#: errors of the frames that are not mirrored (docs/synthetic-data.md).
POSE_SLIP_NOISE = NoiseProfile(
    "pose-slip",
    scale={"face": 1.0, "shoulders": 1.3, "elbows": 2.25, "wrists": 2.6, "hips": 1.42,
           "knees": 1.65, "ankles": 2.15},
    tail={"face": 0.0, "shoulders": 0.75, "elbows": 0.7, "wrists": 0.4, "hips": 0.1,
          "knees": 0.2, "ankles": 0.1},
    wrist_slip=(0.75, 0.15, 0.14, 0.12, 0.05, 0.08),
    slip_shares=((0.04, 0.43, 0.53), (0.08, 0.52, 0.40), (0.08, 0.72, 0.20),
                 (0.15, 0.66, 0.19), (0.20, 0.64, 0.16), (0.16, 0.44, 0.40)),
    mirror=(0.106, 0.217),
)
#: A perfect pose model, for measuring what the pose itself tells apart (a ceiling).
EXACT_POSE = NoiseProfile("exact", {}, {}, exact="all")
#: The classic confidences and lost joints with exact positions: how much of what the
#: pose model's errors cost is its pixel noise.
EXACT_POSITIONS = NoiseProfile("exact-positions", {}, {}, exact="positions")
NOISE_PROFILES = {
    p.name: p
    for p in (CLASSIC_NOISE, POSE_FIT_NOISE, POSE_SLIP_NOISE, EXACT_POSE, EXACT_POSITIONS)
}


@dataclass(slots=True)
class Truth:
    """Exact observation of one person: keypoints (T, 17, 3) with 0/1 confidence,
    visible-body boxes (T, 4) xyxy (zeros if nothing visible), person height in pixels (T,)
    and the visibility of every joint (T, NUM_JOINTS)."""

    keypoints: F32
    boxes: F32
    height_px: Array
    visible: npt.NDArray[np.bool_]


def project_truth(camera: Camera, store: Store, joints: Array, body_height: float) -> Truth:
    """Project world joints (T, J, 3) and work out which are visible."""
    uv, z = camera.project(joints)
    in_view = (
        (z > 0.3)
        & (uv[..., 0] >= 0)
        & (uv[..., 0] < camera.width)
        & (uv[..., 1] >= 0)
        & (uv[..., 1] < camera.height)
    )
    visible = in_view & ~store.occluded(camera, joints)
    kps = np.zeros((len(joints), NUM_KEYPOINTS, 3), np.float32)
    kps[..., :2] = np.where(visible[:, :NUM_KEYPOINTS, None], uv[:, :NUM_KEYPOINTS], 0.0)
    kps[..., 2] = visible[:, :NUM_KEYPOINTS]
    depth = np.maximum(z[:, PELVIS], 0.3)
    height_px = body_height * camera.focal / depth
    pad = 0.07 * camera.focal / depth
    big = np.where(visible[..., None], uv, np.nan)
    any_vis = visible.any(1)
    boxes = np.zeros((len(joints), 4), np.float32)
    if any_vis.any():
        with np.errstate(all="ignore"):
            lo = np.nanmin(big[any_vis], axis=1) - pad[any_vis, None]
            hi = np.nanmax(big[any_vis], axis=1) + pad[any_vis, None]
        boxes[any_vis] = np.concatenate([lo, hi], 1)
        boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, camera.width)
        boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, camera.height)
    return Truth(kps, boxes, height_px, visible)


def _torso_hides(camera: Camera, joints: Array, uv: Array) -> npt.NDArray[np.bool_]:
    """(T, 17) whether an arm joint is behind the torso as seen from the camera."""
    right = joints[:, KP.RIGHT_SHOULDER] - joints[:, KP.LEFT_SHOULDER]
    up = joints[:, NECK] - joints[:, PELVIS]
    normal = np.cross(up, right)
    cam_side = np.sign(np.sum((np.asarray(camera.position) - joints[:, PELVIS]) * normal, -1))
    quad = uv[:, [KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.RIGHT_HIP, KP.LEFT_HIP]]
    centre = quad.mean(1, keepdims=True)
    quad = centre + (quad - centre) * 1.15
    hidden = np.zeros(uv.shape[:2], dtype=bool)
    hidden = hidden[:, :NUM_KEYPOINTS]
    for j in ARM_JOINTS:
        side = np.sign(np.sum((joints[:, j] - joints[:, PELVIS]) * normal, -1))
        hidden[:, j] = _inside(quad, uv[:, j]) & (side != cam_side)
    return hidden


def _inside(quad: Array, points: Array) -> npt.NDArray[np.bool_]:
    """(T,) whether each point (T, 2) lies inside its convex quad (T, 4, 2)."""
    inside = np.ones(len(points), dtype=bool)
    orientation = _orientation(quad)
    for k in range(4):
        a, b = quad[:, k], quad[:, (k + 1) % 4]
        cross = (b[:, 0] - a[:, 0]) * (points[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (
            points[:, 0] - a[:, 0]
        )
        inside &= cross * orientation >= 0
    return inside


def _orientation(quad: Array) -> Array:
    """Sign of the signed area of each quad (+1 or -1)."""
    x, y = quad[..., 0], quad[..., 1]
    area = np.sum(x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y, 1)
    return np.where(area >= 0, 1.0, -1.0)


def _cuts(shares: tuple[float, ...]) -> Array:
    """Levels a unit normal exceeds with each probability in ``shares``."""
    return np.array([NormalDist().inv_cdf(1.0 - min(max(p, 1e-6), 1 - 1e-6)) for p in shares])


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> Array:
    """Temporally correlated unit-variance noise along axis 0."""
    e = rng.standard_normal(shape)
    out = np.empty(shape)
    out[0] = e[0]
    k = np.sqrt(1 - rho**2)
    for t in range(1, shape[0]):
        out[t] = rho * out[t - 1] + k * e[t]
    return out


def degrade(
    camera: Camera, joints: Array, truth: Truth, rng: np.random.Generator,
    profile: NoiseProfile = CLASSIC_NOISE,
) -> tuple[F32, F32, dict[str, float]]:
    """Pose-model-like keypoints (T, 17, 3) and boxes (T, 4) from the exact observation,
    with ``profile``'s per-joint noise (its own random stream, spawned from ``rng``, so
    every other draw is the same under any profile).

    Returns the arrays and the sampled quality parameters (for ``meta``).
    """
    t = len(joints)
    uv = truth.keypoints[..., :2].astype(np.float64)
    full_uv, _ = camera.project(joints)
    quality = float(rng.uniform(0.6, 0.95))
    noise = float(rng.uniform(0.004, 0.02))
    drop = float(rng.uniform(0.0, 0.04))
    h = truth.height_px[:, None]
    conf = quality - 0.3 * np.exp(-(h - 60) / 150) + rng.normal(0, 0.06, (t, NUM_KEYPOINTS))
    to_cam = np.asarray(camera.position) - joints[:, KP.NOSE]
    mid_ear = (joints[:, KP.LEFT_EAR] + joints[:, KP.RIGHT_EAR]) / 2
    facing = np.sum((joints[:, KP.NOSE] - mid_ear) * to_cam, -1) / (
        np.linalg.norm(joints[:, KP.NOSE] - mid_ear, axis=-1) * np.linalg.norm(to_cam, axis=-1)
    )
    face = list(FACE_KEYPOINTS[:3])
    conf[:, face] *= np.where(facing[:, None] < -0.1, 0.25, 1.0)
    conf[_torso_hides(camera, joints, full_uv)] *= rng.uniform(0.25, 0.5)
    conf[rng.random((t, NUM_KEYPOINTS)) < drop] = 0.0
    if rng.random() < 0.3 and t > 10:
        j = int(rng.integers(5, NUM_KEYPOINTS))
        start = int(rng.integers(t))
        conf[start : start + int(rng.integers(2, 20)), j] = 0.0
    conf = np.clip(conf, 0.0, 1.0) * truth.keypoints[..., 2]
    sigma = noise * h[..., None] * (1.0 + 1.5 * (1.0 - conf[..., None]))
    profile_rng = rng.spawn(1)[0]
    factors = profile.factors(profile_rng, t)
    if factors is not None:
        sigma = sigma * factors
    jitter = 0.6 * rng.standard_normal((t, NUM_KEYPOINTS, 2)) + 0.8 * _ar1(
        rng, (t, NUM_KEYPOINTS, 2), 0.8
    )
    xy = profile.slip_wrists(profile_rng, uv + sigma * jitter, full_uv[:, :NUM_KEYPOINTS])
    swap = (rng.random(t) < 0.005) | profile.mirror_frames(profile_rng, facing >= 0)
    if profile.exact == "positions":
        xy, swap = uv, np.zeros(t, bool)
    for a, b in FLIP_PAIRS:
        xy[swap, a], xy[swap, b] = xy[swap, b].copy(), xy[swap, a].copy()
        conf[swap, a], conf[swap, b] = conf[swap, b].copy(), conf[swap, a].copy()
    kps = np.concatenate([np.where(conf[..., None] > 0, xy, 0.0), conf[..., None]], -1)
    box_h = (truth.boxes[:, 3] - truth.boxes[:, 1])[:, None]
    boxes = truth.boxes + rng.normal(0, 0.02, (t, 4)) * box_h
    params = {"quality": round(quality, 3), "noise": round(noise, 4), "joint_drop": round(drop, 4)}
    if profile.exact == "all":
        return truth.keypoints.astype(np.float32), truth.boxes.astype(np.float32), {}
    return kps.astype(np.float32), boxes.astype(np.float32), params
