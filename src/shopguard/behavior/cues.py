"""Explainable cues from one track's keypoints and the camera's zones.

A ``CueTracker`` follows one person frame by frame (constant memory) and states, as
``Reason`` objects with time spans, what a guard can check on the clip:

* ``conceal_after_shelf``: a hand reached into a shelf zone (stretched away from the
  body, wrist inside the zone's polygon), then went to the waistband
  or a pocket (elbow bent, wrist at hip height) and stayed there;
* ``skipped_checkout``: a hand reached into a shelf zone and the person later reached an
  exit zone without standing in a checkout zone in between;
* ``looking_around``: the head turned from side to side repeatedly (yaw from the nose
  against the ears).

A cue keeps counting for ``CueConfig.hold_s`` after it ends.

Example:
    >>> import numpy as np
    >>> tracker = CueTracker(ZoneSet([]), CueConfig(), CueWeights())
    >>> tracker.update(0.0, np.zeros((17, 3), np.float32), np.zeros(4, np.float32))
    >>> tracker.reasons(0.0)
    []
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import CueConfig, CueWeights
from shopguard.behavior.zones import ZoneSet
from shopguard.core import Reason
from shopguard.keypoints import KP

F32 = npt.NDArray[np.float32]

# Joint indices as plain ints: indexing a list with an IntEnum member is several times slower.
_LEFT_ANKLE = int(KP.LEFT_ANKLE)
_LEFT_EAR = int(KP.LEFT_EAR)
_LEFT_ELBOW = int(KP.LEFT_ELBOW)
_LEFT_HIP = int(KP.LEFT_HIP)
_LEFT_SHOULDER = int(KP.LEFT_SHOULDER)
_LEFT_WRIST = int(KP.LEFT_WRIST)
_NOSE = int(KP.NOSE)
_RIGHT_ANKLE = int(KP.RIGHT_ANKLE)
_RIGHT_EAR = int(KP.RIGHT_EAR)
_RIGHT_ELBOW = int(KP.RIGHT_ELBOW)
_RIGHT_HIP = int(KP.RIGHT_HIP)
_RIGHT_SHOULDER = int(KP.RIGHT_SHOULDER)
_RIGHT_WRIST = int(KP.RIGHT_WRIST)

_HANDS = (
    ("left", _LEFT_SHOULDER, _LEFT_ELBOW, _LEFT_WRIST),
    ("right", _RIGHT_SHOULDER, _RIGHT_ELBOW, _RIGHT_WRIST),
)
_BENT_ELBOW_DEG = 140.0
_DWELL_GAP_S = 0.5  # a hand unseen this long ends its dwell


@dataclass(slots=True)
class _Dwell:
    region: str
    start: float
    last: float
    reach_t: float | None = None
    reach_zone: str = ""


Points = Sequence[Sequence[float]]
"""A pose as 17 (x, y, confidence) rows: a (17, 3) array or its ``tolist()``."""


def _rows(kps: Points | F32) -> Points:
    return kps.tolist() if isinstance(kps, np.ndarray) else kps


def _body(p: Points, min_conf: float) -> tuple[float, float, float] | None:
    """Mid-hip x, y and torso length, when both hips and shoulders are seen."""
    lh, rh, ls, rs = p[_LEFT_HIP], p[_RIGHT_HIP], p[_LEFT_SHOULDER], p[_RIGHT_SHOULDER]
    if min(lh[2], rh[2], ls[2], rs[2]) < min_conf:
        return None
    hx, hy = (lh[0] + rh[0]) / 2, (lh[1] + rh[1]) / 2
    torso = math.hypot(hx - (ls[0] + rs[0]) / 2, hy - (ls[1] + rs[1]) / 2)
    return (hx, hy, torso) if torso > 1e-3 else None


Body = tuple[float, float, float] | None
"""Mid-hip x, y and torso length of a pose (``None`` when hips or shoulders are unseen)."""


def _wrist_offset(p: Points, hand: int, min_conf: float, body: Body) -> tuple[float, float] | None:
    """Wrist position relative to the mid-hip in torso lengths (y down), if the body is seen."""
    wrist = p[_HANDS[hand][3]]
    if body is None or wrist[2] < min_conf:
        return None
    hx, hy, torso = body
    return (wrist[0] - hx) / torso, (wrist[1] - hy) / torso


def _elbow_angle(p: Points, hand: int) -> float:
    _, s, e, w = _HANDS[hand]
    shoulder, elbow, wrist = p[s], p[e], p[w]
    ux, uy = shoulder[0] - elbow[0], shoulder[1] - elbow[1]
    fx, fy = wrist[0] - elbow[0], wrist[1] - elbow[1]
    cos = (ux * fx + uy * fy) / (math.hypot(ux, uy) * math.hypot(fx, fy) + 1e-9)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def hand_region(kps: Points | F32, hand: int, min_conf: float) -> str | None:
    """``"waistband"``, ``"pocket"`` or ``None`` for one hand (0 left, 1 right) of a pose.

    The elbow must be bent, which tells a hand held at the body from an arm hanging loose.
    """
    p = _rows(kps)
    return _hand_region(p, hand, min_conf, _wrist_offset(p, hand, min_conf, _body(p, min_conf)))


def _hand_region(
    p: Points, hand: int, min_conf: float, offset: tuple[float, float] | None
) -> str | None:
    if offset is None or p[_HANDS[hand][2]][2] < min_conf:
        return None
    if _elbow_angle(p, hand) > _BENT_ELBOW_DEG:
        return None
    dx, dy = offset
    if abs(dx) < 0.35 and -0.4 < dy < 0.35:
        return "waistband"
    if abs(dx) < 0.75 and -0.2 < dy < 0.4:
        return "pocket"
    return None


def is_reaching(kps: Points | F32, hand: int, min_conf: float) -> bool:
    """Whether a hand is stretched away from the body (sideways, above the head or low)."""
    p = _rows(kps)
    return _is_reaching(_wrist_offset(p, hand, min_conf, _body(p, min_conf)))


def _is_reaching(offset: tuple[float, float] | None) -> bool:
    if offset is None:
        return False
    dx, dy = offset
    return abs(dx) > 0.55 or dy < -1.05 or dy > 0.55


def head_yaw(kps: Points | F32, min_conf: float) -> float | None:
    """Head yaw proxy in [−1, 1] (0 facing the camera), or ``None`` without a face."""
    p = _rows(kps)
    nose, left, right = p[_NOSE], p[_LEFT_EAR], p[_RIGHT_EAR]
    if nose[2] < min_conf:
        return None
    left_ok, right_ok = left[2] >= min_conf, right[2] >= min_conf
    if left_ok and right_ok:
        half = max(abs(left[0] - right[0]) / 2, 1e-6)
        return max(-1.0, min(1.0, (nose[0] - (left[0] + right[0]) / 2) / half))
    if left_ok != right_ok:
        ear = left if left_ok else right
        return 1.0 if nose[0] > ear[0] else -1.0
    return None


def foot_point(kps: Points | F32, box: Sequence[float], min_conf: float) -> tuple[float, float]:
    """Where the person stands: mid-ankle when both ankles are seen, else the box's bottom."""
    p = _rows(kps)
    la, ra = p[_LEFT_ANKLE], p[_RIGHT_ANKLE]
    if la[2] >= min_conf and ra[2] >= min_conf:
        return (la[0] + ra[0]) / 2, (la[1] + ra[1]) / 2
    return (float(box[0]) + float(box[2])) / 2, float(box[3])


class CueTracker:
    """Per-track state for the zone cues; feed every frame to ``update``."""

    def __init__(self, zones: ZoneSet, cfg: CueConfig, weights: CueWeights) -> None:
        self.zones, self.cfg, self.weights = zones, cfg, weights
        self._reach_t: float | None = None  # latest hand in a shelf zone
        self._reach_zone = ""
        self._unpaid: tuple[float, str] | None = None  # shelf reach not followed by checkout
        self._dwell: list[_Dwell | None] = [None, None]
        self._fired: dict[str, Reason] = {}
        self._yaw_side = 0
        self._turns: deque[float] = deque()

    def update(self, t: float, keypoints: Points | F32, box: Sequence[float] | F32) -> None:
        """Advance the cues with one frame of this track (keypoints (17, 3), box xyxy)."""
        c = self.cfg.min_joint_conf
        p = _rows(keypoints)
        body = _body(p, c)  # once per frame for both hands' reach and region
        offsets = (_wrist_offset(p, 0, c, body), _wrist_offset(p, 1, c, body))
        self._update_reach(t, p, offsets)
        for hand in (0, 1):
            self._update_dwell(t, hand, _hand_region(p, hand, c, offsets[hand]), p)
        if self.zones.has("checkout"):  # see _update_location
            feet = foot_point(p, box.tolist() if isinstance(box, np.ndarray) else box, c)
            self._update_location(t, feet)
        self._update_yaw(t, head_yaw(p, c))

    def reasons(self, t: float) -> list[Reason]:
        """Cues active at ``t`` (firing now or ended at most ``hold_s`` ago)."""
        return [r for r in self._fired.values() if r.t_end + self.cfg.hold_s >= t]

    def _fire(self, code: str, text: str, t_start: float, t_end: float, weight: float) -> None:
        self._fired[code] = Reason(code, text, t_start, t_end, weight)

    def _update_reach(
        self, t: float, kps: Points, offsets: tuple[tuple[float, float] | None, ...]
    ) -> None:
        """A hand stretched away from the body into a shelf zone is a reach into the shelf."""
        for hand, (_, _, _, wrist) in enumerate(_HANDS):
            if not _is_reaching(offsets[hand]):
                continue
            zone = self.zones.find((kps[wrist][0], kps[wrist][1]), "shelf")
            if zone is not None:
                self._reach_t, self._reach_zone = t, zone
                self._unpaid = (t, zone)

    def _update_dwell(self, t: float, hand: int, region: str | None, kps: Points) -> None:
        dwell = self._dwell[hand]
        if dwell is not None and (region != dwell.region or t - dwell.last > _DWELL_GAP_S):
            unseen = region is None and kps[_HANDS[hand][3]][2] < self.cfg.min_joint_conf
            if unseen and t - dwell.last <= _DWELL_GAP_S:
                return  # wrist briefly unseen: the dwell goes on
            self._dwell[hand] = dwell = None
        if region is None:
            return
        if dwell is None:
            dwell = self._dwell[hand] = _Dwell(region, t, t, self._reach_t, self._reach_zone)
        dwell.last = t
        held = dwell.last - dwell.start
        if (
            dwell.reach_t is not None
            and held >= self.cfg.conceal_min_dwell_s
            and dwell.start - dwell.reach_t <= self.cfg.conceal_within_s
        ):
            side = _HANDS[hand][0]
            self._fire(
                "conceal_after_shelf",
                f"{side} hand at {dwell.region} for {held:.1f} s after reaching into "
                f"shelf zone {dwell.reach_zone}",
                dwell.reach_t,
                t,
                self.weights.conceal_after_shelf,
            )

    def _update_location(self, t: float, foot: tuple[float, float]) -> None:
        """Only with a checkout zone in view: without one, skipping it cannot be told."""
        if self.zones.find(foot, "checkout") is not None:
            self._unpaid = None
            return
        exit_zone = self.zones.find(foot, "exit")
        if exit_zone is not None and self._unpaid is not None:
            t0, shelf = self._unpaid
            self._fire(
                "skipped_checkout",
                f"reached exit zone {exit_zone} {t - t0:.1f} s after reaching into shelf "
                f"zone {shelf}, without visiting a checkout",
                t0,
                t,
                self.weights.skipped_checkout,
            )

    def _update_yaw(self, t: float, yaw: float | None) -> None:
        while self._turns and t - self._turns[0] > self.cfg.look_window_s:
            self._turns.popleft()
        if yaw is None:
            return
        side = 1 if yaw >= self.cfg.look_yaw else -1 if yaw <= -self.cfg.look_yaw else 0
        if side != 0 and side != self._yaw_side:
            self._yaw_side = side
            self._turns.append(t)
        if len(self._turns) >= self.cfg.look_min_turns:
            span = t - self._turns[0]
            self._fire(
                "looking_around",
                f"looked from side to side {len(self._turns)} times in {span:.1f} s",
                self._turns[0],
                t,
                self.weights.looking_around,
            )
