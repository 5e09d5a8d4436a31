"""The static store seen by the scene camera, ray-cast once per scene.

Every pixel's ray is intersected with the floor, ceiling, walls and the store's boxes
(shelves, counter); the nearest hit gives the pixel's depth (used to hide people behind
shelves) and a procedural material: floor tiles, painted walls with the entrance door
open to the street, shelves stocked with products, the checkout counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.core import Image
from shopguard.training.synth.scene import Scene, Store
from shopguard.training.synth.skeleton import Array, IntArray

FAR = 1e4
SHELF_LEVEL = 0.4
PRODUCT_WIDTH = 0.11
PALETTE = np.array(
    [
        [40, 40, 200],
        [30, 140, 230],
        [40, 200, 240],
        [60, 170, 60],
        [180, 120, 30],
        [170, 60, 120],
        [230, 230, 230],
        [50, 90, 150],
        [20, 60, 30],
        [200, 200, 60],
        [90, 40, 160],
        [120, 200, 200],
        [30, 30, 30],
        [160, 160, 220],
    ],
    np.float64,
)


@dataclass(slots=True)
class Background:
    """The empty store: BGR image and per-pixel depth along the camera axis (metres)."""

    image: Image
    depth: npt.NDArray[np.float32]


def _rays(scene: Scene) -> tuple[Array, Array]:
    cam = scene.camera
    v, u = np.mgrid[0 : cam.height, 0 : cam.width].astype(np.float64)
    d_cam = np.stack(
        [
            (u + 0.5 - cam.width / 2) / cam.focal,
            (v + 0.5 - cam.height / 2) / cam.focal,
            np.ones_like(u),
        ],
        -1,
    )
    return d_cam @ cam.axes(), d_cam[..., 2]


def _plane(origin: Array, d: Array, axis: int, value: float) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (value - origin[axis]) / d[..., axis]
    return np.where(t > 1e-6, t, np.inf)


def _boxes(store: Store, origin: Array, d: Array) -> tuple[Array, IntArray, IntArray]:
    """Nearest box hit: distance, box index and hit face axis (0 = x, 1 = y, 2 = z)."""
    best = np.full(d.shape[:-1], np.inf)
    which = np.full(d.shape[:-1], -1, dtype=np.intp)
    face = np.zeros(d.shape[:-1], dtype=np.intp)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / d
        for i, box in enumerate(store.boxes):
            t1 = (np.asarray(box.lo) - origin) * inv
            t2 = (np.asarray(box.hi) - origin) * inv
            near = np.nan_to_num(np.minimum(t1, t2), nan=-np.inf)
            tmin = near.max(-1)
            tmax = np.nan_to_num(np.maximum(t1, t2), nan=np.inf).min(-1)
            hit = (tmax >= tmin) & (tmin > 1e-6) & (tmin < best)
            best[hit], which[hit], face[hit] = tmin[hit], i, near.argmax(-1)[hit]
    return best, which, face


def _hash(*keys: Array) -> Array:
    h = np.zeros_like(keys[0], dtype=np.int64)
    for k in keys:
        h = (h * 1_000_003 + k.astype(np.int64) * 7_919 + 12_345) % 2_147_483_647
    return np.asarray(h)


def _shelf_face(p: Array, axis: Array, box_i: Array, height: Array) -> Array:
    """Stocked shelf texture at hit points on the side faces of shelf units."""
    s = np.where(axis == 0, p[..., 1], p[..., 0])
    z = p[..., 2]
    level = np.floor((z - 0.08) / SHELF_LEVEL)
    local = (z - 0.08) - level * SHELF_LEVEL
    col = np.floor(s / PRODUCT_WIDTH)
    h = _hash(box_i, level, col)
    prod_h = 0.17 + (h % 13) / 13 * 0.18
    color = PALETTE[h % len(PALETTE)] * (0.75 + 0.25 * ((h // 7) % 5) / 4)[..., None]
    edge = np.abs(s / PRODUCT_WIDTH - col - 0.5) > 0.44
    out = np.where(((local < prod_h) & ~edge)[..., None], color, [[55, 55, 60]])
    board = (local < 0.035) | (local > SHELF_LEVEL - 0.01) | (z > height - 0.06) | (z < 0.1)
    return np.asarray(np.where(board[..., None], [[170, 170, 175]], out))


def render_background(scene: Scene, rng: np.random.Generator) -> Background:
    """Ray-cast the empty store for the scene's camera."""
    store, cam = scene.store, scene.camera
    origin = np.asarray(cam.position)
    d, cos_axis = _rays(scene)
    ceiling = max(3.2, origin[2] + 0.3)
    cands = {
        "floor": _plane(origin, d, 2, 0.0),
        "ceiling": _plane(origin, d, 2, ceiling),
        "left": _plane(origin, d, 0, -0.2),
        "right": _plane(origin, d, 0, store.width + 0.2),
        "front": _plane(origin, d, 1, -0.15),
        "back": _plane(origin, d, 1, store.depth),
    }
    box_t, box_i, box_face = _boxes(store, origin, d)
    names = list(cands)
    stack = np.stack([*cands.values(), box_t], 0)
    kind = stack.argmin(0)
    t = stack.min(0)
    p = origin + d * t[..., None]
    img = np.zeros((*t.shape, 3))
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    tiles = (np.floor(x / 0.6) + np.floor(y / 0.6)) % 2
    floor = np.where(tiles[..., None] > 0, [[178, 182, 186]], [[196, 200, 203]])
    grout = (np.abs(x / 0.6 - np.round(x / 0.6)) < 0.02) | (
        np.abs(y / 0.6 - np.round(y / 0.6)) < 0.02
    )
    floor = np.where(grout[..., None], [[150, 150, 150]], floor)
    img[kind == names.index("floor")] = floor[kind == names.index("floor")]
    img[kind == names.index("ceiling")] = [235, 235, 232]
    wall_color = np.array(rng.choice([[205, 220, 230], [215, 215, 200], [200, 210, 200]]))
    for name in ("left", "right", "front", "back"):
        m = kind == names.index(name)
        img[m] = np.where((z[m] < 0.12)[..., None], [[90, 90, 95]], wall_color)
    front = kind == names.index("front")
    half = store.door_width / 2
    door = front & (np.abs(x - store.door_x) < half) & (z < 2.15)
    frame = front & (np.abs(x - store.door_x) < half + 0.08) & (z < 2.23) & ~door
    img[door] = np.where((z[door] > 0.9)[..., None], [[235, 225, 205]], [[120, 125, 120]])
    img[frame] = [70, 70, 70]
    sign = front & (np.abs(x - store.door_x) < 0.35) & (z > 2.3) & (z < 2.55)
    img[sign] = [60, 170, 40]
    t = np.where(door, FAR, t)
    hit_box = kind == len(names)
    for i, box in enumerate(store.boxes):
        m = hit_box & (box_i == i)
        if box.kind == "shelf":
            side = m & (box_face != 2)
            img[side] = _shelf_face(
                p[side], box_face[side], box_i[side], np.full(side.sum(), box.hi[2])
            )
            img[m & (box_face == 2)] = [95, 95, 100]
        elif box.kind == "counter":
            img[m] = np.where((box_face[m] == 2)[..., None], [[200, 200, 205]], [[70, 90, 120]])
        else:
            img[m] = wall_color
    # Soft light from the ceiling: darker low down and far away, lit faces facing up.
    light = 0.8 + 0.2 * np.clip(z / 2.5, 0, 1) - 0.015 * np.clip(t, 0, 15)
    img *= light[..., None]
    img += rng.normal(0, 2.0, img.shape)
    depth = (t * cos_axis).astype(np.float32)
    return Background(np.clip(img, 0, 255).astype(np.uint8), depth)
