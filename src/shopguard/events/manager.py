"""Event lifecycle for one camera: turns per-track assessments into opened / updated /
closed events, with N-of-M opening, hysteresis, a quiet period and cooldowns.

Pure logic: no clock, no I/O. Call ``update`` for every analysed frame (with an empty
list when nothing was assessed, so quiet and lost tracks still close on time).

Example:
    >>> from shopguard.core import Assessment
    >>> m = EventManager("cam1", EventConfig(open_k=1, open_m=1))
    >>> [u.kind for u in m.update([Assessment(7, 0.0, 0.9, 0.9)], t=0.0)]
    ['opened']
    >>> [u.kind for u in m.update([], t=10.0)]
    ['closed']
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from shopguard.core import Assessment, Reason
from shopguard.events.config import EventConfig

UpdateKind = Literal["opened", "updated", "closed"]
CloseReason = Literal["quiet", "lost", "max_duration", "shutdown"]
Box = tuple[float, float, float, float]

#: Score points an event keeps (at the scorer's 0.25 s stride: the last 5 minutes).
MAX_SCORE_POINTS = 1200
#: The model-version key under which the behaviour model of an assessment is recorded.
BEHAVIOR_MODEL_KEY = "behavior"


@dataclass(frozen=True, slots=True)
class ActiveEvent:
    """One incident on one track, as known at the time of an update (immutable snapshot).

    Attributes:
        id: uuid4 string.
        camera_id: camera the event belongs to.
        track_id: tracker id of the person.
        t_start: time of the first hit among the windows that opened the event.
        t_opened: time of the assessment that opened it (when the alert goes out).
        t_end: last time the track was active (score ≥ quiet threshold).
        peak_score: highest score so far; ``peak_t`` and ``peak_box`` are its time and box.
        reasons: merged cues, one per code with the union of their spans, strongest first.
        model_versions: model name → version(s) that produced the scores.
        close_reason: why it closed; ``None`` while open.
        scores: the track's (time, score) assessments from the opening window on (the most
            recent ``MAX_SCORE_POINTS``), for the dashboard's score-over-time chart.
    """

    id: str
    camera_id: str
    track_id: int
    t_start: float
    t_opened: float
    t_end: float
    peak_score: float
    peak_t: float
    peak_box: Box | None
    reasons: tuple[Reason, ...]
    model_versions: Mapping[str, str]
    close_reason: CloseReason | None = None
    scores: tuple[tuple[float, float], ...] = ()

    @property
    def closed(self) -> bool:
        return self.close_reason is not None


@dataclass(frozen=True, slots=True)
class EventUpdate:
    """A change in an event's life: ``opened``, ``updated`` (new peak or cue) or ``closed``."""

    kind: UpdateKind
    event: ActiveEvent


@dataclass(slots=True)
class _Track:
    window: deque[Assessment]
    last_seen: float
    event: ActiveEvent | None = None
    cooldown_until: float = float("-inf")


class EventManager:
    """Per-camera event state machine.

    Args:
        camera_id: camera whose assessments this manager receives.
        config: thresholds, windows, quiet period, cooldowns and maximum length.
        model_version_provider: returns model name → version (pose, tracker, ...) at the
            time an event opens; the behaviour model's version comes from the assessments.

    Attributes:
        suppressed: assessments that met the opening rule but were held back by a cooldown.
    """

    def __init__(
        self,
        camera_id: str,
        config: EventConfig | None = None,
        model_version_provider: Callable[[], Mapping[str, str]] | None = None,
    ):
        self.camera_id = camera_id
        self.config = config or EventConfig()
        self.model_version_provider = model_version_provider
        self.suppressed = 0
        self._tracks: dict[int, _Track] = {}
        self._camera_ready_at = float("-inf")

    @property
    def open_events(self) -> list[ActiveEvent]:
        """Events currently open, one per track at most."""
        return [tr.event for tr in self._tracks.values() if tr.event is not None]

    def update(self, assessments: Iterable[Assessment], t: float) -> list[EventUpdate]:
        """Feed the assessments made at time ``t``; returns the resulting event changes."""
        updates: list[EventUpdate] = []
        for a in assessments:
            tr = self._track(a)
            if tr.event is None:
                opened = self._maybe_open(tr, a.track_id, t)
                if opened is not None:
                    updates.append(EventUpdate("opened", opened))
            elif self._continue(tr, a):
                updates.append(EventUpdate("updated", tr.event))
        updates.extend(self._close_due(t))
        self._prune(t)
        return updates

    def flush(self, t: float) -> list[EventUpdate]:
        """Close every open event (shutdown); ``t`` is the time of the last frame."""
        updates = [self._close(tr, "shutdown", t) for tr in self._tracks.values() if tr.event]
        self._prune(t)
        return updates

    def _track(self, a: Assessment) -> _Track:
        cfg = self.config
        tr = self._tracks.get(a.track_id)
        if tr is None:
            tr = self._tracks[a.track_id] = _Track(deque(maxlen=cfg.open_m), a.t)
        elif a.t - tr.last_seen >= cfg.quiet_s:
            tr.window.clear()  # the track was away: its old windows say nothing about now
        tr.last_seen = max(tr.last_seen, a.t)
        tr.window.append(a)
        return tr

    def _maybe_open(self, tr: _Track, track_id: int, t: float) -> ActiveEvent | None:
        cfg = self.config
        hits = [w for w in tr.window if w.score >= cfg.threshold]
        if len(hits) < cfg.open_k:
            return None
        if t < tr.cooldown_until or t < self._camera_ready_at:
            self.suppressed += 1
            return None
        peak = max(hits, key=lambda w: w.score)
        versions: Mapping[str, str] = (
            dict(self.model_version_provider()) if self.model_version_provider else {}
        )
        for w in hits:
            versions = _add_version(versions, w.model_version)
        tr.event = ActiveEvent(
            id=str(uuid.uuid4()),
            camera_id=self.camera_id,
            track_id=track_id,
            t_start=hits[0].t,
            t_opened=t,
            t_end=max(w.t for w in tr.window if w.score >= cfg.quiet_threshold),
            peak_score=peak.score,
            peak_t=peak.t,
            peak_box=peak.box,
            reasons=merge_reasons((), (r for w in hits for r in w.reasons))[0],
            model_versions=versions,
            scores=tuple((w.t, w.score) for w in tr.window),
        )
        self._camera_ready_at = t + cfg.camera_cooldown_s
        return tr.event

    def _continue(self, tr: _Track, a: Assessment) -> bool:
        """Fold an assessment into the open event; True when it is worth an update."""
        ev = tr.event
        assert ev is not None
        reasons, new_code = merge_reasons(ev.reasons, a.reasons)
        new_peak = a.score > ev.peak_score
        tr.event = replace(
            ev,
            t_end=max(ev.t_end, a.t) if a.score >= self.config.quiet_threshold else ev.t_end,
            peak_score=a.score if new_peak else ev.peak_score,
            peak_t=a.t if new_peak else ev.peak_t,
            peak_box=(a.box or ev.peak_box) if new_peak else ev.peak_box,
            reasons=reasons,
            model_versions=_add_version(ev.model_versions, a.model_version),
            scores=(*ev.scores[-(MAX_SCORE_POINTS - 1):], (a.t, a.score)),
        )
        return new_peak or new_code

    def _close_due(self, t: float) -> list[EventUpdate]:
        cfg = self.config
        updates = []
        for tr in self._tracks.values():
            ev = tr.event
            if ev is None:
                continue
            if t - ev.t_start >= cfg.max_event_s:
                updates.append(self._close(tr, "max_duration", t))
            elif t - ev.t_end >= cfg.quiet_s:
                reason: CloseReason = "lost" if t - tr.last_seen >= cfg.quiet_s else "quiet"
                updates.append(self._close(tr, reason, t))
        return updates

    def _close(self, tr: _Track, reason: CloseReason, t: float) -> EventUpdate:
        assert tr.event is not None
        closed = replace(tr.event, close_reason=reason)
        tr.event = None
        tr.window.clear()
        tr.cooldown_until = t + self.config.track_cooldown_s
        return EventUpdate("closed", closed)

    def _prune(self, t: float) -> None:
        stale = [
            tid
            for tid, tr in self._tracks.items()
            if tr.event is None
            and t - tr.last_seen >= self.config.quiet_s
            and t >= tr.cooldown_until
        ]
        for tid in stale:
            del self._tracks[tid]


def merge_reasons(
    current: tuple[Reason, ...], new: Iterable[Reason]
) -> tuple[tuple[Reason, ...], bool]:
    """Merge cues by code (latest text, union of spans, highest weight), strongest first.

    Returns the merged cues and whether a code was seen for the first time.
    """
    by_code = {r.code: r for r in current}
    added = False
    for r in new:
        old = by_code.get(r.code)
        if old is None:
            by_code[r.code] = r
            added = True
        else:
            by_code[r.code] = Reason(
                r.code,
                r.text,
                min(old.t_start, r.t_start),
                max(old.t_end, r.t_end),
                max(old.weight, r.weight),
            )
    return tuple(sorted(by_code.values(), key=lambda r: -r.weight)), added


def _add_version(versions: Mapping[str, str], behavior: str) -> Mapping[str, str]:
    """Record the behaviour model version, keeping every distinct one seen (comma-joined)."""
    if not behavior:
        return versions
    seen = versions.get(BEHAVIOR_MODEL_KEY, "")
    if behavior in seen.split(","):
        return versions
    return {**versions, BEHAVIOR_MODEL_KEY: f"{seen},{behavior}" if seen else behavior}
