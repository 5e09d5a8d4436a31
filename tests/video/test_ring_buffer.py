"""RingBuffer: JPEG storage bounded by time and bytes, with each frame's tracks."""

from __future__ import annotations

import numpy as np
import pytest

from shopguard.core import Frame, Tracks
from shopguard.video.ring_buffer import RingBuffer


def frame(i: int, t: float, noise: bool = False) -> Frame:
    rng = np.random.default_rng(i)
    image = np.full((120, 160, 3), 40, np.uint8)
    if noise:  # incompressible: makes the JPEG big
        image = rng.integers(0, 256, image.shape, dtype=np.uint8)
    image[20:60, 10 + i : 50 + i] = (0, 200, 255)
    return Frame("cam", i, t, image)


def test_keeps_only_the_last_seconds_and_returns_entries_since_t0() -> None:
    ring = RingBuffer(seconds=1.0)
    for i in range(30):  # 3 s at 10 fps
        ring.push(frame(i, i / 10))
    ts = [e.t for e in ring.since(0.0)]
    assert ts[0] == pytest.approx(1.9) and ts[-1] == pytest.approx(2.9) and len(ts) == 11
    assert [e.index for e in ring.since(2.5)] == [25, 26, 27, 28, 29]
    assert ring.since(5.0) == []


def test_stores_jpeg_not_raw_frames_and_decodes_close_to_the_original() -> None:
    ring = RingBuffer(seconds=5.0, jpeg_quality=90)
    f = frame(3, 0.0)
    entry = ring.push(f)
    assert entry.jpeg[:2] == b"\xff\xd8"  # JPEG start-of-image marker
    assert ring.nbytes == len(entry.jpeg) < f.image.nbytes // 10
    decoded = entry.decode()
    assert decoded.shape == f.image.shape
    assert np.abs(decoded.astype(int) - f.image.astype(int)).mean() < 3


def test_byte_budget_drops_oldest_frames_and_counts_them() -> None:
    one = len(RingBuffer(seconds=5.0).push(frame(0, 0.0, noise=True)).jpeg)
    ring = RingBuffer(seconds=100.0, max_bytes=int(one * 3.5))
    for i in range(10):
        ring.push(frame(i, i / 10, noise=True))
    assert len(ring) == 3 and ring.nbytes <= ring.max_bytes
    assert ring.dropped_for_budget == 7
    assert [e.index for e in ring.since(0.0)] == [7, 8, 9]


def test_keeps_each_frames_tracks() -> None:
    ring = RingBuffer(seconds=5.0)
    tracks = Tracks.empty()
    ring.push(frame(0, 0.0), tracks)
    ring.push(frame(1, 0.1))
    first, second = ring.since(0.0)
    assert first.tracks is tracks and second.tracks is None
    assert ring.latest() is second


def test_clock_going_back_restarts_the_buffer() -> None:
    ring = RingBuffer(seconds=5.0)
    for i in range(5):
        ring.push(frame(i, 100.0 + i))
    ring.push(frame(5, 0.5))
    assert [e.t for e in ring.since(0.0)] == [0.5] and ring.clock_resets == 1


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        RingBuffer(seconds=5.0, jpeg_quality=0)
