"""``VideoSource`` against a real RTSP server on loopback: live, server killed and back,
a stream that stalls without closing, a resolution change, a codec change (the camera
restarted with H.265 on the same URL), corrupt packets mid-stream."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SMALL
from frame_reader import FrameReader

from shopguard.testing.rtsp import RtspServer, corrupt_h264, frames_of, write_h264
from shopguard.video.source import Backoff, SourceSettings, SourceState, VideoSource

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SETTINGS = SourceSettings(live=True, open_timeout_s=3.0, read_timeout_s=2.0,
                          backoff=Backoff(initial_s=0.2, factor=2.0, maximum_s=1.0))


@pytest.fixture
def reader() -> Iterator[Callable[[str], FrameReader]]:
    readers: list[FrameReader] = []

    def start(url: str) -> FrameReader:
        r = FrameReader(VideoSource(url, "cam", SETTINGS))
        readers.append(r)
        return r

    yield start
    for r in readers:
        r.stop()
        assert r.error is None, r.error


def test_server_killed_then_back(
    rtsp_server: Callable[..., RtspServer], people_h264: Path,
    reader: Callable[[str], FrameReader],
) -> None:
    server = rtsp_server({"/cam": people_h264})
    r = reader(server.url("/cam"))
    assert r.wait(lambda: len(r.seen) >= 15, 20), r.source.status
    assert r.source.status.state == SourceState.LIVE
    assert r.seen[-1].shape == (SMALL[1], SMALL[0], 3)

    server.kill()
    assert r.wait(lambda: r.source.status.state == SourceState.RECONNECTING, 10)
    assert r.source.status.reconnects >= 1 and r.source.status.last_error
    down = time.monotonic()
    time.sleep(1.5)  # several reconnect attempts fail while it is down
    assert r.frames_after(down + 0.5) == 0

    server.start()
    back = time.monotonic()
    assert r.wait(lambda: r.frames_after(back) >= 15, 20), r.source.status
    assert r.source.status.state == SourceState.LIVE
    indices = [s.index for s in r.seen]
    assert indices == sorted(indices) and len(set(indices)) == len(indices)


def test_stream_that_stalls_without_closing_is_detected(
    rtsp_server: Callable[..., RtspServer], people_h264: Path,
    reader: Callable[[str], FrameReader],
) -> None:
    server = rtsp_server({"/cam": people_h264})
    r = reader(server.url("/cam"))
    assert r.wait(lambda: len(r.seen) >= 10, 20), r.source.status
    server.stall()  # TCP stays open, nothing arrives
    stalled = time.monotonic()
    assert r.wait(lambda: r.source.status.state == SourceState.RECONNECTING, 15), r.states
    detected_after = time.monotonic() - stalled
    assert detected_after >= SETTINGS.read_timeout_s * 0.5  # by the read timeout, not EOF
    server.resume()
    resumed = time.monotonic()
    assert r.wait(lambda: r.frames_after(resumed) >= 10, 25), r.source.status
    assert r.source.status.state == SourceState.LIVE


def test_resolution_change_mid_stream(
    rtsp_server: Callable[..., RtspServer], people_mp4: Path, tmp_path: Path,
    reader: Callable[[str], FrameReader],
) -> None:
    stream = write_h264(frames_of(people_mp4, SMALL), tmp_path / "two-sizes.h264")
    write_h264(frames_of(people_mp4, (320, 240)), stream, append=True)
    server = rtsp_server({"/cam": stream})
    r = reader(server.url("/cam"))
    shapes = lambda: {s.shape for s in r.seen}  # noqa: E731
    assert r.wait(lambda: {(360, 640, 3), (240, 320, 3)} <= shapes(), 30), shapes()
    assert r.source.status.reconnects == 0
    assert r.source.status.state == SourceState.LIVE


def test_codec_change_h264_to_h265_on_the_same_url(
    rtsp_server: Callable[..., RtspServer], people_h264: Path, people_mp4: Path, tmp_path: Path,
    reader: Callable[[str], FrameReader],
) -> None:
    """A camera reconfigured from H.264 to H.265 restarts its RTSP server: the session ends
    and the same URL then serves the other codec (and here another size, so its frames are
    recognisable)."""
    server = rtsp_server({"/cam": people_h264})
    r = reader(server.url("/cam"))
    assert r.wait(lambda: len(r.seen) >= 15, 20), r.source.status
    assert r.source.status.codec == "h264"

    h265 = write_h264(frames_of(people_mp4, (320, 240)), tmp_path / "cam.h265", codec="hevc")
    server.kill()
    rtsp_server({"/cam": h265}, port=server.port)
    switched = time.monotonic()
    assert r.wait(lambda: r.frames_after(switched) >= 15, 20), r.source.status
    status = r.source.status
    assert (status.state, status.codec) == (SourceState.LIVE, "hevc")
    assert status.reconnects >= 1 and status.last_error
    new_shapes = {s.shape for s in r.seen if s.wall > switched}
    assert new_shapes == {(240, 320, 3)}, new_shapes
    indices = [s.index for s in r.seen]
    assert indices == list(range(len(indices)))  # one sequence across both codecs


def test_corrupt_packets_mid_stream_do_not_stop_the_camera(
    rtsp_server: Callable[..., RtspServer], people_h264: Path, tmp_path: Path,
    reader: Callable[[str], FrameReader],
) -> None:
    damaged = corrupt_h264(people_h264, tmp_path / "damaged.h264", every=20_000)
    server = rtsp_server({"/cam": damaged})
    r = reader(server.url("/cam"))
    assert r.wait(lambda: len(r.seen) >= 60, 30), r.source.status  # two loops of the file
    status = r.source.status
    assert status.state == SourceState.LIVE
    assert status.frames_decoded >= 60
    assert all(s.shape == (SMALL[1], SMALL[0], 3) for s in r.seen)
