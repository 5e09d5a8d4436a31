import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from shopguard.video.source import Backoff, SourceError, SourceState, open_source
from shopguard.video.writer import Mp4Writer


def test_file_frames_carry_stream_time_and_respect_max_fps(make_video: Callable[..., Path]) -> None:
    path = make_video(frames=45, fps=15)
    source = open_source(str(path), "cam1", max_fps=5)
    frames = list(source.frames())
    assert len(frames) == 15
    assert [f.index for f in frames] == list(range(15))
    assert np.allclose(np.diff([f.t for f in frames]), 0.2, atol=1e-3)
    assert frames[0].image.shape == (240, 320, 3) and frames[0].camera_id == "cam1"
    assert source.status.state is SourceState.ENDED
    assert source.status.frames_decoded == 45 and source.status.source_fps == pytest.approx(15)


def test_frames_are_bgr(tmp_path: Path) -> None:
    path = tmp_path / "red.mp4"
    with Mp4Writer(path, fps=10) as writer:
        for _ in range(5):
            writer.write(np.full((64, 64, 3), (0, 0, 220), np.uint8))  # pure red in BGR
    image = next(open_source(str(path)).frames()).image
    assert image[..., 2].mean() > 180 and image[..., 0].mean() < 40


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        list(open_source(str(tmp_path / "nope.mp4")).frames())


def test_not_a_video_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video\n" * 100)
    with pytest.raises(SourceError, match=r"notes\.mp4"):
        list(open_source(str(bogus)).frames())


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        samples = np.zeros((1, 800), np.int16)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
    with pytest.raises(SourceError, match="no video stream"):
        list(open_source(str(path)).frames())


def test_truncated_file_yields_what_it_can(make_video: Callable[..., Path], tmp_path: Path) -> None:
    # faststart puts the index first, so a cut file keeps its header and loses frames.
    data = make_video(frames=60).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    try:
        frames = list(open_source(str(cut)).frames())
    except SourceError as exc:
        assert "cut.mp4" in str(exc)
    else:
        assert 0 < len(frames) < 60


def test_corrupt_bytes_mid_stream_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "clip.ts"
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        rng = np.random.default_rng(1)
        for _ in range(60):
            image = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(2)
    middle = len(data) // 2
    for offset in rng.integers(middle, middle + len(data) // 4, 400):
        data[int(offset)] ^= 0xFF
    path.write_bytes(bytes(data))
    source = open_source(str(path))
    frames = list(source.frames())
    assert len(frames) >= 25  # the intact first half still decodes


def test_dead_stream_reconnects_with_backoff_then_gives_up() -> None:
    source = open_source(
        "rtsp://127.0.0.1:9/nothing",
        live=True,
        open_timeout_s=1,
        backoff=Backoff(initial_s=0.01, maximum_s=0.02, max_attempts=3),
    )
    assert list(source.frames()) == []
    assert source.status.state is SourceState.FAILED
    assert source.status.reconnects == 3
    assert "127.0.0.1:9" in source.status.last_error


def test_backoff_grows_exponentially_to_a_cap() -> None:
    backoff = Backoff(initial_s=0.5, factor=2, maximum_s=4)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1, 2, 4, 4]


def test_stop_ends_a_reconnect_wait_at_once() -> None:
    source = open_source("rtsp://127.0.0.1:9/x", live=True, backoff=Backoff(initial_s=60))
    started = time.monotonic()
    threading.Timer(0.3, source.stop).start()
    assert list(source.frames()) == []
    assert time.monotonic() - started < 30


def test_looped_file_plays_as_a_live_stream(make_video: Callable[..., Path]) -> None:
    path = make_video(frames=15, fps=15)
    source = open_source(str(path), loop=True)
    frames = []
    for frame in source.frames():
        frames.append(frame)
        if len(frames) == 40:
            source.stop()
    assert len(frames) == 40
    assert [f.index for f in frames] == list(range(40))
    assert all(b.t >= a.t for a, b in itertools.pairwise(frames))
