"""Action library: each behaviour appends keyframes to a :class:`Timeline` at its cursor.

Concealment label (1): from the moment the hand holding the item leaves the item's
position (the inspect pose in front of the chest, or the shelf when grabbed straight
from it) towards the concealment spot, until the hand starts to leave that spot
(the end of the stuffing dwell). Every other behaviour is labelled 0, including the
hard negatives that look alike (phone from/to a pocket, wallet at checkout, items into
a basket, scratching, adjusting clothes, touching the face, hands in pockets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopguard.training.synth.motion import REST, HandTarget, Side, Timeline
from shopguard.training.synth.skeleton import Body

CONCEAL_METHODS: tuple[str, ...] = (
    "front_pocket",
    "back_pocket",
    "waistband",
    "under_shirt",
    "bag",
    "sleeve",
)
HARD_NEGATIVES: tuple[str, ...] = (
    "phone_use",
    "scratch",
    "adjust_clothes",
    "touch_face",
)
ITEM_KINDS: tuple[str, ...] = ("box", "bottle", "can", "pack", "jar")
#: Every behaviour segment name a generated clip can hold (``meta["segments"]``), in a
#: fixed order: the classes of the training-only auxiliary head.
BEHAVIORS: tuple[str, ...] = (
    "enter", "walk", "walk_hands_in_pockets", "browse", "glance_around", "reach_shelf",
    "inspect", "return_item", "put_in_basket", "carry_item", "pay", "exit", "recover",
    *HARD_NEGATIVES,
    *(f"conceal_{m}" for m in CONCEAL_METHODS),
)


@dataclass(frozen=True, slots=True)
class Stop:
    """A place in front of a shelf: stand at (x, y) facing ``heading``; the shelf face is
    ``shelf_dist`` metres ahead and ``shelf_height`` metres tall; ``zone`` names it."""

    x: float
    y: float
    heading: float
    shelf_dist: float
    shelf_height: float
    zone: str


@dataclass
class Actor:
    """One shopper's body and habits."""

    body: Body
    rng: np.random.Generator
    hand: Side
    tempo: float
    speed: float
    bag: Side | None = None
    basket: Side | None = None

    def dur(self, lo: float, hi: float) -> float:
        """A random duration in [lo, hi] seconds scaled by the person's tempo."""
        return float(self.rng.uniform(lo, hi) * self.tempo)

    @property
    def other(self) -> Side:
        return "left" if self.hand == "right" else "right"

    def sign(self, side: Side) -> float:
        return -1.0 if side == "left" else 1.0

    def other_of(self, side: Side) -> Side:
        return "left" if side == "right" else "right"


def free_hand(a: Actor) -> Side:
    """The hand that picks things up: the dominant one unless it carries the basket."""
    return a.other if a.basket == a.hand else a.hand


def pocket(a: Actor, side: Side, back: bool = False) -> HandTarget:
    """Wrist target at a front or back trouser pocket."""
    s, b = a.sign(side), a.body
    if back:
        return HandTarget("pelvis", (s * (b.hip_width / 2 + 0.01), -0.14, -0.04))
    return HandTarget("pelvis", (s * (b.hip_width / 2 + 0.04), 0.09, -0.07))


def inspect_pose(a: Actor, side: Side) -> HandTarget:
    """Holding an item in front of the chest to look at it."""
    return HandTarget(
        "chest",
        (
            a.sign(side) * a.rng.uniform(0.0, 0.08),
            a.rng.uniform(0.27, 0.36),
            -a.rng.uniform(0.18, 0.3),
        ),
    )


def _look_at_height(a: Actor, stop: Stop, z: float) -> float:
    """Head pitch (radians, down positive) to look at height ``z`` on the shelf."""
    eye = 0.93 * a.body.height
    return float(np.arctan2(eye - z, stop.shelf_dist + 0.1))


def browse(tl: Timeline, a: Actor, stop: Stop) -> None:
    """Scan the shelf: glances at several heights and along the shelf."""
    t0 = tl.t
    for _ in range(int(a.rng.integers(2, 5))):
        z = a.rng.uniform(0.3, min(1.9, stop.shelf_height))
        d = a.dur(0.3, 0.6)
        tl.move("head_pitch", _look_at_height(a, stop, z) - 0.1, d)
        tl.move("head_yaw", a.rng.uniform(-0.6, 0.6), d)
        tl.move("torso_yaw", a.rng.uniform(-0.2, 0.2), d)
        tl.wait(d + a.dur(0.5, 2.0))
    tl.move("head_yaw", 0.0, 0.4)
    tl.move("torso_yaw", 0.0, 0.4)
    tl.wait(0.4)
    tl.segment("browse", t0)


def glance_around(tl: Timeline, a: Actor) -> None:
    """Look left and right (customers do it too, not only thieves)."""
    t0 = tl.t
    for _ in range(int(a.rng.integers(1, 4))):
        d = a.dur(0.3, 0.6)
        tl.move("head_yaw", float(a.rng.choice([-1, 1]) * a.rng.uniform(0.7, 1.3)), d)
        tl.move("head_pitch", a.rng.uniform(-0.05, 0.15), d)
        tl.wait(d + a.dur(0.2, 0.8))
    tl.move("head_yaw", 0.0, 0.4)
    tl.wait(0.4)
    tl.segment("glance_around", t0)


def pick_item(tl: Timeline, a: Actor, stop: Stop, side: Side, inspect: bool = True) -> HandTarget:
    """Reach into the shelf, take an item and (optionally) inspect it; returns the shelf spot."""
    t0 = tl.t
    z = a.rng.uniform(0.25, min(1.85, stop.shelf_height - 0.1))
    low = z < 0.75
    fwd = np.array([np.cos(stop.heading), np.sin(stop.heading)])
    right = np.array([np.sin(stop.heading), -np.cos(stop.heading)])
    xy = (
        np.array([stop.x, stop.y])
        + fwd * (stop.shelf_dist + 0.08)
        + right * (a.sign(side) * 0.15 + a.rng.uniform(-0.25, 0.25))
    )
    shelf = HandTarget("world", (float(xy[0]), float(xy[1]), float(z)))
    d = a.dur(0.6, 1.2)
    if low:
        tl.move("squat", float(np.clip((0.8 - z) * 1.4, 0.2, 0.9)), d)
        tl.move("torso_pitch", a.rng.uniform(0.3, 0.6), d)
    else:
        tl.move("torso_pitch", a.rng.uniform(0.05, 0.2), d)
    tl.move("head_pitch", _look_at_height(a, stop, z), d)
    tl.reach(side, shelf, d)
    tl.wait(d + a.dur(0.3, 0.7))
    kind = str(a.rng.choice(ITEM_KINDS))
    tl.items[side].append((tl.t, np.inf, kind))
    tl.segment("reach_shelf", t0)
    if not inspect:
        return shelf
    t1 = tl.t
    d = a.dur(0.6, 1.0)
    tl.move("squat", 0.0, d)
    tl.move("torso_pitch", 0.08, d)
    tl.move("head_pitch", a.rng.uniform(0.5, 0.8), d)
    tl.reach(side, inspect_pose(a, side), d)
    if a.rng.random() < 0.4 and a.basket != a.other_of(side):
        tl.reach(a.other_of(side), inspect_pose(a, a.other_of(side)), d, start=tl.t + 0.2)
    tl.wait(d)
    tl.move(f"{side}_wiggle", 0.01, 0.3)
    tl.wait(a.dur(1.0, 4.0))
    tl.move(f"{side}_wiggle", 0.0, 0.3)
    tl.segment("inspect", t1)
    return shelf


def _end_item(tl: Timeline, side: Side, at: float) -> None:
    """The item held in ``side`` stops being visible at ``at``."""
    start, _, kind = tl.items[side][-1]
    tl.items[side][-1] = (start, at, kind)


def _release_other(tl: Timeline, a: Actor, side: Side) -> None:
    other = a.other_of(side)
    if tl.target(other).anchor != "rest" and a.basket != other:
        tl.reach(other, REST, a.dur(0.4, 0.8))


def return_item(tl: Timeline, a: Actor, shelf: HandTarget, side: Side) -> None:
    """Put the held item back where it came from."""
    t0 = tl.t
    _release_other(tl, a, side)
    d = a.dur(0.6, 1.0)
    tl.reach(side, shelf, d)
    tl.move("head_pitch", 0.4, d)
    if shelf.offset[2] < 0.75:
        tl.move("squat", 0.5, d)
        tl.move("torso_pitch", 0.4, d)
    tl.wait(d)
    dwell = a.dur(0.3, 0.6)
    _end_item(tl, side, tl.t + dwell / 2)
    tl.wait(dwell)
    _back_to_rest(tl, a, side)
    tl.segment("return_item", t0)


def _back_to_rest(tl: Timeline, a: Actor, side: Side) -> None:
    d = a.dur(0.5, 0.9)
    tl.reach(side, REST, d)
    tl.move("squat", 0.0, d)
    tl.move("torso_pitch", 0.04, d)
    tl.move("torso_yaw", 0.0, d)
    tl.move("head_pitch", 0.1, d)
    tl.wait(d)


def put_in_basket(tl: Timeline, a: Actor, side: Side) -> None:
    """Drop the held item into the basket hanging from the other hand."""
    t0 = tl.t
    _release_other(tl, a, side)
    basket_side = a.basket or a.other_of(side)
    s = a.sign(basket_side)
    target = HandTarget("pelvis", (s * (a.body.hip_width / 2 + 0.14), 0.1, -0.2))
    d = a.dur(0.5, 1.0)
    tl.reach(side, target, d)
    tl.move("head_pitch", 0.6, d)
    tl.move("torso_yaw", -s * 0.25, d)
    tl.wait(d)
    dwell = a.dur(0.2, 0.6)
    _end_item(tl, side, tl.t + dwell / 2)
    tl.wait(dwell)
    _back_to_rest(tl, a, side)
    tl.segment("put_in_basket", t0)


def carry_item(tl: Timeline, a: Actor, side: Side) -> None:
    """Lower the held item and keep carrying it (it stays visible)."""
    t0 = tl.t
    _release_other(tl, a, side)
    d = a.dur(0.5, 0.9)
    tl.reach(side, HandTarget("chest", (a.sign(side) * 0.18, 0.2, -0.42)), d)
    tl.move("head_pitch", 0.1, d)
    tl.wait(d)
    tl.segment("carry_item", t0)


def _conceal_target(a: Actor, method: str, side: Side) -> tuple[HandTarget, HandTarget | None]:
    """Wrist target of the item hand and (optionally) of the helping hand."""
    s, b = a.sign(side), a.body
    o = -s
    if method == "front_pocket":
        return pocket(a, side), None
    if method == "back_pocket":
        return pocket(a, side, back=True), None
    if method == "waistband":
        return HandTarget("pelvis", (s * 0.05, 0.14, 0.07)), None
    if method == "under_shirt":
        return (
            HandTarget("pelvis", (s * 0.02, 0.15, 0.2)),
            HandTarget("pelvis", (o * 0.09, 0.15, 0.1)),
        )
    if method == "bag":
        bs = a.sign(a.bag or side)
        return (
            HandTarget("pelvis", (bs * (b.hip_width / 2 + 0.13), 0.05, 0.03)),
            HandTarget("pelvis", (bs * (b.hip_width / 2 + 0.12), 0.1, 0.08)),
        )
    if method == "sleeve":
        return (
            HandTarget("chest", (o * 0.06, 0.3, -0.3)),
            HandTarget("chest", (o * 0.02, 0.32, -0.3)),
        )
    raise ValueError(f"unknown concealment method {method!r}")


def conceal(tl: Timeline, a: Actor, method: str, side: Side) -> None:
    """Hide the held item (label 1 from leaving the item position to leaving the spot)."""
    if a.rng.random() < 0.5:
        glance_around(tl, a)
    if a.rng.random() < 0.4:
        tl.move("torso_yaw", float(a.rng.choice([-1, 1]) * a.rng.uniform(0.2, 0.5)), 0.6)
        tl.wait(0.6)
    target, helper = _conceal_target(a, method, side)
    t0 = tl.t
    d = a.dur(0.4, 1.0)
    tl.reach(side, target, d)
    tl.move("head_pitch", a.rng.uniform(0.2, 0.7), d)
    other = a.other_of(side)
    if helper is not None and a.basket != other:
        tl.reach(other, helper, d * 0.8, start=tl.t - 0.1)
    elif a.basket != other and tl.target(other).anchor != "rest":
        tl.reach(other, REST, d)
    tl.wait(d)
    dwell = a.dur(0.6, 2.5)
    tl.move(f"{side}_wiggle", a.rng.uniform(0.01, 0.03), 0.2)
    _end_item(tl, side, tl.t + dwell * a.rng.uniform(0.3, 0.7))
    tl.wait(dwell)
    tl.move(f"{side}_wiggle", 0.0, 0.2)
    tl.labels.append((t0, tl.t))
    tl.segment(f"conceal_{method}", t0, label=1)
    t1 = tl.t
    if tl.target(other).anchor != "rest" and a.basket != other:
        tl.reach(other, REST, a.dur(0.4, 0.8))
    _back_to_rest(tl, a, side)
    tl.segment("recover", t1)


def phone_use(tl: Timeline, a: Actor) -> None:
    """Phone out of a front pocket, read or call, back into the pocket (hard negative)."""
    side = free_hand(a)
    t0 = tl.t
    d = a.dur(0.5, 0.9)
    tl.reach(side, pocket(a, side), d)
    tl.wait(d + a.dur(0.4, 0.8))
    tl.items[side].append((tl.t, np.inf, "phone"))
    d = a.dur(0.5, 0.9)
    tl.reach(side, HandTarget("chest", (a.sign(side) * 0.03, 0.3, -0.14)), d)
    tl.move("head_pitch", a.rng.uniform(0.5, 0.8), d)
    tl.wait(d)
    tl.move(f"{side}_wiggle", 0.004, 0.3)
    tl.wait(a.dur(2.0, 10.0))
    tl.move(f"{side}_wiggle", 0.0, 0.3)
    if a.rng.random() < 0.3:
        d = a.dur(0.5, 0.9)
        tl.reach(side, HandTarget("head", (a.sign(side) * 0.085, -0.01, -0.02)), d)
        tl.move("head_pitch", 0.05, d)
        tl.wait(d + a.dur(3.0, 8.0))
    d = a.dur(0.5, 0.9)
    tl.reach(side, pocket(a, side), d)
    tl.move("head_pitch", 0.3, d)
    tl.wait(d)
    dwell = a.dur(0.4, 0.8)
    _end_item(tl, side, tl.t + dwell / 2)
    tl.wait(dwell)
    _back_to_rest(tl, a, side)
    tl.segment("phone_use", t0)


def _dwell_at(
    tl: Timeline,
    a: Actor,
    name: str,
    targets: dict[Side, HandTarget],
    wiggle: float,
    lo: float,
    hi: float,
) -> None:
    """Move hands to targets, hold with a small rub, return to rest."""
    t0 = tl.t
    d = a.dur(0.4, 0.9)
    for side, target in targets.items():
        tl.reach(side, target, d)
        tl.move(f"{side}_wiggle", wiggle, 0.2, start=tl.t + d)
    tl.wait(d + a.dur(lo, hi))
    for side in targets:
        tl.move(f"{side}_wiggle", 0.0, 0.2)
        tl.reach(side, REST, a.dur(0.4, 0.9))
    tl.wait(0.7 * a.tempo)
    tl.segment(name, t0)


def scratch(tl: Timeline, a: Actor) -> None:
    """Scratch the head, neck, other arm, hip or lower back (hard negative)."""
    side = free_hand(a)
    s, b = a.sign(side), a.body
    spots = [
        HandTarget("head", (s * 0.05, -0.05, 0.06)),
        HandTarget("chest", (s * 0.03, -0.03, 0.07)),
        HandTarget("chest", (-s * 0.2, 0.06, -0.16)),
        HandTarget("pelvis", (s * (b.hip_width / 2 + 0.05), 0.04, -0.12)),
        HandTarget("pelvis", (s * 0.06, -0.15, 0.12)),
    ]
    spot = spots[int(a.rng.integers(len(spots)))]
    _dwell_at(tl, a, "scratch", {side: spot}, a.rng.uniform(0.01, 0.025), 0.8, 3.0)


def adjust_clothes(tl: Timeline, a: Actor) -> None:
    """Pull up trousers at the waistband, straighten a collar or a jacket hem (hard negative)."""
    kind = int(a.rng.integers(3))
    spots = [
        ((0.12, 0.11, 0.04), "pelvis"),
        ((0.07, 0.09, -0.03), "chest"),
        ((0.16, 0.1, 0.14), "pelvis"),
    ][kind]
    sides: list[Side] = ["left", "right"]
    if a.basket is not None:
        sides.remove(a.basket)
    off, anchor = spots
    targets = {s: HandTarget(anchor, (a.sign(s) * off[0], off[1], off[2])) for s in sides}  # type: ignore[arg-type]
    _dwell_at(tl, a, "adjust_clothes", targets, 0.02, 0.6, 2.0)


def touch_face(tl: Timeline, a: Actor) -> None:
    """Hand to chin, mouth or nose for a while (hard negative)."""
    side = free_hand(a)
    spot = HandTarget("head", (a.sign(side) * 0.02, a.rng.uniform(0.06, 0.1), -0.07))
    _dwell_at(tl, a, "touch_face", {side: spot}, a.rng.uniform(0.0, 0.008), 1.0, 4.0)


def hands_in_pockets(tl: Timeline, a: Actor) -> list[Side]:
    """Put free hands into front pockets (they stay there until :func:`hands_out`)."""
    sides = [s for s in ("left", "right") if s != a.basket and tl.target(s).anchor == "rest"]
    d = a.dur(0.5, 0.9)
    for side in sides:
        tl.reach(side, pocket(a, side), d)  # type: ignore[arg-type]
        tl.move(f"{side}_swing", 0.0, d)
    tl.wait(d)
    return sides  # type: ignore[return-value]


def hands_out(tl: Timeline, a: Actor, sides: list[Side]) -> None:
    """Take hands out of the pockets."""
    d = a.dur(0.4, 0.8)
    for side in sides:
        tl.reach(side, REST, d)
        tl.move(f"{side}_swing", 1.0, d)
    tl.wait(d)


HARD_NEGATIVE_ACTIONS: dict[str, Callable[[Timeline, Actor], None]] = {
    "phone_use": phone_use,
    "scratch": scratch,
    "adjust_clothes": adjust_clothes,
    "touch_face": touch_face,
}


def pay(tl: Timeline, a: Actor, counter: tuple[float, float, float]) -> None:
    """At the counter: put carried items down, wallet from the back pocket, pay, put it back."""
    t0 = tl.t
    side = free_hand(a)
    counter_t = HandTarget("world", counter)
    d = a.dur(0.6, 1.0)
    tl.reach(side, counter_t, d)
    tl.move("head_pitch", 0.5, d)
    tl.wait(d)
    if tl.items[side] and tl.items[side][-1][1] == np.inf:
        _end_item(tl, side, tl.t + 0.2)
    tl.wait(a.dur(0.3, 0.8))
    wallet = pocket(a, side, back=bool(a.rng.random() < 0.6))
    d = a.dur(0.6, 1.0)
    tl.reach(side, wallet, d)
    tl.wait(d + a.dur(0.3, 0.6))
    tl.items[side].append((tl.t, np.inf, "wallet"))
    tl.reach(side, HandTarget("chest", (a.sign(side) * 0.05, 0.33, -0.25)), d)
    tl.wait(d + a.dur(2.0, 6.0))
    tl.reach(side, wallet, d)
    tl.wait(d)
    dwell = a.dur(0.3, 0.6)
    _end_item(tl, side, tl.t + dwell / 2)
    tl.wait(dwell)
    _back_to_rest(tl, a, side)
    tl.segment("pay", t0)
