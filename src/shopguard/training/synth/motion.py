"""Keyframed motion timeline: scalar channels, hand targets, floor path and annotations.

Behaviours append keyframes at the timeline's cursor ``t``; :func:`sample_motion` turns
them into a per-frame :class:`~shopguard.training.synth.skeleton.Posture` and hand
targets. Between keyframes values follow a minimum-jerk curve (smooth start and stop);
the floor path is piecewise linear (constant walking speed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from shopguard.training.synth.skeleton import Array, IntArray, Posture

Anchor = Literal["rest", "pelvis", "chest", "head", "world"]
Side = Literal["left", "right"]

#: Scalar channels and their resting value.
CHANNELS: dict[str, float] = {
    "squat": 0.0,
    "torso_pitch": 0.04,
    "torso_yaw": 0.0,
    "torso_roll": 0.0,
    "head_yaw": 0.0,
    "head_pitch": 0.1,
    "left_swing": 1.0,
    "right_swing": 1.0,
    "left_wiggle": 0.0,
    "right_wiggle": 0.0,
}


@dataclass(frozen=True, slots=True)
class HandTarget:
    """Where a wrist goes: ``offset`` (metres) in the frame of ``anchor``.

    ``rest`` is the relaxed hanging arm (offset ignored); ``pelvis``/``chest``/``head``
    offsets are (right, forward, up) in that body frame; ``world`` is absolute.
    """

    anchor: Anchor
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)


REST = HandTarget("rest")


def min_jerk(u: Array) -> Array:
    """Minimum-jerk easing of u in [0, 1]."""
    u = np.clip(u, 0.0, 1.0)
    return np.asarray(u**3 * (10 - 15 * u + 6 * u**2))


def _segments(key_t: Array, times: Array) -> tuple[IntArray, Array]:
    """Index of the keyframe before each time and the eased fraction towards the next."""
    i = np.clip(np.searchsorted(key_t, times, side="right") - 1, 0, len(key_t) - 1)
    j = np.minimum(i + 1, len(key_t) - 1)
    span = key_t[j] - key_t[i]
    u = np.where(span > 0, (times - key_t[i]) / np.where(span > 0, span, 1.0), 1.0)
    return i, min_jerk(np.where(times < key_t[0], 0.0, u))


@dataclass
class Timeline:
    """Keyframes of one person's motion, appended in time order by behaviours.

    Attributes:
        t: the cursor (seconds); behaviours start at it and advance it.
        labels: (start, end) spans labelled 1 (concealment).
        items: per hand, (start, end, kind) spans during which the hand shows an item.
        basket: (start, end, side) spans during which a basket hangs from a hand.
        segments: ``{"behavior", "t_start", "t_end", "label"}`` per behaviour.
    """

    t: float = 0.0
    scalars: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    hands: dict[str, list[tuple[float, HandTarget]]] = field(default_factory=dict)
    path: list[tuple[float, float, float]] = field(default_factory=list)
    headings: list[tuple[float, float]] = field(default_factory=list)
    labels: list[tuple[float, float]] = field(default_factory=list)
    items: dict[str, list[tuple[float, float, str]]] = field(default_factory=dict)
    basket: list[tuple[float, float, str]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, value in CHANNELS.items():
            self.scalars.setdefault(name, [(self.t, value)])
        for side in ("left", "right"):
            self.hands.setdefault(side, [(self.t, REST)])
            self.items.setdefault(side, [])

    # -- scalar channels -------------------------------------------------------------
    def value(self, name: str) -> float:
        """Latest keyed value of a scalar channel."""
        return self.scalars[name][-1][1]

    def move(self, name: str, value: float, dur: float, start: float | None = None) -> None:
        """Ease ``name`` from its current value to ``value`` over ``[start, start + dur]``."""
        t0 = self.t if start is None else start
        keys = self.scalars[name]
        keys.append((max(t0, keys[-1][0]), keys[-1][1]))
        keys.append((max(t0, keys[-1][0]) + dur, value))

    # -- hands --------------------------------------------------------------------------
    def target(self, side: Side) -> HandTarget:
        """The hand's latest target."""
        return self.hands[side][-1][1]

    def reach(self, side: Side, target: HandTarget, dur: float, start: float | None = None) -> None:
        """Move a wrist from its current target to ``target`` over ``dur`` seconds."""
        t0 = self.t if start is None else start
        keys = self.hands[side]
        t0 = max(t0, keys[-1][0])
        keys.append((t0, keys[-1][1]))
        keys.append((t0 + dur, target))

    # -- floor path ----------------------------------------------------------------------
    def place(self, x: float, y: float, heading: float) -> None:
        """Put the person at (x, y) facing ``heading`` at the cursor (no motion)."""
        self.path.append((self.t, x, y))
        self.turn(heading, 0.0)

    def position(self) -> tuple[float, float]:
        """Latest keyed floor position."""
        return self.path[-1][1], self.path[-1][2]

    def heading(self) -> float:
        """Latest keyed heading (radians, unwrapped)."""
        return self.headings[-1][1]

    def turn(self, heading: float, dur: float, start: float | None = None) -> None:
        """Turn to ``heading`` (the shorter way round) over ``dur`` seconds."""
        t0 = self.t if start is None else start
        if self.headings:
            prev_t, prev = self.headings[-1]
            heading = prev + (heading - prev + np.pi) % (2 * np.pi) - np.pi
            t0 = max(t0, prev_t)
            self.headings.append((t0, prev))
        self.headings.append((t0 + dur, heading))

    def walk(self, waypoints: list[tuple[float, float]], speed: float) -> None:
        """Walk through ``waypoints`` at ``speed`` m/s, turning towards each leg."""
        for x, y in waypoints:
            x0, y0 = self.position()
            dist = float(np.hypot(x - x0, y - y0))
            if dist < 1e-3:
                continue
            turn = min(0.5, dist / speed)
            self.turn(float(np.arctan2(y - y0, x - x0)), turn, start=self.t - 0.15)
            self.t += dist / speed
            self.path.append((self.t, x, y))

    def wait(self, dur: float) -> None:
        """Advance the cursor (everything holds its value)."""
        self.t += dur

    def segment(self, behavior: str, t_start: float, label: int = 0) -> None:
        """Record that ``behavior`` ran from ``t_start`` to the cursor."""
        self.segments.append(
            {"behavior": behavior, "t_start": t_start, "t_end": self.t, "label": label}
        )


@dataclass(slots=True)
class Sampled:
    """A timeline sampled at given times: posture plus hand keyframe blending data."""

    times: Array
    posture: Posture
    hand_keys: dict[str, tuple[list[HandTarget], IntArray, Array]]
    wiggle: dict[str, Array]
    swing: dict[str, Array]


def _scalar(keys: list[tuple[float, float]], times: Array) -> Array:
    kt = np.array([k[0] for k in keys])
    kv = np.array([k[1] for k in keys])
    i, w = _segments(kt, times)
    j = np.minimum(i + 1, len(kv) - 1)
    return np.asarray(kv[i] + (kv[j] - kv[i]) * w)


def _path(tl: Timeline, times: Array) -> tuple[Array, Array, Array]:
    pt = np.array([p[0] for p in tl.path])
    x = np.interp(times, pt, [p[1] for p in tl.path])
    y = np.interp(times, pt, [p[2] for p in tl.path])
    # Gait phase and amplitude come from speed on a fine grid, smoothed over ~0.4 s.
    grid = np.arange(min(times[0], pt[0]) - 1.0, max(times[-1], pt[-1]) + 1.0, 1 / 60)
    gx, gy = (
        np.interp(grid, pt, [p[1] for p in tl.path]),
        np.interp(grid, pt, [p[2] for p in tl.path]),
    )
    speed = np.hypot(np.gradient(gx), np.gradient(gy)) * 60
    kernel = np.hanning(25)
    speed = np.convolve(speed, kernel / kernel.sum(), mode="same")
    cadence = 0.55 + 0.5 * np.clip(speed, 0.0, 2.0)  # strides per second
    phase = np.cumsum(cadence) * 2 * np.pi / 60
    amp = np.clip(speed / 1.1, 0.0, 1.4)
    return x, y, np.stack([np.interp(times, grid, phase), np.interp(times, grid, amp)])


def sample_motion(tl: Timeline, times: Array) -> Sampled:
    """Evaluate a timeline at ``times`` (seconds, increasing)."""
    x, y, (phase, gait) = _path(tl, times)
    s = {name: _scalar(keys, times) for name, keys in tl.scalars.items()}
    posture = Posture(
        x=x,
        y=y,
        heading=_scalar(tl.headings, times),
        gait_phase=phase,
        gait=gait,
        squat=s["squat"],
        torso_pitch=s["torso_pitch"],
        torso_yaw=s["torso_yaw"],
        torso_roll=s["torso_roll"],
        head_yaw=s["head_yaw"],
        head_pitch=s["head_pitch"],
    )
    hand_keys = {}
    for side, keys in tl.hands.items():
        kt = np.array([k[0] for k in keys])
        i, w = _segments(kt, times)
        hand_keys[side] = ([k[1] for k in keys], i, w)
    return Sampled(
        times=times,
        posture=posture,
        hand_keys=hand_keys,
        wiggle={side: s[f"{side}_wiggle"] for side in ("left", "right")},
        swing={side: s[f"{side}_swing"] for side in ("left", "right")},
    )


def spans_mask(spans: list[tuple[float, float]], times: Array) -> npt.NDArray[np.bool_]:
    """Boolean mask of times inside any (start, end) span (inclusive)."""
    mask = np.zeros(len(times), dtype=bool)
    for a, b in spans:
        mask |= (times >= a) & (times <= b)
    return mask
