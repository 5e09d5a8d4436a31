"""A shopper as a small ray-traced 3D figure: capsules and ellipsoids, shaded per pixel.

Limbs are capsules, the torso an elliptic capsule, the head an ellipsoid whose surface
carries hair, eyes and mouth; hands, shoes, items, basket and bag are small solids.
Every pixel of the person's region gets the nearest hit (colour and camera depth), so
self-occlusion is exact and the depth can be z-tested against shelves and other people.
All sizes are real body widths in metres, scaled by the person's height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import KP
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.generate import HELD_KINDS
from shopguard.training.synth.scene import ShopperTrack
from shopguard.training.synth.skeleton import (
    HEAD_TOP,
    LEFT_HAND,
    LEFT_TOE,
    NECK,
    PELVIS,
    RIGHT_HAND,
    RIGHT_TOE,
    Array,
)

Color = tuple[int, int, int]
ITEM_COLORS: dict[str, Color] = {
    "box": (40, 60, 220),
    "bottle": (60, 160, 40),
    "can": (30, 180, 230),
    "pack": (200, 80, 40),
    "jar": (120, 40, 160),
    "phone": (25, 25, 25),
    "wallet": (30, 50, 90),
}
BASKET_COLOR: Color = (150, 95, 45)
# Figure proportions, tuned so that YOLO11n-pose finds the figures (see
# docs/synthetic-data.md). Sizes are metres for a 1.7 m person; factors scale them.
WIDTH = 1.2  # clothing bulk: limb and torso width factor
DEPTH = 1.3  # torso front-to-back factor
HEAD = 1.1  # head size factor
TORSO_TOP = 0.14  # torso ends this far below the neck base
SHOULDER_DROP = 0.045  # shoulder line below the shoulder joints
SHOULDER_R = 0.05
NECK_R = 0.06
ABDOMEN = 0.13  # half-widths of the lower and upper torso
CHEST = 0.19
ARM = 1.15  # arm thickness factor
HAND = 0.036
SHADE = (0.18, 0.72, 0.18)  # ambient, diffuse (top light), facing-the-camera terms
#: Direction towards the light in camera coordinates (x right, y down, z forward).
LIGHT = np.array([-0.25, -0.85, -0.45]) / np.linalg.norm([-0.25, -0.85, -0.45])


@dataclass(frozen=True, slots=True)
class Solid:
    """A primitive in camera coordinates.

    ``capsule``: segment ``a``–``b`` with radius ``r``; ``ellipsoid``: centre ``a``, axes
    ``rot`` (columns) and ``radii``; an elliptic capsule is a capsule in the space scaled by
    ``radii`` along ``rot``. ``material`` "head" paints hair and a face on an ellipsoid;
    ``split`` colours a capsule ``color2`` beyond that fraction of its length.
    """

    kind: str
    a: Array
    color: Color
    b: Array | None = None
    r: float = 0.0
    rot: Array | None = None
    radii: Array | None = None
    material: str = "plain"
    color2: Color | None = None
    split: float = 1.0


@dataclass(slots=True)
class Layer:
    """A person rendered into a region of interest: BGR colour and camera depth (inf = empty)."""

    x0: int
    y0: int
    color: npt.NDArray[np.uint8]
    depth: npt.NDArray[np.float32]

    @property
    def mask(self) -> npt.NDArray[np.bool_]:
        return np.asarray(np.isfinite(self.depth))


def _unit(v: Array) -> Array:
    return np.asarray(v / max(float(np.linalg.norm(v)), 1e-9))


def _frame_axes(up: Array, right_hint: Array) -> Array:
    """Columns (right, forward, up) from an up vector and an approximate right vector."""
    u = _unit(up)
    r = _unit(right_hint - np.dot(right_hint, u) * u)
    f = np.cross(u, r)
    return np.stack([r, f, u], 1)


def _capsule(o: Array, d: Array, a: Array, b: Array, r: float) -> tuple[Array, Array]:
    """Ray (origin ``o``, directions ``d`` (N, 3)) × capsule: t (inf = miss) and normal."""
    ba = b - a
    oa = o - a
    baba = float(ba @ ba)
    bard = d @ ba
    baoa = oa @ ba
    rdrd = np.einsum("ij,ij->i", d, d)
    rdoa = np.einsum("ij,ij->i", d, np.broadcast_to(oa, d.shape))
    oaoa = np.einsum("ij,ij->i", *(np.broadcast_to(oa, d.shape),) * 2)
    qa = baba * rdrd - bard**2
    qb = baba * rdoa - baoa * bard
    qc = baba * oaoa - baoa**2 - r * r * baba
    h = qb**2 - qa * qc
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(h >= 0, (-qb - np.sqrt(np.maximum(h, 0))) / qa, np.inf)
    y = baoa + t * bard
    body = np.isfinite(t) & (y > 0) & (y < baba) & (t > 0)
    t = np.where(body, t, np.inf)
    for end in (a, b):
        oc = np.broadcast_to(o - end, d.shape)
        cb = np.einsum("ij,ij->i", d, oc)
        cc = np.einsum("ij,ij->i", oc, oc) - r * r
        ch = cb**2 - rdrd * cc
        tc = np.where(ch >= 0, (-cb - np.sqrt(np.maximum(ch, 0))) / rdrd, np.inf)
        t = np.where((tc > 0) & (tc < t), tc, t)
    p = o + d * np.where(np.isfinite(t), t, 0)[:, None]
    pa = p - a
    k = np.clip(pa @ ba / max(baba, 1e-12), 0, 1)
    n = (pa - ba * k[:, None]) / max(r, 1e-9)
    return t, n


def _ellipsoid(
    o: Array, d: Array, c: Array, rot: Array, radii: Array
) -> tuple[Array, Array, Array]:
    """Ray × ellipsoid: t, world normal and the hit point on the unit sphere (local axes)."""
    lo = ((o - c) @ rot) / radii
    ld = (d @ rot) / radii
    qa = np.einsum("ij,ij->i", ld, ld)
    qb = ld @ lo if lo.ndim == 1 else np.einsum("ij,ij->i", ld, lo)
    qc = float(lo @ lo) - 1 if lo.ndim == 1 else np.einsum("ij,ij->i", lo, lo) - 1
    h = qb**2 - qa * qc
    t = np.where(h >= 0, (-qb - np.sqrt(np.maximum(h, 0))) / qa, np.inf)
    t = np.where(t > 0, t, np.inf)
    q = lo + ld * np.where(np.isfinite(t), t, 0)[:, None]
    n = (q / radii) @ rot.T
    return t, n, q


def _head_colors(q: Array, skin: Array, hair: Array, style: str, top: Array) -> Array:
    """Hair, eyes and mouth painted on the head ellipsoid (q: unit-sphere right/fwd/up)."""
    x, y, z = q[:, 0], q[:, 1], q[:, 2]
    out = np.broadcast_to(skin, q.shape).copy()
    if style in ("short", "long"):
        hair_mask = z > np.maximum(0.45 - 1.2 * np.clip(0.5 - y, 0, None), -0.55)
        if style == "long":
            hair_mask |= (y < 0.15) & (z > -0.95)
        out[hair_mask] = hair
    elif style == "cap":
        out[z > 0.3] = top
    for side in (-1, 1):
        e = _unit(np.array([side * 0.36, 0.9, 0.16]))
        out[(q @ e) > 0.985] = (35, 30, 30)
    mouth = (y > 0.7) & (z > -0.56) & (z < -0.42) & (np.abs(x) < 0.24)
    out[mouth] = skin * np.array([0.55, 0.55, 0.8])
    return out


def _solids(camera: Camera, track: ShopperTrack, fi: int) -> list[Solid]:
    """The figure's primitives in camera coordinates at frame ``fi``."""
    j = camera.to_camera(track.joints[fi])
    look, s = track.look, track.body.height / 1.7
    skin, top, bottom = look.skin, look.top, look.bottom
    out: list[Solid] = []

    def cap(
        a: int | Array,
        b: int | Array,
        r: float,
        color: Color,
        color2: Color | None = None,
        split: float = 1.0,
    ) -> None:
        pa = j[a] if isinstance(a, int) else a
        pb = j[b] if isinstance(b, int) else b
        out.append(Solid("capsule", pa, color, pb, r * s * WIDTH, color2=color2, split=split))

    torso = _frame_axes(j[NECK] - j[PELVIS], j[KP.RIGHT_SHOULDER] - j[KP.LEFT_SHOULDER])
    up, fwd = torso[:, 2], torso[:, 1]
    spine = float(np.linalg.norm(j[NECK] - j[PELVIS]))
    # Torso: a narrower abdomen and a wider chest (elliptic capsules), then the shoulders.
    base = j[PELVIS] - up * 0.02 * s
    waist = base + up * 0.45 * spine
    for lo, hi, width, color2 in (
        (base, waist, ABDOMEN, bottom),
        (waist, base + up * (spine - TORSO_TOP * s), CHEST, None),
    ):
        out.append(
            Solid(
                "capsule_e",
                lo,
                top,
                hi,
                1.0,
                rot=torso,
                radii=np.array([width * WIDTH, 0.105 * WIDTH * DEPTH, 0.1]) * s,
                color2=color2,
                split=0.1 / max(0.45 * spine / s, 0.1),
            )
        )
    cap(
        j[KP.LEFT_SHOULDER] - up * SHOULDER_DROP * s,
        j[KP.RIGHT_SHOULDER] - up * SHOULDER_DROP * s,
        SHOULDER_R,
        top,
    )
    cap(KP.LEFT_HIP, KP.RIGHT_HIP, 0.09, bottom)
    cap(NECK, j[NECK] + up * 0.1 * s, NECK_R, skin)
    sleeve = 1.0 if look.long_sleeves else 0.45
    for sh, el, wr, hand, hip, knee, ankle, toe in (
        (
            KP.LEFT_SHOULDER,
            KP.LEFT_ELBOW,
            KP.LEFT_WRIST,
            LEFT_HAND,
            KP.LEFT_HIP,
            KP.LEFT_KNEE,
            KP.LEFT_ANKLE,
            LEFT_TOE,
        ),
        (
            KP.RIGHT_SHOULDER,
            KP.RIGHT_ELBOW,
            KP.RIGHT_WRIST,
            RIGHT_HAND,
            KP.RIGHT_HIP,
            KP.RIGHT_KNEE,
            KP.RIGHT_ANKLE,
            RIGHT_TOE,
        ),
    ):
        cap(sh, el, 0.05 * ARM, top, skin, sleeve)
        cap(el, wr, 0.04 * ARM, top if look.long_sleeves else skin)
        cap(wr, hand, HAND, skin)
        cap(hip, knee, 0.078, bottom)
        cap(knee, ankle, 0.058, bottom)
        cap(ankle, j[toe] + up * 0.02 * s, 0.048, look.shoes)
    # Head.
    ears = (j[KP.LEFT_EAR] + j[KP.RIGHT_EAR]) / 2
    head_up = j[HEAD_TOP] - ears
    head = _frame_axes(head_up, j[KP.RIGHT_EAR] - j[KP.LEFT_EAR])
    centre = ears + head[:, 2] * 0.015 * s + head[:, 1] * 0.012 * s
    out.append(
        Solid(
            "ellipsoid",
            centre,
            skin,
            rot=head,
            radii=np.array([0.079, 0.098, 0.118]) * s * HEAD,
            material="head",
        )
    )
    out.append(
        Solid(
            "ellipsoid",
            j[KP.NOSE] - head[:, 1] * 0.01 * s,
            skin,
            rot=head,
            radii=np.array([0.016, 0.022, 0.024]) * s,
        )
    )
    if look.hair_style == "long":
        out.append(
            Solid(
                "ellipsoid",
                centre - head[:, 2] * 0.13 * s - head[:, 1] * 0.05 * s,
                look.hair,
                rot=head,
                radii=np.array([0.085, 0.05, 0.13]) * s,
            )
        )
    # Props: items in hand, basket, bag.
    for col, (wr, hand) in enumerate(((KP.LEFT_WRIST, LEFT_HAND), (KP.RIGHT_WRIST, RIGHT_HAND))):
        kind = int(track.held[fi, col])
        if kind >= 0:
            along = _unit(j[hand] - j[wr])
            cap(
                j[hand] - along * 0.02,
                j[hand] + along * 0.09,
                0.034,
                ITEM_COLORS.get(HELD_KINDS[kind], (80, 80, 200)),
            )
        if int(track.basket[fi]) == col:
            out.append(
                Solid(
                    "ellipsoid",
                    j[hand] - up * 0.16 * s,
                    BASKET_COLOR,
                    rot=torso,
                    radii=np.array([0.1, 0.17, 0.09]) * s,
                )
            )
    if track.bag is not None:
        hip, other = (
            (KP.LEFT_HIP, KP.RIGHT_SHOULDER)
            if track.bag == "left"
            else (KP.RIGHT_HIP, KP.LEFT_SHOULDER)
        )
        outward = _unit(j[hip] - j[PELVIS])
        bag = j[hip] + outward * 0.12 * s + up * 0.05 * s
        out.append(
            Solid(
                "ellipsoid", bag, look.bag_color, rot=torso, radii=np.array([0.06, 0.15, 0.13]) * s
            )
        )
        cap(other, bag + up * 0.1 * s + fwd * 0.0, 0.014, look.bag_color)
    return out


def _bbox(camera: Camera, solid: Solid) -> tuple[Array, Array]:
    """Conservative pixel bounds of a solid."""
    pts = [solid.a] if solid.b is None else [solid.a, solid.b]
    r = solid.r if solid.radii is None else float(np.max(solid.radii))
    p = np.array(pts)
    z = np.maximum(p[:, 2] - r, 0.05)
    u = camera.focal * p[:, 0] / z + camera.width / 2
    v = camera.focal * p[:, 1] / z + camera.height / 2
    rad = camera.focal * r / z
    return (
        np.array([(u - rad).min(), (v - rad).min()]),
        np.array([(u + rad).max(), (v + rad).max()]),
    )


def _shade(color: Array, n: Array, d: Array) -> Array:
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    diffuse = np.clip(n @ LIGHT, 0, 1)
    facing = np.clip(-np.einsum("ij,ij->i", n, d) / np.linalg.norm(d, axis=1), 0, 1)
    k = SHADE[0] + SHADE[1] * diffuse + SHADE[2] * facing
    return np.asarray(color * k[:, None])


def draw_person(camera: Camera, track: ShopperTrack, fi: int) -> Layer | None:
    """Ray-trace shopper ``track`` at frame ``fi``; None when not in front of the camera."""
    solids = _solids(camera, track, fi)
    if min(float(sd.a[2]) for sd in solids) < 0.4:
        return None
    bounds = [_bbox(camera, sd) for sd in solids]
    lo = np.floor(np.min([b[0] for b in bounds], 0)).astype(int)
    hi = np.ceil(np.max([b[1] for b in bounds], 0)).astype(int)
    x0, y0 = max(int(lo[0]), 0), max(int(lo[1]), 0)
    x1, y1 = min(int(hi[0]) + 1, camera.width), min(int(hi[1]) + 1, camera.height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    h, w = y1 - y0, x1 - x0
    color = np.zeros((h, w, 3), np.float64)
    depth = np.full((h, w), np.inf)
    origin = np.zeros(3)
    look = track.look
    for sd, (blo, bhi) in zip(solids, bounds, strict=True):
        bx0, by0 = max(int(blo[0]) - x0, 0), max(int(blo[1]) - y0, 0)
        bx1, by1 = min(int(bhi[0]) + 2 - x0, w), min(int(bhi[1]) + 2 - y0, h)
        if bx1 <= bx0 or by1 <= by0:
            continue
        vv, uu = np.mgrid[by0 + y0 : by1 + y0, bx0 + x0 : bx1 + x0]
        d = np.stack(
            [
                (uu.ravel() + 0.5 - camera.width / 2) / camera.focal,
                (vv.ravel() + 0.5 - camera.height / 2) / camera.focal,
                np.ones(uu.size),
            ],
            1,
        )
        base = np.array(sd.color, np.float64)
        if sd.kind == "capsule":
            assert sd.b is not None
            t, n = _capsule(origin, d, sd.a, sd.b, sd.r)
            cols = np.broadcast_to(base, d.shape)
            if sd.color2 is not None and sd.split < 1.0:
                p = d * np.where(np.isfinite(t), t, 0)[:, None]
                frac = (p - sd.a) @ (sd.b - sd.a) / max(float((sd.b - sd.a) @ (sd.b - sd.a)), 1e-9)
                cols = np.where((frac > sd.split)[:, None], np.array(sd.color2, np.float64), base)
        elif sd.kind == "capsule_e":
            assert sd.b is not None and sd.rot is not None and sd.radii is not None
            lo_o = ((origin - sd.a) @ sd.rot) / sd.radii
            ld = (d @ sd.rot) / sd.radii
            top_l = ((sd.b - sd.a) @ sd.rot) / sd.radii
            t, nl = _capsule(lo_o, ld, np.zeros(3), top_l, 1.0)
            n = (nl / sd.radii) @ sd.rot.T
            p = lo_o + ld * np.where(np.isfinite(t), t, 0)[:, None]
            frac = p @ top_l / max(float(top_l @ top_l), 1e-9)
            cols = np.broadcast_to(base, d.shape)
            if sd.color2 is not None:
                cols = np.where((frac < sd.split)[:, None], np.array(sd.color2, np.float64), base)
        else:
            assert sd.rot is not None and sd.radii is not None
            t, n, q = _ellipsoid(origin, d, sd.a, sd.rot, sd.radii)
            cols = (
                _head_colors(
                    q,
                    base,
                    np.array(look.hair, np.float64),
                    look.hair_style,
                    np.array(look.top, np.float64),
                )
                if sd.material == "head"
                else np.broadcast_to(base, d.shape)
            )
        t = t.reshape(by1 - by0, bx1 - bx0)
        region = np.s_[by0:by1, bx0:bx1]
        closer = t < depth[region]
        if not closer.any():
            continue
        flat = closer.ravel()
        shaded = _shade(np.asarray(cols)[flat], n[flat], d[flat])
        depth[region][closer] = t[closer]
        color[region][closer] = shaded
    if not np.isfinite(depth).any():
        return None
    return Layer(x0, y0, np.clip(color, 0, 255).astype(np.uint8), depth.astype(np.float32))
