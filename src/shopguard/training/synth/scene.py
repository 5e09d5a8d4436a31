"""Store layout (shelves, checkout, door), zones in pixels, and the ``Scene`` container.

The store is a rectangle ``[0, width] × [0, depth]`` metres with the entrance door in the
front wall (y = 0). Gondola shelves run front to back between aisles; a front corridor
links the door, the checkout counter and the aisles, a back corridor the aisle ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from shopguard.training.synth.behaviors import Stop
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.skeleton import Array, Body


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned block (shelf unit, counter or wall piece) that hides what is behind."""

    name: str
    kind: str
    lo: tuple[float, float, float]
    hi: tuple[float, float, float]

    def corners(self) -> Array:
        """(8, 3) corner points."""
        xs, ys, zs = zip(self.lo, self.hi, strict=True)
        return np.array([[x, y, z] for x in xs for y in ys for z in zs])


@dataclass(frozen=True, slots=True)
class Store:
    """Floor plan of a small shop."""

    width: float
    depth: float
    door_x: float
    door_width: float
    front_y: float
    back_y: float
    aisles: tuple[float, ...]
    boxes: tuple[Box, ...]

    @property
    def shelves(self) -> tuple[Box, ...]:
        return tuple(b for b in self.boxes if b.kind == "shelf")

    @property
    def counter(self) -> Box:
        return next(b for b in self.boxes if b.kind == "counter")

    @classmethod
    def sample(
        cls,
        rng: np.random.Generator,
        width: tuple[float, float] = (11.0, 18.0),
        depth: tuple[float, float] = (9.0, 14.0),
        shelf_height: tuple[float, float] = (1.4, 1.9),
    ) -> Store:
        """A random shop; width, depth and gondola height (metres) from the given ranges."""
        w, d = rng.uniform(*width), rng.uniform(*depth)
        door_x, door_w = rng.uniform(1.8, 3.2), 1.6
        front_y = rng.uniform(3.0, 3.6)
        g0, g1 = front_y + 0.9, d - 2.0
        back_y = (g1 + d - 0.5) / 2
        gh = rng.uniform(*shelf_height)
        cx0 = door_x + door_w / 2 + rng.uniform(1.0, 2.0)
        boxes = [
            Box(
                "checkout",
                "counter",
                (cx0, 1.0, 0.0),
                (min(cx0 + rng.uniform(1.8, 2.4), w - 0.8), 1.7, 0.95),
            ),
            Box("shelf_back", "shelf", (0.5, d - 0.5, 0.0), (w - 0.5, d, 2.0)),
            Box("shelf_left", "shelf", (0.0, front_y + 0.6, 0.0), (0.5, d - 0.6, 2.0)),
            Box("wall_front_left", "wall", (-0.2, -0.15, 0.0), (door_x - door_w / 2, 0.0, 2.8)),
            Box("wall_front_right", "wall", (door_x + door_w / 2, -0.15, 0.0), (w + 0.2, 0.0, 2.8)),
            Box(
                "door_lintel",
                "wall",
                (door_x - door_w / 2, -0.15, 2.15),
                (door_x + door_w / 2, 0.0, 2.8),
            ),
        ]
        aisle = rng.uniform(1.6, 2.2)
        x, aisles, n = 0.5, [], 0
        while x + aisle + 0.9 + aisle < w - 0.5:
            aisles.append(x + aisle / 2)
            n += 1
            boxes.append(
                Box(f"shelf_{n}", "shelf", (x + aisle, g0, 0.0), (x + aisle + 0.9, g1, gh))
            )
            x += aisle + 0.9
        aisles.append((x + w - 0.5) / 2)
        return cls(
            float(w),
            float(d),
            float(door_x),
            door_w,
            float(front_y),
            float(back_y),
            tuple(aisles),
            tuple(boxes),
        )

    def stops(self, rng: np.random.Generator, n: int) -> list[Stop]:
        """``n`` random places to stand in front of a shelf."""
        out = []
        shelves = self.shelves
        for _ in range(n):
            box = shelves[int(rng.integers(len(shelves)))]
            dist = float(rng.uniform(0.45, 0.65))
            if box.name == "shelf_back":
                x, y, heading = rng.uniform(1.0, self.width - 1.0), box.lo[1] - dist, np.pi / 2
            else:
                lo, hi = box.lo[1] + 0.3, box.hi[1] - 0.3
                y = rng.uniform(lo, hi) if hi > lo else (box.lo[1] + box.hi[1]) / 2  # short
                faces = [(box.lo[0] - dist, 0.0), (box.hi[0] + dist, np.pi)]
                if box.name == "shelf_left":
                    faces = faces[1:]
                x, heading = faces[int(rng.integers(len(faces)))]
            out.append(Stop(float(x), float(y), float(heading), dist, box.hi[2], box.name))
        return out

    def _aisle_of(self, p: tuple[float, float]) -> float | None:
        """Centre x of the aisle containing ``p``, or None in a corridor / the front area."""
        if self.front_y + 0.5 < p[1] < self.back_y - 0.5:
            return min(self.aisles, key=lambda a: abs(a - p[0]))
        return None

    def _corridors(self, p: tuple[float, float]) -> list[float]:
        if self._aisle_of(p) is not None:
            return [self.front_y, self.back_y]
        return [self.front_y if p[1] < self.front_y + 0.5 else self.back_y]

    def _to_corridor(self, p: tuple[float, float], cy: float) -> list[tuple[float, float]]:
        a = self._aisle_of(p)
        return [(a, p[1]), (a, cy)] if a is not None else [(p[0], cy)]

    def route(
        self, start: tuple[float, float], goal: tuple[float, float]
    ) -> list[tuple[float, float]]:
        """Waypoints from ``start`` to ``goal`` along aisles and corridors (ends at ``goal``)."""
        a0 = self._aisle_of(start)
        if a0 is not None and a0 == self._aisle_of(goal):
            return [(a0, start[1]), (a0, goal[1]), goal]
        c0, c1 = min(
            ((c0, c1) for c0 in self._corridors(start) for c1 in self._corridors(goal)),
            key=lambda c: abs(start[1] - c[0]) + abs(goal[1] - c[1]) + 8.0 * (c[0] != c[1]),
        )
        out = self._to_corridor(start, c0)
        if c0 != c1:
            x = out[-1][0]
            a = min(self.aisles, key=lambda a: abs(x - a) + abs(a - goal[0]))
            out += [(a, c0), (a, c1)]
        return [*out, *reversed(self._to_corridor(goal, c1)), goal]

    def occluded(self, camera: Camera, points: Array) -> npt.NDArray[np.bool_]:
        """Whether each world point (..., 3) is hidden from the camera by a box."""
        shape = points.shape[:-1]
        if not self.boxes:
            return np.zeros(shape, dtype=bool)
        p = points.reshape(-1, 3)
        c = np.asarray(camera.position)
        d = p - c
        length = np.linalg.norm(d, axis=-1)
        lo = np.array([box.lo for box in self.boxes])[:, None, :]  # (boxes, 1, 3)
        hi = np.array([box.hi for box in self.boxes])[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / d
            t1, t2 = (lo - c) * inv, (hi - c) * inv  # slab entry/exit along each axis
            near, far = np.minimum(t1, t2), np.maximum(t1, t2)
            # fmax/fmin skip NaN (a ray parallel to a slab face) like nanmax, much faster
            tmin = np.fmax(np.fmax(near[..., 0], near[..., 1]), near[..., 2])
            tmax = np.fmin(np.fmin(far[..., 0], far[..., 1]), far[..., 2])
            hit = (tmax >= np.maximum(tmin, 0.0)) & (tmin < 1.0 - 0.1 / np.maximum(length, 0.1))
        return hit.any(0).reshape(shape)

    def zones(self, camera: Camera) -> list[dict[str, Any]]:
        """Shelf, checkout and exit zones as image polygons (only those in view)."""
        regions: list[tuple[str, str, Array]] = []
        for box in self.shelves:
            regions.append((box.name, "shelf", box.corners()))
        c = self.counter
        regions.append(
            ("checkout", "checkout", Box("", "", c.lo, (c.hi[0], c.hi[1] + 0.9, 1.0)).corners())
        )
        h = self.door_width / 2
        door = Box("", "", (self.door_x - h, 0.0, 0.0), (self.door_x + h, 1.2, 2.1)).corners()
        regions.append(("exit", "exit", door))
        out = []
        for name, kind, pts in regions:
            poly = _image_polygon(camera, pts)
            if poly is not None:
                out.append({"name": name, "kind": kind, "polygon": poly})
        return out


def _image_polygon(camera: Camera, pts: Array) -> list[list[float]] | None:
    """Convex hull of projected points clipped to the image, or None if out of view."""
    uv, z = camera.project(pts)
    if np.any(z < 0.2):
        return None
    hull = cv2.convexHull(uv.astype(np.float32)).reshape(-1, 2)
    rect = np.array(
        [[0, 0], [camera.width, 0], [camera.width, camera.height], [0, camera.height]], np.float32
    )
    area, inter = cv2.intersectConvexConvex(hull, rect)
    if area < 100 or inter is None:
        return None
    return [[round(float(x), 1), round(float(y), 1)] for x, y in inter.reshape(-1, 2)]


#: Everyday clothing colours (BGR): dark, muted and a few bright tops; jeans and chinos.
TOPS: tuple[tuple[int, int, int], ...] = (
    (30, 30, 30),
    (60, 40, 30),
    (110, 60, 30),
    (200, 200, 200),
    (235, 235, 235),
    (90, 90, 90),
    (40, 40, 120),
    (60, 90, 60),
    (150, 110, 80),
    (50, 50, 160),
    (160, 90, 60),
    (140, 60, 110),
    (40, 120, 40),
    (170, 170, 60),
)
BOTTOMS: tuple[tuple[int, int, int], ...] = (
    (110, 70, 40),
    (80, 50, 30),
    (140, 100, 60),
    (35, 35, 35),
    (60, 60, 60),
    (110, 150, 170),
    (130, 130, 130),
)


@dataclass(frozen=True, slots=True)
class Appearance:
    """Colours (BGR) and style of a shopper, for the renderer."""

    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]
    shoes: tuple[int, int, int]
    long_sleeves: bool
    bag_color: tuple[int, int, int]

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Appearance:
        """Random skin tone, hair and clothing colours."""
        skins = [
            (189, 224, 255),
            (160, 200, 240),
            (130, 175, 225),
            (100, 140, 198),
            (70, 105, 160),
            (50, 75, 115),
        ]
        hairs = [(20, 20, 25), (30, 40, 60), (40, 70, 110), (50, 95, 140), (150, 150, 155)]
        skin = np.array(skins[int(rng.integers(len(skins)))]) * rng.uniform(0.92, 1.05)
        return cls(
            skin=_color(skin),
            hair=_color(np.array(hairs[int(rng.integers(len(hairs)))]) * rng.uniform(0.8, 1.2)),
            hair_style=str(rng.choice(["short", "long", "cap", "bald"], p=[0.5, 0.3, 0.12, 0.08])),
            top=_color(np.array(TOPS[int(rng.integers(len(TOPS)))]) * rng.uniform(0.8, 1.15)),
            bottom=_color(
                np.array(BOTTOMS[int(rng.integers(len(BOTTOMS)))]) * rng.uniform(0.8, 1.2)
            ),
            shoes=_color(rng.uniform(15, 90) * np.ones(3) + rng.uniform(-10, 10, 3)),
            long_sleeves=bool(rng.random() < 0.5),
            bag_color=_color(rng.uniform(20, 140, 3)),
        )


def _color(v: Array) -> tuple[int, int, int]:
    c = np.clip(np.asarray(v), 0, 255).astype(int)
    return int(c[0]), int(c[1]), int(c[2])


@dataclass
class ShopperTrack:
    """One shopper in a scene, sampled at the scene's frame times.

    Attributes:
        shopper_id: unique within the scene.
        role: "thief", "buyer" or "browser".
        body, look: body dimensions and appearance.
        joints: (T, NUM_JOINTS, 3) world joints (COCO-17 then ``EXTRA_JOINTS``).
        present: (T,) whether the shopper is inside the shop at that frame.
        keypoints: (T, 17, 3) exact projected keypoints; confidence 1 = in view and not
            hidden by a shelf or wall, else 0.
        boxes: (T, 4) xyxy box of the visible body (zeros when nothing is visible).
        labels: (T,) 1 during concealment.
        held: (T, 2) index into ``HELD_KINDS`` of the item in the (left, right) hand, -1 none.
        basket: (T,) 0 = left hand carries a basket, 1 = right, -1 = none.
        bag: side a shoulder bag hangs on, or None.
        segments: behaviour spans ``{"behavior", "t_start", "t_end", "label"}``.
    """

    shopper_id: int
    role: str
    body: Body
    look: Appearance
    joints: Array
    present: npt.NDArray[np.bool_]
    keypoints: npt.NDArray[np.float32]
    boxes: npt.NDArray[np.float32]
    labels: npt.NDArray[np.uint8]
    held: npt.NDArray[np.int8]
    basket: npt.NDArray[np.int8]
    bag: str | None
    segments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Scene:
    """A store, a camera and the shoppers it sees over ``duration`` seconds at ``fps``."""

    seed: int
    fps: float
    times: Array
    camera: Camera
    store: Store
    zones: list[dict[str, Any]]
    shoppers: list[ShopperTrack]

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.camera.width, self.camera.height

    @property
    def duration(self) -> float:
        return float(len(self.times) / self.fps)
