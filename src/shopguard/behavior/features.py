"""Pose history → fixed-rate, body-normalised feature windows for the sequence model.

Tracks arrive at 5–30 fps with dropped frames; the model sees ``FeatureConfig.rate_hz``
steps over ``FeatureConfig.window_s`` seconds. Training calls ``extract_windows`` and the
online scorer ``extract_track_windows`` (several tracks' windows computed together, each
exactly as ``extract_windows`` computes it: one code path), so the model never sees
features computed any other way.

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

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import FeatureConfig
from shopguard.keypoints import FLIP_INDEX, KEYPOINT_NAMES, KP, NUM_KEYPOINTS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.integer]

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


def _finite_median(values: F64) -> F64:
    """Median of the finite values along the last axis (NaN where there are none).

    Same result as ``np.nanmedian``, many times faster on small arrays.
    """
    finite = np.isfinite(values)
    ordered = np.sort(np.where(finite, values, np.inf), axis=-1)
    count = np.add.reduce(finite, axis=-1)
    m = values.shape[-1]
    flat, c = ordered.reshape(-1), count.reshape(-1)
    row = np.arange(0, len(flat), m)
    lo, hi = flat[row + (c - 1) // 2], flat[row + c // 2]  # lo is junk where c == 0
    return np.where(c > 0, (lo + hi) / 2.0, np.nan).reshape(count.shape)


def _interpolate(
    t: F64,
    poses: Sequence[npt.NDArray[np.floating]],
    query: F64,
    after: Ints,
    horizon: F64 | None,
    cfg: FeatureConfig,
    tracks: tuple[Ints, Ints] | None = None,
) -> tuple[F64, Bools]:
    """``resample`` once the query times are placed among the frames, joint-major.

    Args:
        t: (T,) frame times: of one track, or of several tracks one after the other.
        poses: the frames' keypoints, (T_i, 17, 3) per track.
        after: (Q,) index of the first frame after each query time (``searchsorted``
            right, counted in the concatenated frames).
        horizon: (Q,) the latest frame time each query may see.
        tracks: for several tracks, (Q,) index of the first frame of each query's track
            and of the frame after its last; sightings outside it do not count.

    Returns:
        x, y, confidence (3, 17, Q) and present (17, Q); zero where not present.
    """
    n, k = len(t), NUM_KEYPOINTS
    # Frames by channel and joint, between two empty frames: column 0 stands for "no
    # sighting before", column n + 1 for "no sighting after", and frame f is column f + 1.
    # Kept in the keypoints' own precision (float32 from extract_track_windows): half the
    # memory of float64 for a table of every due track's history; the arithmetic below is
    # float64 all the same.
    table = np.empty((3, k, n + 2), np.result_type(np.float32, *poses))
    table[:, :, 0] = table[:, :, n + 1] = 0.0
    col = 1
    for kps in poses:
        table[:, :, col : col + len(kps)] = kps.transpose(2, 1, 0)
        col += len(kps)
    frames = table[:, :, 1 : n + 1]
    finite = np.isfinite(frames)
    # min_conf as a float64 scalar: float32 confidences are compared in float64.
    seen = finite[0] & finite[1] & finite[2] & (frames[2] >= np.float64(cfg.min_conf))
    # Column of the latest sighting before each frame, and of the earliest at or after it
    # (int64: NumPy's accumulate is several times slower on int32).
    cols = np.arange(1, n + 1)
    before = np.empty((k, n + 1), np.int64)  # by frame; 0: none
    before[:, 0] = 0
    np.maximum.accumulate(seen * cols, axis=1, out=before[:, 1:])
    after_rev = np.empty((k, n + 1), np.int64)  # n + 1 - column, by frame n - index; 0: none
    after_rev[:, 0] = 0
    np.maximum.accumulate(seen[:, ::-1] * cols, axis=1, out=after_rev[:, 1:])
    # Columns of the sightings around each query, (2, 17, Q): before it, and at or after.
    around = np.empty((2, k, len(query)), np.int64)
    np.take(before, after, axis=1, out=around[0])
    np.take(after_rev, n - after, axis=1, out=around[1])
    np.subtract(n + 1, around[1], out=around[1])
    if tracks is not None:  # sightings of another track do not count
        first, stop = tracks
        np.copyto(around[0], 0, where=around[0] <= first)
        np.copyto(around[1], n + 1, where=around[1] > stop)
    t_ext = np.empty(n + 2)
    t_ext[0], t_ext[1 : n + 1], t_ext[n + 1] = -np.inf, t, np.inf
    t_around = t_ext[around]
    t_prev, t_next = t_around[0], t_around[1]
    if horizon is not None:
        future = t_next > horizon
        np.copyto(around[1], n + 1, where=future)
        np.copyto(t_next, np.inf, where=future)
    d_prev, d_next = query - t_prev, t_next - query
    bridged = d_prev + d_next <= cfg.max_gap_s  # interpolate between the two sightings
    present = bridged | (np.minimum(d_prev, d_next) <= cfg.hold_s)  # else hold the nearest
    w = (d_next < d_prev).astype(np.float64)
    np.divide(d_prev, t_next - t_prev, out=w, where=bridged)
    around += (np.arange(k) * (n + 2))[:, None]  # column → index in the flat table
    ab = np.take(table.reshape(3, -1), around, axis=1)  # (3, 2, 17, Q)
    value = ab[:, 0] * (1.0 - w)  # in float64
    value += ab[:, 1] * w
    return np.where(present, value, 0.0), present


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
    if len(t) == 0:
        zeros = np.zeros((len(q), NUM_KEYPOINTS), np.float64)
        return np.zeros((len(q), NUM_KEYPOINTS, 2)), zeros, zeros.astype(bool)
    kps = np.asarray(keypoints, np.float64)
    after = np.searchsorted(t, q, side="right")  # t[after - 1] <= q < t[after]
    h = None if horizon is None else np.asarray(horizon, np.float64)
    value, present = _interpolate(t, [kps], q, after, h, cfg)
    return value[:2].transpose(2, 1, 0), value[2].T, present.T


def _mid(xy: F64, present: Bools, a: int, b: int) -> tuple[F64, Bools]:
    ok: Bools = np.logical_and(present[a], present[b])
    return (xy[:, a] + xy[:, b]) / 2.0, ok


def _length(v: F64) -> F64:
    """Length of (2, …) vectors: ``np.linalg.norm(v, axis=0)``, without its overhead."""
    x, y = v[0], v[1]
    return np.sqrt(x * x + y * y)


def _nan_to_num(v: F64) -> F64:
    """``np.nan_to_num(v)`` (NaN → 0, ±inf → ± the largest float), without its overhead."""
    big = np.finfo(np.float64).max
    return np.where(np.isnan(v), 0.0, np.minimum(np.maximum(v, -big), big))


def _clip_(v: F64, limit: float) -> None:
    """Clip to [-limit, limit] in place."""
    np.maximum(v, -limit, out=v)
    np.minimum(v, limit, out=v)


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
    return _finite_median(_largest(estimates))


def _largest(estimates: list[F64]) -> F64:
    """Largest finite estimate per step (NaN where none is finite)."""
    best: F64 = functools.reduce(np.fmax, estimates)  # lengths: NaN where missing, else >= 0
    if np.isinf(best).any():  # a length overflowed: it counts as missing
        stacked = np.stack(estimates, axis=-1)
        finite = np.isfinite(stacked)
        best = np.where(finite.any(axis=-1), np.where(finite, stacked, -1.0).max(axis=-1), np.nan)
    return best


#: Head segments in torso lengths, and the drop from the head's centre to the mid-hip.
_HEAD_SEGMENTS = ((KP.LEFT_EAR, KP.RIGHT_EAR, 0.29), (KP.LEFT_EYE, KP.RIGHT_EYE, 0.125),
                  (KP.NOSE, KP.LEFT_EAR, 0.19), (KP.NOSE, KP.RIGHT_EAR, 0.19))
_HEAD_TO_HIP = 1.45
_HEAD = [KP.NOSE, KP.LEFT_EYE, KP.RIGHT_EYE, KP.LEFT_EAR, KP.RIGHT_EAR]


def _head_body(xy: F64, present: Bools) -> tuple[F64, F64, Bools]:
    """Torso length (n,) from head segments (largest per step, median over the window),
    the body centre (2, n, steps) one head-to-hip drop below the head's centre, and
    where a head is seen (n, steps)."""
    estimates = [_segment(xy, present, a, b) / r for a, b, r in _HEAD_SEGMENTS]
    torso = _finite_median(_largest(estimates))
    head = present[_HEAD]  # (5, n, steps)
    count = head.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (xy[:, _HEAD] * head).sum(axis=1) / count
    centre = mean + np.stack([0.0 * torso, _HEAD_TO_HIP * torso])[:, :, None]
    return torso, centre, (count > 0) & np.isfinite(torso)[:, None]


def _segment(xy: F64, present: Bools, a: int, b: int) -> F64:
    """Pixel length of a body segment per step (NaN where an end is missing)."""
    ok = present[a] & present[b]
    return np.where(ok, _length(xy[:, a] - xy[:, b]), np.nan)


def normalize(xy: F64, conf: F64, present: Bools, cfg: FeatureConfig) -> tuple[F32, Bools]:
    """Body-normalised features of resampled windows.

    Args:
        xy: (n, steps, 17, 2) pixels; conf, present: (n, steps, 17).

    Returns:
        features (n, steps, NUM_FEATURES) float32 and valid (n,).
    """
    return _normalize(
        np.asarray(xy, np.float64).transpose(3, 2, 0, 1),
        np.asarray(conf, np.float64).transpose(2, 0, 1),
        np.asarray(present, bool).transpose(2, 0, 1),
        cfg,
    )


def _normalize(xy: F64, conf: F64, present: Bools, cfg: FeatureConfig) -> tuple[F32, Bools]:
    """``normalize`` on joint-major arrays: xy (2, 17, n, steps), conf and present
    (17, n, steps). Every window is computed on its own: its features do not depend on
    the other windows in the call."""
    k, n, steps = present.shape
    mid_hip, hips_ok = _mid(xy, present, KP.LEFT_HIP, KP.RIGHT_HIP)  # (2, n, steps), (n, steps)
    mid_sh, sh_ok = _mid(xy, present, KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER)
    # The torso's length and vector per step (NaN without hips and shoulders), and their
    # medians over the window in one pass.
    torso_vec = np.where(hips_ok & sh_ok, mid_hip - mid_sh, np.nan)
    per_step = np.empty((3, n, steps))
    per_step[0], per_step[1:] = _length(torso_vec), torso_vec
    medians = _finite_median(per_step)
    torso, offset = medians[0], medians[1:]  # (n,), (2, n)
    torso_ok = np.isfinite(torso)
    if not torso_ok.all():
        no_torso = ~torso_ok
        torso = torso.copy()
        torso[no_torso] = _upper_body_scale(xy[:, :, no_torso], present[:, no_torso])
        # Hips never seen with the shoulders (e.g. hidden by a shelf): body centre straight
        # below the mid-shoulder, one torso length down.
        offset = np.where(no_torso, np.stack([0.0 * torso, torso]), offset)
        torso_ok = np.isfinite(torso)
    shift = offset if np.isfinite(offset).all() else _nan_to_num(offset)
    centre = np.where(hips_ok, mid_hip, mid_sh + shift[:, :, None])
    centre_ok = hips_ok | (sh_ok & torso_ok[:, None])
    fraction = np.add.reduce(centre_ok, axis=1) / steps  # of steps with a body centre
    usable = torso_ok & (fraction >= cfg.min_valid_fraction)
    if cfg.head_fallback and not usable.all():  # no usable torso: place and scale from the head
        need = ~usable
        head_torso, head_centre, head_ok = _head_body(xy[:, :, need], present[:, need])
        use = np.isfinite(head_torso)
        idx = np.flatnonzero(need)[use]
        torso, centre, centre_ok = torso.copy(), centre.copy(), centre_ok.copy()
        torso[idx] = head_torso[use]
        centre[:, idx] = np.nan_to_num(head_centre[:, use])
        centre_ok[idx] = head_ok[use]
        fraction = np.add.reduce(centre_ok, axis=1) / steps
        usable = np.isfinite(torso) & (fraction >= cfg.min_valid_fraction)
    valid = usable & (torso > 1e-3)
    scale = np.where(valid, torso, 1.0)[:, None]  # (n, 1)

    body_ok = centre_ok & valid[:, None]
    mask = present & body_ok  # (17, n, steps)
    # In place (the same arithmetic with fewer large temporaries).
    rel = xy - centre[:, None]
    rel /= scale
    _clip_(rel, _POS_CLIP)
    np.copyto(rel, 0.0, where=~mask)
    vel = np.empty_like(rel)
    vel[..., 0] = 0.0
    np.subtract(rel[..., 1:], rel[..., :-1], out=vel[..., 1:])
    vel[..., 1:] *= cfg.rate_hz
    np.copyto(vel[..., 1:], 0.0, where=~(mask[..., 1:] & mask[..., :-1]))
    _clip_(vel, _VEL_CLIP)

    cvel = np.zeros(centre.shape, np.float64)
    cboth = body_ok[:, 1:] & body_ok[:, :-1]
    cvel[..., 1:] = np.where(cboth, (centre[..., 1:] - centre[..., :-1]) * cfg.rate_hz, 0.0)
    cvel /= scale
    _clip_(cvel, _VEL_CLIP)

    features = np.empty((n, steps, NUM_FEATURES), np.float32)
    joints = features[..., : len(JOINT_CHANNELS) * k].reshape(n, steps, len(JOINT_CHANNELS), k)
    joints[:, :, 0:2] = rel.transpose(2, 3, 0, 1)
    joints[:, :, 2:4] = vel.transpose(2, 3, 0, 1)
    joints[:, :, 4] = np.where(mask, conf, 0.0).transpose(1, 2, 0)
    joints[:, :, 5] = mask.transpose(1, 2, 0)
    features[..., len(JOINT_CHANNELS) * k :] = cvel.transpose(1, 2, 0)
    return features, valid


def window_grid(ends: F64, cfg: FeatureConfig) -> F64:
    """(n, steps) sample times of windows ending at ``ends``, oldest first."""
    return np.asarray(ends, np.float64)[:, None] + _step_offsets(cfg.steps, cfg.rate_hz)


Track = tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]
"""One track's ``(timestamps, keypoints, ends)``, as ``extract_windows`` takes them."""


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
    return extract_track_windows([(timestamps, keypoints, ends)], cfg)


#: Windows computed together at most (a track's windows are never split): bounds the
#: temporaries when many tracks are due in one frame. On the shared 2-core machine one
#: pass of 16 windows cost about 0.1 ms per window against 0.3 ms for a pass of one, and
#: four passes of 4 cost more than one of 16 in the scorer's process. In a process whose C
#: library returns freed memory to the OS after every call (a fresh one that never freed
#: a large block), page faults doubled the cost of a 16-window pass (passes of 4 had none).
PASS_WINDOWS = 32


def extract_track_windows(tracks: Sequence[Track], cfg: FeatureConfig) -> Windows:
    """Feature windows of several tracks: the windows ``extract_windows`` gives for each
    ``(timestamps, keypoints, ends)`` in turn, computed together in passes of up to
    ``PASS_WINDOWS`` windows (the online scorer's frame of due tracks costs a few
    tracks' NumPy calls, not one track's each)."""
    groups: list[list[Track]] = [[]]
    size = 0
    for track in tracks:
        n = np.size(track[2])
        if groups[-1] and size + n > PASS_WINDOWS:
            groups.append([])
            size = 0
        groups[-1].append(track)
        size += n
    if len(groups) == 1:
        return _extract_pass(groups[0], cfg)
    parts = [_extract_pass(group, cfg) for group in groups]
    return Windows(
        np.concatenate([w.features for w in parts]),
        np.concatenate([w.valid for w in parts]),
        np.concatenate([w.ends for w in parts]),
    )


def _extract_pass(tracks: Sequence[Track], cfg: FeatureConfig) -> Windows:
    """``extract_track_windows`` in one pass."""
    if not tracks:
        return Windows(np.zeros((0, cfg.steps, NUM_FEATURES), np.float32), np.zeros(0, bool),
                       np.zeros(0))
    times, poses, ends_list = [], [], []
    for timestamps, keypoints, ends in tracks:
        ends_list.append(np.atleast_1d(np.asarray(ends, np.float64)))
        times.append(np.asarray(timestamps, np.float64))
        poses.append(np.asarray(keypoints, np.float32) if len(times[-1]) else _NO_FRAMES)
    ends_a = ends_list[0] if len(ends_list) == 1 else np.concatenate(ends_list)
    if len(ends_a) == 0 or not any(len(t) for t in times):
        feats = np.zeros((len(ends_a), cfg.steps, NUM_FEATURES), np.float32)
        return Windows(feats, np.zeros(len(ends_a), bool), ends_a)
    grid = ends_a[:, None] + _step_offsets(cfg.steps, cfg.rate_hz)
    query = grid.ravel()
    bounds: tuple[Ints, Ints] | None = None
    if len(times) == 1:
        t = times[0]
        after = np.searchsorted(t, query, side="right")
    else:
        t = np.concatenate(times)
        starts = np.cumsum([0] + [len(x) for x in times])
        per_window = [len(e) * cfg.steps for e in ends_list]
        pieces, q0 = [], 0
        for x, start, count in zip(times, starts[:-1].tolist(), per_window, strict=True):
            pieces.append(np.searchsorted(x, query[q0 : q0 + count], side="right") + start)
            q0 += count
        after = np.concatenate(pieces)
        # Columns of the interpolation table (frame + 1) that each query's track spans.
        bounds = (np.repeat(starts[:-1], per_window), np.repeat(starts[1:], per_window))
    # Frames after a window's end (training sees whole clips) must not count; the online
    # scorer holds none, which spares the check.
    horizon = np.repeat(ends_a, cfg.steps) if t.max() > ends_a.min() else None
    value, present = _interpolate(t, poses, query, after, horizon, cfg, bounds)
    shape = (NUM_KEYPOINTS, *grid.shape)
    features, valid = _normalize(
        value[:2].reshape(2, *shape), value[2].reshape(shape), present.reshape(shape), cfg
    )
    return Windows(features, valid, ends_a)


_NO_FRAMES = np.zeros((0, NUM_KEYPOINTS, 3), np.float32)


@functools.lru_cache(maxsize=8)
def _step_offsets(steps: int, rate_hz: float) -> F64:
    """Sample times of a window relative to its end (read-only, shared)."""
    offsets = (np.arange(steps) - (steps - 1)) / rate_hz
    offsets.flags.writeable = False
    return offsets


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
    joint_perm = np.array(FLIP_INDEX)
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
