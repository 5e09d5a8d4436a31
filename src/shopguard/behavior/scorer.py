"""Per-track suspicion scores: the sequence model fused with the zone cues.

The scorer keeps a short, bounded pose history per track, scores each track every
``ScorerConfig.stride_s`` seconds, sends all windows due in a frame to the model in one
batch, and fuses the model probability with the active cues (noisy-OR of weighted
evidence, so the score stays in [0, 1] and each reason's weight is its own share).

Bad input never raises: frames with non-finite values, time going backwards and windows
without a usable body are skipped and counted in ``Scorer.stats``.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> scorer = Scorer(model=None, zones=[])
    >>> scorer.update(Tracks.empty(), t=0.0)
    []
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import CueWeights, FeatureConfig, ScorerConfig, ZoneConfig
from shopguard.behavior.cues import CueTracker
from shopguard.behavior.features import extract_track_windows
from shopguard.behavior.model import WindowModel
from shopguard.behavior.sides import SideKeeper
from shopguard.behavior.zones import ZoneSet
from shopguard.core import Assessment, Reason, Tracks
from shopguard.keypoints import NUM_KEYPOINTS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def fuse(probability: float, reasons: Iterable[Reason], weights: CueWeights) -> float:
    """Noisy-OR of the model's weighted probability and the cues' weights, in [0, 1]."""
    keep = 1.0 - weights.model * probability
    for reason in reasons:
        keep *= 1.0 - reason.weight
    return min(max(1.0 - keep, 0.0), 1.0)


class _TrackState:
    """One track's cue state and its recent frames, in arrays that grow to fit: a frame
    is written once, and a window reads the history as a view (no per-window stacking)."""

    __slots__ = ("_end", "_kps", "_start", "_t", "box", "cues", "first_seen", "last_seen",
                 "maxlen", "next_due", "sides")

    def __init__(self, cues: CueTracker, first_seen: float, maxlen: int) -> None:
        self.cues, self.first_seen, self.maxlen = cues, first_seen, maxlen
        self.sides: SideKeeper | None = None  # made when the features steady the sides
        self.box: F32 = np.zeros(4, np.float32)
        self.last_seen = float("-inf")
        self.next_due = float("-inf")
        self._t = np.zeros(32, np.float64)
        # Keypoints channel- and joint-major, (3, 17, capacity): the feature code reads
        # them that way.
        self._kps = np.zeros((3, NUM_KEYPOINTS, 32), np.float32)
        self._start = self._end = 0

    @property
    def times(self) -> F64:
        """(T,) capture times of the frames held, oldest first."""
        return self._t[self._start : self._end]

    @property
    def keypoints(self) -> F32:
        """(T, 17, 3) keypoints of the frames held (a view)."""
        return self._kps[:, :, self._start : self._end].transpose(2, 1, 0)

    def append(self, t: float, kps: F32, history_s: float) -> None:
        """Add a frame; drop frames older than ``history_s`` and beyond ``maxlen``."""
        if self._end == len(self._t):
            self._make_room()
        self._t[self._end], self._kps[:, :, self._end] = t, kps.T
        self._end += 1
        self._start = max(self._start, self._end - self.maxlen)
        oldest = t - history_s
        while self._t[self._start] < oldest:
            self._start += 1

    def _make_room(self) -> None:
        live, cap = self._end - self._start, len(self._t)
        if live > cap // 2:  # grow (the history is bounded, so is this)
            t = np.zeros(2 * cap, np.float64)
            kps = np.zeros((3, NUM_KEYPOINTS, 2 * cap), np.float32)
        else:  # move the frames held to the front
            t, kps = self._t, self._kps
        t[:live] = self._t[self._start : self._end]
        kps[:, :, :live] = self._kps[:, :, self._start : self._end]
        self._t, self._kps, self._start, self._end = t, kps, 0, live

    def resize(self, maxlen: int) -> None:
        self.maxlen = maxlen
        self._start = max(self._start, self._end - maxlen)


class Scorer:
    """Scores tracks of one camera over time.

    Args:
        model: the behaviour model, or ``None`` to score with the zone cues alone.
        zones: the camera's zones.
        config: scheduling and fusion settings.
        features: feature settings when there is no model (a model brings its own).
    """

    def __init__(
        self,
        model: WindowModel | None,
        zones: Sequence[ZoneConfig] | ZoneSet = (),
        config: ScorerConfig | None = None,
        features: FeatureConfig | None = None,
    ) -> None:
        self.model = model
        self.zones = zones if isinstance(zones, ZoneSet) else ZoneSet(zones)
        self.config = config or ScorerConfig()
        self.features = model.feature_config if model else (features or FeatureConfig())
        self.model_version = model.version if model else ""
        self.stats: Counter[str] = Counter()
        self._tracks: dict[int, _TrackState] = {}
        self._size_history()

    def _size_history(self) -> None:
        # Keep one window plus the longest gap the features bridge.
        self._history_s = self.features.window_s + self.features.max_gap_s + 0.5
        self._maxlen = int(np.ceil(self._history_s * self.config.max_fps)) + 1

    def use_model(self, model: WindowModel) -> None:
        """Score with ``model`` from the next window on (call between frames, never during
        ``update``). Track histories and cue state are kept; they are resized when the new
        model's windows are longer or shorter."""
        self.model, self.model_version = model, model.version
        if model.feature_config != self.features:
            self.features = model.feature_config
            self._size_history()
            for state in self._tracks.values():
                state.resize(self._maxlen)

    @property
    def track_ids(self) -> list[int]:
        """Ids of the tracks currently held."""
        return list(self._tracks)

    def forget(self, track_id: int) -> None:
        """Drop a track's history and cue state (e.g. when the tracker loses it)."""
        self._tracks.pop(track_id, None)

    def update(self, tracks: Tracks, t: float) -> list[Assessment]:
        """Add one frame's tracks at capture time ``t``; assess the tracks that are due."""
        self.stats["frames"] += 1
        if not math.isfinite(t):
            self.stats["skipped_bad_time"] += 1
            return []
        due: list[tuple[int, _TrackState]] = []
        keypoints, boxes = tracks.keypoints, tracks.boxes
        for i, track_id in enumerate(tracks.ids.tolist()):
            state = self._add(int(track_id), t, keypoints[i], boxes[i])
            if state is not None and self._is_due(state, t):
                due.append((int(track_id), state))
        self._drop_stale(t)
        return self._assess(due, t) if due else []

    def _add(self, track_id: int, t: float, kps: F32, box: F32) -> _TrackState | None:
        # Checks in plain Python: NumPy calls on a (17, 3) array cost more than the data.
        if not all(map(math.isfinite, box.tolist())):
            self.stats["skipped_bad_box"] += 1
            return None
        rows: list[list[float]] = kps.tolist()
        # The float64 sum of float32 values cannot overflow: finite iff they all are.
        if kps.dtype != np.float32 or not math.isfinite(sum(itertools.chain.from_iterable(rows))):
            bad = np.asarray(~np.isfinite(kps).all(axis=1), bool)
            if bad.any():
                self.stats["nan_keypoints"] += 1
                kps = np.where(bad[:, None], 0.0, kps)
            kps = np.asarray(kps, np.float32)
            rows = kps.tolist()
        state = self._tracks.get(track_id)
        if state is None:
            cues = CueTracker(self.zones, self.config.cues, self.config.weights)
            state = self._tracks[track_id] = _TrackState(cues, t, self._maxlen)
        elif t <= state.last_seen:
            self.stats["skipped_stale_frame"] += 1
            return None
        if self.features.steady_sides:
            state.sides = state.sides or SideKeeper()
            if (fixed := state.sides.update(t, kps)) is not kps:
                self.stats["side_swaps"] += 1
                kps, rows = fixed, fixed.tolist()
        state.append(t, kps, self._history_s)
        state.box, state.last_seen = np.array(box, np.float32), t
        state.cues.update(t, rows, state.box)
        return state

    def _is_due(self, state: _TrackState, t: float) -> bool:
        if t < state.next_due or t - state.first_seen < self.config.min_history_s:
            return False
        state.next_due = t + self.config.stride_s - 1e-6
        return True

    def _drop_stale(self, t: float) -> None:
        limit = self.config.forget_after_s
        for track_id in [k for k, s in self._tracks.items() if t - s.last_seen > limit]:
            del self._tracks[track_id]
            self.stats["tracks_forgotten"] += 1

    def _probabilities(self, due: list[tuple[int, _TrackState]], t: float) -> list[float | None]:
        """Model probability per due track (``None`` for an unusable window), one model call."""
        if self.model is None:
            return [0.0] * len(due)
        end = (t,)
        histories = [(s.times, s.keypoints, end) for _, s in due]
        windows = extract_track_windows(histories, self.features)  # together, not one by one
        ok: list[bool] = windows.valid.tolist()
        self.stats["skipped_windows"] += ok.count(False)
        if not any(ok):
            return [None] * len(due)
        batch = windows.features if all(ok) else windows.features[windows.valid]
        probs = iter(self.model.predict(batch).tolist())
        self.stats["model_calls"] += 1
        self.stats["windows_scored"] += len(batch)
        return [next(probs) if good else None for good in ok]

    def _assess(self, due: list[tuple[int, _TrackState]], t: float) -> list[Assessment]:
        cfg = self.config
        out = []
        for (track_id, state), p in zip(due, self._probabilities(due, t), strict=True):
            reasons = state.cues.reasons(t)
            prob = 0.0 if p is None else p
            if self.model is not None and prob >= cfg.model_reason_min_p:
                reasons.append(
                    Reason(
                        "model",
                        f"movements resemble concealment (model {prob:.2f})",
                        t - self.features.window_s,
                        t,
                        cfg.weights.model * prob,
                    )
                )
            reasons.sort(key=lambda r: -r.weight)
            x0, y0, x1, y1 = state.box.tolist()
            out.append(
                Assessment(
                    track_id=track_id,
                    t=t,
                    probability=prob,
                    score=fuse(prob, (r for r in reasons if r.code != "model"), cfg.weights),
                    reasons=tuple(reasons),
                    box=(x0, y0, x1, y1),
                    model_version=self.model_version,
                    extra={"window_valid": float(p is not None)},
                )
            )
        return out
