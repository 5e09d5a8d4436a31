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

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shopguard.behavior.config import CueWeights, FeatureConfig, ScorerConfig, ZoneConfig
from shopguard.behavior.cues import CueTracker
from shopguard.behavior.features import extract_windows
from shopguard.behavior.model import WindowModel
from shopguard.behavior.zones import ZoneSet
from shopguard.core import Assessment, Reason, Tracks

F32 = npt.NDArray[np.float32]


def fuse(probability: float, reasons: Iterable[Reason], weights: CueWeights) -> float:
    """Noisy-OR of the model's weighted probability and the cues' weights, in [0, 1]."""
    keep = 1.0 - weights.model * probability
    for reason in reasons:
        keep *= 1.0 - reason.weight
    return float(np.clip(1.0 - keep, 0.0, 1.0))


@dataclass(slots=True)
class _TrackState:
    cues: CueTracker
    first_seen: float
    maxlen: int
    times: deque[float] = field(init=False)
    keypoints: deque[F32] = field(init=False)
    box: F32 = field(default_factory=lambda: np.zeros(4, np.float32))
    last_seen: float = float("-inf")
    next_due: float = float("-inf")

    def __post_init__(self) -> None:
        self.times = deque(maxlen=self.maxlen)
        self.keypoints = deque(maxlen=self.maxlen)


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
                state.maxlen = self._maxlen
                state.times = deque(state.times, maxlen=self._maxlen)
                state.keypoints = deque(state.keypoints, maxlen=self._maxlen)

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
        if not np.isfinite(t):
            self.stats["skipped_bad_time"] += 1
            return []
        due: list[tuple[int, _TrackState]] = []
        for i, track_id in enumerate(tracks.ids.tolist()):
            state = self._add(int(track_id), t, tracks.keypoints[i], tracks.boxes[i])
            if state is not None and self._is_due(state, t):
                due.append((int(track_id), state))
        self._drop_stale(t)
        return self._assess(due, t) if due else []

    def _add(self, track_id: int, t: float, kps: F32, box: F32) -> _TrackState | None:
        if not np.isfinite(box).all():
            self.stats["skipped_bad_box"] += 1
            return None
        bad = np.asarray(~np.isfinite(kps).all(axis=1), bool)
        if bad.any():
            self.stats["nan_keypoints"] += 1
            kps = np.where(bad[:, None], 0.0, kps).astype(np.float32)
        state = self._tracks.get(track_id)
        if state is None:
            cues = CueTracker(self.zones, self.config.cues, self.config.weights)
            state = self._tracks[track_id] = _TrackState(cues, t, self._maxlen)
        elif state.times and t <= state.times[-1]:
            self.stats["skipped_stale_frame"] += 1
            return None
        state.times.append(t)
        state.keypoints.append(np.array(kps, np.float32))
        state.box, state.last_seen = np.array(box, np.float32), t
        while state.times[0] < t - self._history_s:
            state.times.popleft()
            state.keypoints.popleft()
        state.cues.update(t, state.keypoints[-1], state.box)
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
        windows = [
            extract_windows(np.fromiter(s.times, float), np.stack(s.keypoints), [t], self.features)
            for _, s in due
        ]
        ok = [bool(w.valid[0]) for w in windows]
        self.stats["skipped_windows"] += ok.count(False)
        if not any(ok):
            return [None] * len(due)
        batch = np.concatenate([w.features for w, good in zip(windows, ok, strict=True) if good])
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
            box = tuple(float(v) for v in state.box)
            out.append(
                Assessment(
                    track_id=track_id,
                    t=t,
                    probability=prob,
                    score=fuse(prob, (r for r in reasons if r.code != "model"), cfg.weights),
                    reasons=tuple(reasons),
                    box=(box[0], box[1], box[2], box[3]),
                    model_version=self.model_version,
                    extra={"window_valid": float(p is not None)},
                )
            )
        return out
