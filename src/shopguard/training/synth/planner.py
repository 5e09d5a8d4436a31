"""A shopper's visit: enter, walk to shelves, browse, pick / return / basket / conceal,
maybe pay at the checkout, leave. Produces the keyframed :class:`Timeline`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from shopguard.training.synth import behaviors as bh
from shopguard.training.synth.behaviors import Actor, Stop
from shopguard.training.synth.motion import Side, Timeline
from shopguard.training.synth.scene import Store
from shopguard.training.synth.skeleton import Body

Role = Literal["thief", "buyer", "browser"]


@dataclass
class Visit:
    """A planned visit. ``focus`` is the stop with the main action (the theft for thieves),
    reached at ``focus_time``; ``conceal_method`` is set for thieves."""

    actor: Actor
    timeline: Timeline
    role: Role
    focus: Stop
    focus_time: float
    conceal_method: str | None

    @property
    def t_enter(self) -> float:
        return self.timeline.path[0][0]

    @property
    def t_exit(self) -> float:
        return self.timeline.path[-1][0]


def _side(rng: np.random.Generator) -> Side:
    return "left" if rng.random() < 0.5 else "right"


def sample_actor(rng: np.random.Generator, role: Role, method: str | None) -> Actor:
    """A shopper's body and habits; thieves hiding in a bag get a bag."""
    hand: Side = "right" if rng.random() < 0.88 else "left"
    a = Actor(
        Body.sample(rng), rng, hand, float(rng.uniform(0.75, 1.35)), float(rng.uniform(0.7, 1.4))
    )
    if method == "bag" or rng.random() < 0.3:
        a.bag = _side(rng)
    if (role == "buyer" and rng.random() < 0.5) or (role != "buyer" and rng.random() < 0.1):
        a.basket = a.other
    return a


def _walk(tl: Timeline, a: Actor, store: Store, goal: tuple[float, float]) -> None:
    t0 = tl.t
    pockets = bh.hands_in_pockets(tl, a) if a.rng.random() < 0.12 else []
    tl.walk(store.route(tl.position(), goal), a.speed)
    if pockets:
        bh.hands_out(tl, a, pockets)
    tl.segment("walk_hands_in_pockets" if pockets else "walk", t0)


def _face(tl: Timeline, heading: float) -> None:
    tl.turn(heading, 0.5)
    tl.wait(0.5)


def _shop_at(tl: Timeline, a: Actor, stop: Stop, role: Role, carrying: bool) -> bool:
    """Ordinary activity at a shelf; returns whether the free hand now carries an item."""
    side = bh.free_hand(a)
    p_pick = 0.8 if role == "buyer" else 0.45
    if a.rng.random() >= p_pick:
        return carrying
    shelf = bh.pick_item(tl, a, stop, side)
    r = a.rng.random()
    if role != "buyer" or r < 0.25 or (carrying and a.basket is None):
        bh.return_item(tl, a, shelf, side)
    elif a.basket is not None:
        bh.put_in_basket(tl, a, side)
    else:
        bh.carry_item(tl, a, side)
        return True
    return carrying


def _pick_stops(
    store: Store, rng: np.random.Generator, n: int, accept: Callable[[Stop], bool] | None
) -> list[Stop]:
    """``n`` stops, each redrawn (up to 50 times) until ``accept`` takes it."""
    out = []
    for _ in range(n):
        for _ in range(50):
            stop = store.stops(rng, 1)[0]
            if accept is None or accept(stop):
                break
        out.append(stop)
    return out


def plan_visit(
    store: Store,
    rng: np.random.Generator,
    role: Role,
    t_enter: float = 0.0,
    max_stops: int = 4,
    hard_negative_rate: float = 0.5,
    accept: Callable[[Stop], bool] | None = None,
) -> Visit:
    """Plan one shopper's visit starting at ``t_enter`` outside the door.

    ``accept`` restricts where the shopper stops (e.g. to places a camera sees whole).
    """
    method = str(rng.choice(bh.CONCEAL_METHODS)) if role == "thief" else None
    a = sample_actor(rng, role, method)
    tl = Timeline(t=t_enter)
    door_x = store.door_x + rng.uniform(-0.4, 0.4)
    tl.place(door_x, -1.2, np.pi / 2)
    if a.basket is not None:
        tl.basket.append((t_enter, np.inf, a.basket))
        tl.move(f"{a.basket}_swing", 0.25, 0.1)
    tl.walk([(door_x, 0.8)], a.speed)
    tl.segment("enter", t_enter)
    stops = _pick_stops(store, rng, int(rng.integers(1, max_stops + 1)), accept)
    focus_i = int(rng.integers(len(stops)))
    focus_time = tl.t
    carrying = False
    for i, stop in enumerate(stops):
        _walk(tl, a, store, (stop.x, stop.y))
        _face(tl, stop.heading)
        if i == focus_i:
            focus_time = tl.t
        bh.browse(tl, a, stop)
        if rng.random() < hard_negative_rate / len(stops) * (2 if i == focus_i else 1):
            bh.HARD_NEGATIVE_ACTIONS[str(rng.choice(bh.HARD_NEGATIVES))](tl, a)
        if role == "thief" and i == focus_i and method is not None:
            side = bh.free_hand(a)
            bh.pick_item(tl, a, stop, side, inspect=rng.random() > 0.25)
            bh.conceal(tl, a, method, side)
        elif not (carrying and a.basket is None):
            carrying = _shop_at(tl, a, stop, role, carrying)
        if rng.random() < 0.15:
            bh.glance_around(tl, a)
    p_pay = {"buyer": 1.0, "thief": 0.3, "browser": 0.05}[role]
    if carrying or rng.random() < p_pay:
        c = store.counter
        spot = ((c.lo[0] + c.hi[0]) / 2 + rng.uniform(-0.5, 0.5), c.hi[1] + rng.uniform(0.45, 0.6))
        _walk(tl, a, store, spot)
        _face(tl, -np.pi / 2)
        bh.pay(tl, a, (spot[0] + rng.uniform(-0.2, 0.2), c.hi[1] - 0.2, c.hi[2] + 0.03))
    _walk(tl, a, store, (door_x, 0.8))
    t0 = tl.t
    tl.walk([(door_x, -1.5)], a.speed)
    tl.segment("exit", t0)
    focus = stops[focus_i]
    return Visit(a, tl, role, focus, focus_time, method)
