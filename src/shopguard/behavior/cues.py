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

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import CueConfig, CueWeights
from shopguard.behavior.zones import ZoneSet
from shopguard.core import Reason
from shopguard.keypoints import KP

F32 = npt.NDArray[np.float32]

_HANDS = (
    ("left", KP.LEFT_SHOULDER, KP.LEFT_ELBOW, KP.LEFT_WRIST),
    ("right", KP.RIGHT_SHOULDER, KP.RIGHT_ELBOW, KP.RIGHT_WRIST),
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


def _wrist_offset(kps: F32, wrist: int, min_conf: float) -> tuple[float, float] | None:
    """Wrist position relative to the mid-hip in torso lengths (y down), if the body is seen."""
    need = [wrist, KP.LEFT_HIP, KP.RIGHT_HIP, KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER]
    if not bool(np.all(kps[need, 2] >= min_conf)):
        return None
    xy = kps[:, :2].astype(np.float64)
    hip = (xy[KP.LEFT_HIP] + xy[KP.RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(hip - (xy[KP.LEFT_SHOULDER] + xy[KP.RIGHT_SHOULDER]) / 2))
    if torso < 1e-3:
        return None
    dx, dy = (xy[wrist] - hip) / torso
    return float(dx), float(dy)


def hand_region(kps: F32, hand: int, min_conf: float) -> str | None:
    """``"waistband"``, ``"pocket"`` or ``None`` for one hand (0 left, 1 right) of a pose.

    The elbow must be bent, which tells a hand held at the body from an arm hanging loose.
    """
    _, shoulder, elbow, wrist = _HANDS[hand]
    offset = _wrist_offset(kps, wrist, min_conf)
    if offset is None or kps[elbow, 2] < min_conf:
        return None
    upper = (kps[shoulder, :2] - kps[elbow, :2]).astype(np.float64)
    fore = (kps[wrist, :2] - kps[elbow, :2]).astype(np.float64)
    cos = float(upper @ fore / (np.linalg.norm(upper) * np.linalg.norm(fore) + 1e-9))
    if np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))) > _BENT_ELBOW_DEG:
        return None
    dx, dy = offset
    if abs(dx) < 0.35 and -0.4 < dy < 0.35:
        return "waistband"
    if abs(dx) < 0.75 and -0.2 < dy < 0.4:
        return "pocket"
    return None


def is_reaching(kps: F32, hand: int, min_conf: float) -> bool:
    """Whether a hand is stretched away from the body (sideways, above the head or low)."""
    offset = _wrist_offset(kps, _HANDS[hand][3], min_conf)
    if offset is None:
        return False
    dx, dy = offset
    return abs(dx) > 0.55 or dy < -1.05 or dy > 0.55


def head_yaw(kps: F32, min_conf: float) -> float | None:
    """Head yaw proxy in [−1, 1] (0 facing the camera), or ``None`` without a face."""
    ok = kps[:, 2] >= min_conf
    if not ok[KP.NOSE]:
        return None
    nose = float(kps[KP.NOSE, 0])
    left, right = bool(ok[KP.LEFT_EAR]), bool(ok[KP.RIGHT_EAR])
    if left and right:
        lx, rx = float(kps[KP.LEFT_EAR, 0]), float(kps[KP.RIGHT_EAR, 0])
        half = abs(lx - rx) / 2
        return float(np.clip((nose - (lx + rx) / 2) / max(half, 1e-6), -1.0, 1.0))
    if left != right:
        ear = float(kps[KP.LEFT_EAR if left else KP.RIGHT_EAR, 0])
        return 1.0 if nose > ear else -1.0
    return None


def foot_point(kps: F32, box: F32, min_conf: float) -> tuple[float, float]:
    """Where the person stands: mid-ankle when both ankles are seen, else the box's bottom."""
    ankles = kps[[KP.LEFT_ANKLE, KP.RIGHT_ANKLE]]
    if bool(np.all(ankles[:, 2] >= min_conf)):
        x, y = ankles[:, :2].mean(axis=0)
        return float(x), float(y)
    return float((box[0] + box[2]) / 2), float(box[3])


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

    def update(self, t: float, keypoints: F32, box: F32) -> None:
        """Advance the cues with one frame of this track (keypoints (17, 3), box xyxy)."""
        c = self.cfg.min_joint_conf
        self._update_reach(t, keypoints)
        for hand in (0, 1):
            self._update_dwell(t, hand, hand_region(keypoints, hand, c), keypoints)
        self._update_location(t, foot_point(keypoints, box, c))
        self._update_yaw(t, head_yaw(keypoints, c))

    def reasons(self, t: float) -> list[Reason]:
        """Cues active at ``t`` (firing now or ended at most ``hold_s`` ago)."""
        return [r for r in self._fired.values() if r.t_end + self.cfg.hold_s >= t]

    def _fire(self, code: str, text: str, t_start: float, t_end: float, weight: float) -> None:
        self._fired[code] = Reason(code, text, t_start, t_end, weight)

    def _update_reach(self, t: float, kps: F32) -> None:
        """A hand stretched away from the body into a shelf zone is a reach into the shelf."""
        for hand, (_, _, _, wrist) in enumerate(_HANDS):
            if not is_reaching(kps, hand, self.cfg.min_joint_conf):
                continue
            zone = self.zones.find((float(kps[wrist, 0]), float(kps[wrist, 1])), "shelf")
            if zone is not None:
                self._reach_t, self._reach_zone = t, zone
                self._unpaid = (t, zone)

    def _update_dwell(self, t: float, hand: int, region: str | None, kps: F32) -> None:
        dwell = self._dwell[hand]
        if dwell is not None and (region != dwell.region or t - dwell.last > _DWELL_GAP_S):
            unseen = region is None and kps[_HANDS[hand][3], 2] < self.cfg.min_joint_conf
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
        if not self.zones.has("checkout"):
            return  # without a checkout in view, skipping it cannot be told
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
