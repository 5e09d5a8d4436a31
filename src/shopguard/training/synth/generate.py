"""Synthetic datasets: single-shopper training clips, fixed splits and full store scenes.

Everything is deterministic for a given seed: clip ``i`` of ``generate_clips(seed, n)``
depends only on ``(seed, i)``.

Example:
    >>> clips = generate_clips(seed=1, n=4, theft_fraction=0.5)
    >>> len(clips), clips[0].meta["source"]
    (4, 'synthetic')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np

from shopguard.training.clip import PoseClip
from shopguard.training.synth import behaviors as bh
from shopguard.training.synth.behaviors import Stop
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.kinematics import timeline_joints
from shopguard.training.synth.motion import spans_mask
from shopguard.training.synth.observe import (
    CLASSIC_NOISE,
    NoiseProfile,
    Truth,
    degrade,
    project_truth,
)
from shopguard.training.synth.planner import Role, Visit, plan_visit
from shopguard.training.synth.scene import Appearance, Scene, ShopperTrack, Store
from shopguard.training.synth.skeleton import Array

#: Base seeds of the fixed splits (different, so no clip is shared).
SPLIT_SEEDS: dict[str, int] = {"train": 20_250_101, "val": 20_250_202, "test": 20_250_303}
#: What a hand can show, indexed by ``ShopperTrack.held``.
HELD_KINDS: tuple[str, ...] = (*bh.ITEM_KINDS, "phone", "wallet")
FRAME_SIZES: tuple[tuple[int, int], ...] = (
    (640, 480),
    (704, 576),
    (960, 540),
    (1280, 720),
    (1920, 1080),
)
FPS_CHOICES: tuple[float, ...] = (5.0, 7.5, 10.0, 12.5, 15.0, 20.0, 25.0, 30.0)
MIN_VISIBLE_KEYPOINTS = 4
#: Share of thieves among generated clips unless told otherwise (the fixed splits).
DEFAULT_THEFT_FRACTION = 0.3


def generate_clips(
    seed: int,
    n: int,
    *,
    theft_fraction: float = DEFAULT_THEFT_FRACTION,
    id_switch_rate: float = 0.04,
    fragment_rate: float = 0.05,
    max_duration: float = 60.0,
    noise: NoiseProfile = CLASSIC_NOISE,
) -> list[PoseClip]:
    """``n`` single-track clips, ``round(n * theft_fraction)`` of them from thieves.

    Each clip is one shopper's visit seen by a random camera (height 2.2–4.5 m, person
    60–600 px tall, 5–30 fps) with pose-model-like noise, dropped joints and frames; a
    few tracks switch identity to a passer-by or break into two clips. ``noise`` scales
    the keypoint noise per joint (:data:`NOISE_PROFILES`).
    """
    return list(
        iter_clips(
            seed,
            n,
            theft_fraction=theft_fraction,
            id_switch_rate=id_switch_rate,
            fragment_rate=fragment_rate,
            max_duration=max_duration,
            noise=noise,
        )
    )


def iter_clips(
    seed: int,
    n: int,
    *,
    theft_fraction: float = DEFAULT_THEFT_FRACTION,
    id_switch_rate: float = 0.04,
    fragment_rate: float = 0.05,
    max_duration: float = 60.0,
    noise: NoiseProfile = CLASSIC_NOISE,
) -> Iterator[PoseClip]:
    """The clips of :func:`generate_clips`, one at a time (for progress bars)."""
    if not 0.0 <= theft_fraction <= 1.0:
        raise ValueError(f"theft_fraction must be in [0, 1], got {theft_fraction}")
    order = np.random.default_rng([seed, 0]).permutation(n)
    thief = np.zeros(n, dtype=bool)
    thief[order[: round(n * theft_fraction)]] = True
    produced = 0
    for i in range(n):
        for clip in _clip_for(seed, i, bool(thief[i]), id_switch_rate, fragment_rate,
                              max_duration, noise):
            if produced == n:
                return
            produced += 1
            yield clip


def generate_split(name: Literal["train", "val", "test"], n: int) -> list[PoseClip]:
    """The fixed ``train`` / ``val`` / ``test`` split (30 % thieves), ``n`` clips."""
    return generate_clips(split_seed(name), n)


def split_seed(name: str) -> int:
    """Base seed of a named split; ``ValueError`` for an unknown name."""
    if name not in SPLIT_SEEDS:
        raise ValueError(f"unknown split {name!r}; expected one of {sorted(SPLIT_SEEDS)}")
    return SPLIT_SEEDS[name]


def _frame_times(rng: np.random.Generator, t0: float, t1: float, fps: float) -> Array:
    t = np.arange(t0, t1, 1.0 / fps)
    return np.asarray(t + rng.normal(0, 0.05 / fps, len(t)))


def _clip_camera(rng: np.random.Generator, visit: Visit) -> Camera:
    """A camera aimed at the visit's focus stop from a random side, distance and height."""
    stop = visit.focus
    w, h = FRAME_SIZES[int(rng.integers(len(FRAME_SIZES)))]
    fwd = np.array([np.cos(stop.heading), np.sin(stop.heading)])
    target = np.array([stop.x, stop.y]) + fwd * 0.2 + rng.normal(0, 0.3, 2)
    az = rng.uniform(-np.pi, np.pi)
    dist = rng.uniform(1.5, 12.0)
    cam_h = rng.uniform(2.2, 4.5)
    pos = (*(target + dist * np.array([np.cos(az), np.sin(az)])), cam_h)
    aim = (*target, rng.uniform(0.6, 1.2))
    r = float(np.linalg.norm(np.subtract(pos, aim)))
    h_px = min(np.exp(rng.uniform(np.log(60), np.log(600))), 0.8 * h)
    focal = np.clip(
        h_px * r / visit.actor.body.height,
        w / 2 / np.tan(np.radians(60)),
        w / 2 / np.tan(np.radians(10)),
    )
    hfov = float(np.degrees(2 * np.arctan(w / 2 / focal)))
    return Camera.look_at(pos, aim, hfov, w, h)


def _runs(mask: np.ndarray, times: Array, max_gap: float) -> list[tuple[int, int]]:
    """Index ranges [a, b) of True frames, joining gaps shorter than ``max_gap`` seconds."""
    idx = np.nonzero(mask)[0]
    if len(idx) == 0:
        return []
    breaks = np.nonzero(np.diff(times[idx]) > max_gap)[0]
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]] + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _observe(
    visit: Visit, camera: Camera, store: Store, times: Array, rng: np.random.Generator
) -> tuple[Array, Truth]:
    joints = timeline_joints(visit.actor.body, visit.timeline, times, rng)
    return joints, project_truth(camera, store, joints, visit.actor.body.height)


def _visible(truth: Truth) -> np.ndarray:
    return np.asarray((truth.keypoints[..., 2] > 0).sum(1) >= MIN_VISIBLE_KEYPOINTS)


def _clip_for(
    seed: int, i: int, thief: bool, id_switch_rate: float, fragment_rate: float,
    max_duration: float, noise: NoiseProfile,
) -> list[PoseClip]:
    """One visit observed as one clip (or two, if the track fragments)."""
    for attempt in range(20):
        rng = np.random.default_rng([seed, i, attempt])
        clips = _try_clip(rng, seed, i, thief, id_switch_rate, fragment_rate, max_duration, noise)
        if clips:
            return clips
    raise RuntimeError(f"could not generate a visible clip for seed {seed}, index {i}")


def _try_clip(
    rng: np.random.Generator,
    seed: int,
    i: int,
    thief: bool,
    id_switch_rate: float,
    fragment_rate: float,
    max_duration: float,
    noise: NoiseProfile,
) -> list[PoseClip]:
    store = Store.sample(rng)
    role: Role = "thief" if thief else ("buyer" if rng.random() < 0.6 else "browser")
    visit = plan_visit(store, rng, role, max_stops=3)
    camera = _clip_camera(rng, visit)
    fps = float(rng.choice(FPS_CHOICES))
    times = _frame_times(rng, visit.t_enter, visit.t_exit, fps)
    joints, truth = _observe(visit, camera, store, times, rng)
    key_t = visit.timeline.labels[0][0] if visit.timeline.labels else visit.focus_time + 2.0
    runs = [
        r for r in _runs(_visible(truth), times, 1.0) if times[r[0]] <= key_t <= times[r[1] - 1]
    ]
    if not runs:
        return []
    a, b = runs[0]
    lo = max(times[a], key_t - rng.uniform(5.0, max_duration - 10.0))
    keep = np.nonzero(_visible(truth) & (times >= lo) & (times <= lo + max_duration))[0]
    keep = keep[keep < b]
    kps, boxes, quality = degrade(camera, joints, truth, rng, noise)
    labels = spans_mask(visit.timeline.labels, times).astype(np.uint8)
    switch_t = None
    if rng.random() < id_switch_rate:
        kps, boxes, labels, keep, switch_t = _switch_identity(
            rng, store, camera, times, keep, (kps, boxes, labels), noise
        )
    keep = _drop_frames(rng, keep)
    if len(keep) < 8:
        return []
    meta = {
        "clip_id": f"syn-{seed}-{i:05d}",
        "camera": camera.meta(),
        "fps": fps,
        "source": "synthetic",
        "frame_size": [camera.width, camera.height],
        "zones": store.zones(camera),
        "behavior": f"theft:{visit.conceal_method}" if thief else role,
        "role": role,
        "conceal_method": visit.conceal_method,
        "handedness": visit.actor.hand,
        "person_height_px": round(float(np.median(truth.height_px[keep])), 1),
        "quality": quality,
        "noise_profile": noise.name,
        "seed": seed,
        "index": i,
        "id_switch_t": switch_t,
    }
    t0 = float(times[keep[0]])
    parts = [keep]
    if rng.random() < fragment_rate and len(keep) > 40:
        k = int(rng.integers(len(keep) // 4, 3 * len(keep) // 4))
        parts = [keep[:k], keep[k + int(rng.integers(2, 15)) :]]
    out = []
    for n, part in enumerate(parts):
        m = dict(meta)
        if len(parts) > 1:
            m["clip_id"] = f"{meta['clip_id']}{'ab'[n]}"
            m["fragment"] = "ab"[n]
        m["segments"] = _segments(visit, float(times[part[0]]), float(times[part[-1]]), t0)
        out.append(PoseClip(kps[part], boxes[part], times[part] - t0, labels[part], m))
    return out


def _segments(visit: Visit, start: float, end: float, t0: float) -> list[dict[str, Any]]:
    """Behaviour segments overlapping [start, end], on the clip's clock (origin ``t0``)."""
    return [
        {
            **s,
            "t_start": round(float(s["t_start"]) - t0, 3),
            "t_end": round(float(s["t_end"]) - t0, 3),
        }
        for s in visit.timeline.segments
        if float(s["t_end"]) >= start and float(s["t_start"]) <= end
    ]


def _switch_identity(
    rng: np.random.Generator,
    store: Store,
    camera: Camera,
    times: Array,
    keep: np.ndarray,
    track: tuple[np.ndarray, np.ndarray, np.ndarray],
    noise: NoiseProfile,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float | None]:
    """Let the track continue as a passer-by for a while (tracker identity switch)."""
    kps, boxes, labels = track
    t_lo, t_hi = float(times[keep[0]]), float(times[keep[-1]])
    other = plan_visit(store, rng, "browser", t_enter=rng.uniform(t_lo - 40, t_hi - 10))
    joints, truth = _observe(other, camera, store, times, rng)
    cand = keep[len(keep) // 3 :][_visible(truth)[keep[len(keep) // 3 :]]]
    if len(cand) == 0:
        return kps, boxes, labels, keep, None
    k = int(cand[int(rng.integers(len(cand)))])
    kps2, boxes2, _ = degrade(camera, joints, truth, rng, noise)
    after = (times > times[k]) & (times < times[k] + rng.uniform(2.0, 15.0)) & _visible(truth)
    kps, boxes, labels = kps.copy(), boxes.copy(), labels.copy()
    kps[after], boxes[after] = kps2[after], boxes2[after]
    labels[after] = spans_mask(other.timeline.labels, times)[after]
    new_keep = np.union1d(keep[keep <= k], np.nonzero(after)[0])
    return kps, boxes, labels, new_keep, float(times[k] - times[keep[0]])


def _drop_frames(rng: np.random.Generator, keep: np.ndarray) -> np.ndarray:
    """Randomly drop frames (a few percent, sometimes a short burst)."""
    mask = rng.random(len(keep)) >= rng.uniform(0.0, 0.05)
    if rng.random() < 0.3 and len(keep) > 20:
        s = int(rng.integers(len(keep) - 5))
        mask[s : s + int(rng.integers(1, 6))] = False
    return np.asarray(keep[mask])


# -- scenes --------------------------------------------------------------------------


def _scene_camera(rng: np.random.Generator, store: Store, frame_size: tuple[int, int]) -> Camera:
    """A camera high in a back corner looking down the aisles towards the door and counter."""
    pos = (store.width - 0.4, store.depth - 0.4, rng.uniform(2.9, 3.2))
    aim = (store.door_x + rng.uniform(1.5, 2.5), store.depth * rng.uniform(0.25, 0.32), 0.0)
    return Camera.look_at(pos, aim, rng.uniform(72, 78), *frame_size)


def _held(visit: Visit, times: Array) -> np.ndarray:
    held = np.full((len(times), 2), -1, np.int8)
    for col, side in enumerate(("left", "right")):
        for start, end, kind in visit.timeline.items[side]:
            held[(times >= start) & (times <= end), col] = HELD_KINDS.index(kind)
    return held


def _basket(visit: Visit, times: Array) -> np.ndarray:
    out = np.full(len(times), -1, np.int8)
    for start, end, side in visit.timeline.basket:
        out[(times >= start) & (times <= end)] = 0 if side == "left" else 1
    return out


def generate_scene(
    seed: int,
    *,
    duration: float = 60.0,
    fps: float = 15.0,
    frame_size: tuple[int, int] = (1280, 720),
    n_shoppers: int | None = None,
    n_thieves: int | None = None,
) -> Scene:
    """A store scene with several shoppers for the video renderer.

    Shoppers arrive between 40 s before the start and 15 s before the end (some are
    already inside at t = 0); by default about one in four is a thief.
    """
    rng = np.random.default_rng([seed, 7919])
    store = Store.sample(rng, width=(8.0, 9.5), depth=(7.0, 8.5), shelf_height=(1.3, 1.6))
    camera = _scene_camera(rng, store, frame_size)
    times = np.arange(0.0, duration, 1.0 / fps)
    n = n_shoppers if n_shoppers is not None else max(3, round(duration / 10))
    k = n_thieves if n_thieves is not None else max(1, round(n / 4))
    others: list[Role] = ["buyer" if rng.random() < 0.6 else "browser" for _ in range(n - k)]
    thieves: list[Role] = ["thief"] * k
    roles = thieves + others
    roles = [roles[i] for i in rng.permutation(n)]
    arrivals = rng.uniform(-40.0, max(duration - 15.0, 1.0), n)

    def in_view(stop: Stop) -> bool:
        """Whether a shopper standing at ``stop`` is whole in the picture, ≥ 3.5 m away."""
        pts = np.array([[stop.x, stop.y, z] for z in (0.0, 1.9)])
        uv, depth = camera.project(pts)
        w, h = camera.width, camera.height
        return bool(
            np.all(depth > 3.5)
            and np.all((uv > [0.05 * w, 0.05 * h]) & (uv < [0.95 * w, 0.95 * h]))
        )

    shoppers = []
    for sid, (role, t_enter) in enumerate(zip(roles, arrivals, strict=True)):
        visit = plan_visit(store, rng, role, t_enter=float(t_enter), accept=in_view)
        look = Appearance.sample(rng)
        joints, truth = _observe(visit, camera, store, times, rng)
        present = np.asarray(
            (times >= visit.t_enter) & (times <= visit.t_exit) & (joints[:, 0, 1] > -1.0)
        )
        truth.keypoints[~present] = 0
        truth.boxes[~present] = 0
        shoppers.append(
            ShopperTrack(
                shopper_id=sid,
                role=role,
                body=visit.actor.body,
                look=look,
                joints=joints,
                present=present,
                keypoints=truth.keypoints,
                boxes=truth.boxes,
                labels=(spans_mask(visit.timeline.labels, times) & present).astype(np.uint8),
                held=_held(visit, times),
                basket=_basket(visit, times),
                bag=visit.actor.bag,
                segments=visit.timeline.segments,
            )
        )
    return Scene(seed, fps, times, camera, store, store.zones(camera), shoppers)


def scene_clips(scene: Scene, noise: NoiseProfile | None = None) -> list[PoseClip]:
    """A ``PoseClip`` per shopper for the frames where they are visible: the exact
    keypoints (confidence = visibility), or with ``noise`` what a pose model would report
    (``observe.degrade`` under that profile, seeded by the scene and the shopper). Tracks
    of a rendered scene's shoppers without rendering it or running the pose model."""
    clips = []
    for s in scene.shoppers:
        keep = np.nonzero(s.present & ((s.keypoints[..., 2] > 0).sum(1) >= MIN_VISIBLE_KEYPOINTS))[
            0
        ]
        if len(keep) < 2:
            continue
        kps, boxes = s.keypoints, s.boxes
        if noise is not None:
            truth = project_truth(scene.camera, scene.store, s.joints, s.body.height)
            truth.keypoints[~s.present] = 0  # as the scene stored them
            truth.boxes[~s.present] = 0
            rng = np.random.default_rng([scene.seed, s.shopper_id, 104729])
            with np.errstate(invalid="ignore", divide="ignore"):  # frames before/after the visit
                kps, boxes, _ = degrade(scene.camera, s.joints, truth, rng, noise)
        meta = {
            "clip_id": f"scene-{scene.seed}-{s.shopper_id}",
            "camera": scene.camera.meta(),
            "fps": scene.fps,
            "source": "synthetic",
            "frame_size": list(scene.frame_size),
            "zones": scene.zones,
            "behavior": s.role,
            "role": s.role,
            "segments": s.segments,
        }
        if noise is not None:
            meta["noise_profile"] = noise.name
        clips.append(PoseClip(kps[keep], boxes[keep], scene.times[keep], s.labels[keep], meta))
    return clips
