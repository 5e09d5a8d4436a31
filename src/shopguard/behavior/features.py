"""Pose history → fixed-rate, body-normalised feature windows for the sequence model.

Tracks arrive at 5–30 fps with dropped frames; the model sees ``FeatureConfig.rate_hz``
steps over ``FeatureConfig.window_s`` seconds. Training and the online scorer both call
``extract_windows``, so the model never sees features computed any other way.

Per step and joint the features are: x, y relative to the body centre (mid-hip, or the
mid-shoulder shifted by the window's median torso vector when the hips are missing, or,
with ``FeatureConfig.head_fallback``, the head's centre shifted down when there is no
usable torso) in torso lengths (median over the window), their velocities in torso lengths
per second, the keypoint confidence and a present/missing mask; plus the body centre's
velocity.
Missing values are zero, with mask 0.

Example:
    >>> import numpy as np
    >>> cfg = FeatureConfig(rate_hz=10, window_s=2)
    >>> t = np.arange(40) / 15.0
    >>> kps = np.zeros((40, 17, 3), np.float32)
    >>> w = extract_windows(t, kps, np.array([t[-1]]), cfg)
    >>> w.features.shape, bool(w.valid[0])  # no confident joints: an invalid window
    ((1, 20, 104), False)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import FeatureConfig
from shopguard.keypoints import FLIP_PAIRS, KEYPOINT_NAMES, KP, NUM_KEYPOINTS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: Per-joint channels, in the order they appear in a feature vector (17 values each).
JOINT_CHANNELS: tuple[str, ...] = ("x", "y", "vx", "vy", "conf", "mask")
#: Whole-body channels appended after the per-joint ones.
BODY_CHANNELS: tuple[str, ...] = ("centre_vx", "centre_vy")
FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"{c}_{k}" for c in JOINT_CHANNELS for k in KEYPOINT_NAMES) + BODY_CHANNELS
)
NUM_FEATURES = len(FEATURE_NAMES)

_POS_CLIP = 4.0  # torso lengths
_VEL_CLIP = 10.0  # torso lengths per second


@dataclass(frozen=True, slots=True)
class Windows:
    """Feature windows of one track.

    Attributes:
        features: (n, steps, NUM_FEATURES) float32; zeros for invalid windows.
        valid: (n,) whether each window had enough of a body to normalise.
        ends: (n,) window end times (seconds).
    """

    features: F32
    valid: Bools
    ends: F64


def _finite_median(values: F64, axis: int) -> F64:
    """Median of the finite values along ``axis`` (NaN where there are none).

    Same result as ``np.nanmedian``, many times faster on small arrays.
    """
    v = np.moveaxis(np.asarray(values, np.float64), axis, -1)
    ordered = np.sort(np.where(np.isfinite(v), v, np.inf), axis=-1)
    count = np.isfinite(v).sum(axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(count // 2, 0)[..., None], -1)[..., 0]
    return np.where(count > 0, (lo + hi) / 2.0, np.nan)


def resample(
    timestamps: F64,
    keypoints: F32,
    query: F64,
    cfg: FeatureConfig,
    horizon: F64 | None = None,
) -> tuple[F64, F64, Bools]:
    """Keypoints at arbitrary query times, joint by joint.

    A joint is present at a query time when the sightings around it are at most
    ``cfg.max_gap_s`` apart (x, y and confidence are then linearly interpolated), or when
    a confident sighting lies within ``cfg.hold_s`` of it (its values are then used).

    Args:
        timestamps: (T,) strictly increasing seconds.
        keypoints: (T, 17, 3) x, y, confidence in pixels.
        query: (Q,) seconds.
        horizon: (Q,) the latest time each query may see (its window's end): frames
            after it do not exist yet online, so training must not see them either.

    Returns:
        xy (Q, 17, 2), confidence (Q, 17), present (Q, 17); zero where not present.
    """
    q = np.asarray(query, np.float64)
    t = np.asarray(timestamps, np.float64)
    kps = np.asarray(keypoints, np.float64)
    n = len(t)
    if n == 0:
        zeros = np.zeros((len(q), NUM_KEYPOINTS), np.float64)
        return np.zeros((len(q), NUM_KEYPOINTS, 2)), zeros, zeros.astype(bool)
    seen = np.isfinite(kps).all(-1) & (kps[..., 2] >= cfg.min_conf)  # (T, 17)
    frame = np.arange(n)[:, None]
    last_seen = np.maximum.accumulate(np.where(seen, frame, -1), axis=0)  # at or before
    next_seen = np.minimum.accumulate(np.where(seen, frame, n)[::-1], axis=0)[::-1]  # at/after
    i = np.searchsorted(t, q, side="right")  # t[i - 1] <= q < t[i]
    prev = np.where((i > 0)[:, None], last_seen[np.clip(i - 1, 0, n - 1)], -1)  # (Q, 17)
    nxt = np.where((i < n)[:, None], next_seen[np.clip(i, 0, n - 1)], n)
    t_prev = np.where(prev >= 0, t[np.clip(prev, 0, n - 1)], -np.inf)
    t_next = np.where(nxt < n, t[np.clip(nxt, 0, n - 1)], np.inf)
    if horizon is not None:
        future = t_next > np.asarray(horizon, np.float64)[:, None]
        nxt, t_next = np.where(future, n, nxt), np.where(future, np.inf, t_next)
    d_prev, d_next = q[:, None] - t_prev, t_next - q[:, None]
    bridged = d_prev + d_next <= cfg.max_gap_s  # interpolate between the two sightings
    present = bridged | (np.minimum(d_prev, d_next) <= cfg.hold_s)  # else hold the nearest
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(bridged, d_prev / (t_next - t_prev), (d_next < d_prev).astype(np.float64))
    joint = np.arange(NUM_KEYPOINTS)
    a = np.nan_to_num(kps[np.clip(prev, 0, n - 1), joint])  # (Q, 17, 3)
    b = np.nan_to_num(kps[np.clip(nxt, 0, n - 1), joint])
    value = a * (1.0 - w[..., None]) + b * w[..., None]
    value = np.where(present[..., None], value, 0.0)
    return value[..., :2], value[..., 2], present


def _mid(xy: F64, present: Bools, a: int, b: int) -> tuple[F64, Bools]:
    ok: Bools = np.logical_and(present[..., a], present[..., b])
    return (xy[..., a, :] + xy[..., b, :]) / 2.0, ok


#: Typical length of body segments in torso lengths (mid-shoulder to mid-hip).
_SHOULDER_WIDTH = 0.75
_UPPER_ARM = 0.6


def _upper_body_scale(xy: F64, present: Bools) -> F64:
    """(n,) torso length estimated from shoulder width and upper arms, for windows where the
    hips are never seen; the largest estimate per step (foreshortening only shrinks them),
    median over the window."""
    estimates = [
        _segment(xy, present, KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER) / _SHOULDER_WIDTH,
        _segment(xy, present, KP.LEFT_SHOULDER, KP.LEFT_ELBOW) / _UPPER_ARM,
        _segment(xy, present, KP.RIGHT_SHOULDER, KP.RIGHT_ELBOW) / _UPPER_ARM,
    ]
    stacked = np.stack(estimates, axis=-1)
    seen = np.isfinite(stacked).any(axis=-1)
    best = np.where(seen, np.where(np.isfinite(stacked), stacked, -1.0).max(axis=-1), np.nan)
    return _finite_median(best, axis=1)


#: Head segments in torso lengths, and the drop from the head's centre to the mid-hip.
_HEAD_SEGMENTS = ((KP.LEFT_EAR, KP.RIGHT_EAR, 0.29), (KP.LEFT_EYE, KP.RIGHT_EYE, 0.125),
                  (KP.NOSE, KP.LEFT_EAR, 0.19), (KP.NOSE, KP.RIGHT_EAR, 0.19))
_HEAD_TO_HIP = 1.45
_HEAD = (KP.NOSE, KP.LEFT_EYE, KP.RIGHT_EYE, KP.LEFT_EAR, KP.RIGHT_EAR)


def _head_body(xy: F64, present: Bools) -> tuple[F64, F64, Bools]:
    """Torso length (n,) from head segments (largest per step, median over the window),
    the body centre (n, steps, 2) one head-to-hip drop below the head's centre, and
    where a head is seen (n, steps)."""
    estimates = np.stack([_segment(xy, present, a, b) / r for a, b, r in _HEAD_SEGMENTS], -1)
    seen = np.isfinite(estimates).any(axis=-1)
    best = np.where(seen, np.where(np.isfinite(estimates), estimates, -1.0).max(axis=-1), np.nan)
    torso = _finite_median(best, axis=1)
    head = present[..., _HEAD]
    count = head.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (xy[..., _HEAD, :] * head[..., None]).sum(axis=-2) / count[..., None]
    centre = mean + np.stack([0.0 * torso, _HEAD_TO_HIP * torso], -1)[:, None, :]
    return torso, centre, (count > 0) & np.isfinite(torso)[:, None]


def _segment(xy: F64, present: Bools, a: int, b: int) -> F64:
    """Pixel length of a body segment per step (NaN where an end is missing)."""
    ok = present[..., a] & present[..., b]
    return np.where(ok, np.linalg.norm(xy[..., a, :] - xy[..., b, :], axis=-1), np.nan)


def normalize(xy: F64, conf: F64, present: Bools, cfg: FeatureConfig) -> tuple[F32, Bools]:
    """Body-normalised features of resampled windows.

    Args:
        xy: (n, steps, 17, 2) pixels; conf, present: (n, steps, 17).

    Returns:
        features (n, steps, NUM_FEATURES) float32 and valid (n,).
    """
    mid_hip, hips_ok = _mid(xy, present, KP.LEFT_HIP, KP.RIGHT_HIP)
    mid_sh, sh_ok = _mid(xy, present, KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER)
    torso_vec = np.where((hips_ok & sh_ok)[..., None], mid_hip - mid_sh, np.nan)
    torso = _finite_median(np.linalg.norm(torso_vec, axis=-1), axis=1)  # (n,)
    no_torso = ~np.isfinite(torso)
    torso = np.where(no_torso, _upper_body_scale(xy, present), torso)
    # Hips never seen with the shoulders (e.g. hidden by a shelf): body centre straight
    # below the mid-shoulder, one torso length down.
    offset = _finite_median(torso_vec, axis=1)  # (n, 2)
    offset = np.where(no_torso[:, None], np.stack([0.0 * torso, torso], axis=-1), offset)
    centre = np.where(hips_ok[..., None], mid_hip, mid_sh + np.nan_to_num(offset)[:, None])
    centre_ok = hips_ok | (sh_ok & np.isfinite(torso)[:, None])
    need = ~np.isfinite(torso) | (centre_ok.mean(axis=1) < cfg.min_valid_fraction)
    if cfg.head_fallback and need.any():  # no usable torso: place and scale from the head
        head_torso, head_centre, head_ok = _head_body(xy[need], present[need])
        use = np.isfinite(head_torso)
        idx = np.flatnonzero(need)[use]
        torso, centre, centre_ok = torso.copy(), centre.copy(), centre_ok.copy()
        torso[idx] = head_torso[use]
        centre[idx] = np.nan_to_num(head_centre[use])
        centre_ok[idx] = head_ok[use]
    valid = (
        np.isfinite(torso)
        & (np.nan_to_num(torso) > 1e-3)
        & (centre_ok.mean(axis=1) >= cfg.min_valid_fraction)
    )
    scale = np.where(valid, np.nan_to_num(torso, nan=1.0), 1.0)[:, None, None, None]

    mask = present & centre_ok[..., None] & valid[:, None, None]
    rel = np.clip((xy - centre[..., None, :]) / scale, -_POS_CLIP, _POS_CLIP)
    rel = np.where(mask[..., None], rel, 0.0)
    vel = np.zeros_like(rel)
    both = mask[:, 1:] & mask[:, :-1]
    vel[:, 1:] = np.where(both[..., None], np.diff(rel, axis=1) * cfg.rate_hz, 0.0)
    vel = np.clip(vel, -_VEL_CLIP, _VEL_CLIP)

    body_ok = centre_ok & valid[:, None]
    cvel = np.zeros(centre.shape, np.float64)
    cboth = body_ok[:, 1:] & body_ok[:, :-1]
    cvel[:, 1:] = np.where(cboth[..., None], np.diff(centre, axis=1) * cfg.rate_hz, 0.0)
    cvel = np.clip(cvel / scale[..., 0], -_VEL_CLIP, _VEL_CLIP)

    features = np.concatenate(
        [rel[..., 0], rel[..., 1], vel[..., 0], vel[..., 1], np.where(mask, conf, 0.0), mask, cvel],
        axis=-1,
    )
    return features.astype(np.float32), valid


def window_grid(ends: F64, cfg: FeatureConfig) -> F64:
    """(n, steps) sample times of windows ending at ``ends``, oldest first."""
    offsets = (np.arange(cfg.steps) - (cfg.steps - 1)) / cfg.rate_hz
    return np.asarray(ends, np.float64)[:, None] + offsets[None, :]


def extract_windows(
    timestamps: npt.ArrayLike, keypoints: npt.ArrayLike, ends: npt.ArrayLike, cfg: FeatureConfig
) -> Windows:
    """Feature windows of one track ending at each time in ``ends``.

    Args:
        timestamps: (T,) strictly increasing seconds.
        keypoints: (T, 17, 3) x, y (pixels), confidence; non-finite values count as missing.
        ends: (n,) window end times; steps before the track starts are missing. A
            window only sees frames up to its end, as the online scorer does.
    """
    ends_a = np.atleast_1d(np.asarray(ends, np.float64))
    t = np.asarray(timestamps, np.float64)
    kps = np.asarray(keypoints, np.float32)
    if len(ends_a) == 0 or len(t) == 0:
        feats = np.zeros((len(ends_a), cfg.steps, NUM_FEATURES), np.float32)
        return Windows(feats, np.zeros(len(ends_a), bool), ends_a)
    grid = window_grid(ends_a, cfg)
    horizon = np.repeat(ends_a, cfg.steps)
    xy, conf, present = resample(t, kps, grid.ravel(), cfg, horizon)
    shape = (*grid.shape, NUM_KEYPOINTS)
    features, valid = normalize(
        xy.reshape(*shape, 2), conf.reshape(shape), present.reshape(shape), cfg
    )
    return Windows(features, valid, ends_a)


def window_ends(timestamps: npt.ArrayLike, stride_s: float, min_history_s: float) -> F64:
    """Frame times at which a track is scored: every ``stride_s`` after ``min_history_s``."""
    t = np.asarray(timestamps, np.float64)
    ends: list[float] = []
    due = t[0] + min_history_s if len(t) else 0.0
    for ti in t:
        if ti >= due - 1e-9:
            ends.append(float(ti))
            due = ti + stride_s
    return np.asarray(ends, np.float64)


def flip_index() -> tuple[npt.NDArray[np.int64], F32]:
    """Index and sign that mirror a feature vector left-right: ``f[..., index] * sign``.

    Mirroring swaps left and right joints and negates x positions and x velocities.
    """
    n = NUM_KEYPOINTS
    joint_perm = np.arange(n)
    for a, b in FLIP_PAIRS:
        joint_perm[a], joint_perm[b] = b, a
    index = np.arange(NUM_FEATURES)
    sign = np.ones(NUM_FEATURES, np.float32)
    for c, name in enumerate(JOINT_CHANNELS):
        index[c * n : (c + 1) * n] = c * n + joint_perm
        if name in ("x", "vx"):
            sign[c * n : (c + 1) * n] = -1.0
    sign[FEATURE_NAMES.index("centre_vx")] = -1.0
    return index, sign


def flip_features(features: F32) -> F32:
    """Mirror windows (…, NUM_FEATURES) left-right."""
    index, sign = flip_index()
    return np.asarray(features[..., index] * sign, np.float32)
