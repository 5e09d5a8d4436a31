"""Frame-rate control: keep frames at a target rate whatever the source delivers."""

from __future__ import annotations

#: Tolerance for timestamps that land a rounding error before the schedule.
_CLOCK_SLACK_S = 1e-3


class FrameRateLimiter:
    """Passes at most ``fps`` frames per second of capture time, on an even schedule.

    Example:
        >>> limiter = FrameRateLimiter(5)
        >>> [t for t in (0.0, 0.1, 0.2, 0.3, 0.4) if limiter.due(t)]
        [0.0, 0.2, 0.4]
    """

    def __init__(self, fps: float | None):
        if fps is not None and fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.period = 1.0 / fps if fps else 0.0
        self._next_t: float | None = None

    def due(self, t: float) -> bool:
        """True when the frame captured at ``t`` should be kept."""
        if not self.period:
            return True
        if self._next_t is None or t < self._next_t - self.period or t > self._next_t + self.period:
            self._next_t = t  # first frame, a clock jump or a gap: restart the schedule
        if t + _CLOCK_SLACK_S < self._next_t:
            return False
        self._next_t += self.period
        return True

    def reset(self) -> None:
        """Restart the schedule at the next frame."""
        self._next_t = None
