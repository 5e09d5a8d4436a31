import itertools

import pytest

from shopguard.video.rate import FrameRateLimiter


@pytest.mark.parametrize("source_fps", [5, 7, 12.5, 15, 25, 30, 60])
def test_keeps_target_rate_for_any_source_rate(source_fps: float) -> None:
    limiter = FrameRateLimiter(5)
    n = int(source_fps * 20)
    kept = [i / source_fps for i in range(n) if limiter.due(i / source_fps)]
    assert len(kept) == pytest.approx(100, abs=2)
    gaps = [b - a for a, b in itertools.pairwise(kept)]
    assert min(gaps) >= 0.2 - 1 / source_fps - 1e-6


def test_source_slower_than_target_keeps_everything() -> None:
    limiter = FrameRateLimiter(10)
    assert all(limiter.due(i / 3) for i in range(30))


def test_restarts_after_a_clock_jump() -> None:
    limiter = FrameRateLimiter(5)
    assert limiter.due(0.0)
    assert limiter.due(100.0)  # a gap (reconnect) does not suppress frames to catch up
    assert not limiter.due(100.05)
    assert limiter.due(100.2)


def test_rejects_bad_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        FrameRateLimiter(0)
