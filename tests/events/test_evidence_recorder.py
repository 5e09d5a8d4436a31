"""EvidenceRecorder: clip from pre-roll to post-roll, peak snapshot, blurring, disk full."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from synthetic_scene import TRACK_ID, Scene

from shopguard.core import Assessment
from shopguard.events.config import EventConfig
from shopguard.events.evidence import EvidenceReady, EvidenceRecorder
from shopguard.events.evidence_files import part_path
from shopguard.events.manager import EventManager, EventUpdate
from shopguard.video.ring_buffer import RingBuffer

FPS = 10
CFG = EventConfig(
    threshold=0.6,
    quiet_threshold=0.4,
    open_k=2,
    open_m=3,
    quiet_s=1.0,
    track_cooldown_s=0.0,
    camera_cooldown_s=0.0,
    pre_roll_s=2.0,
    post_roll_s=2.0,
    snapshot_interval_s=1.0,
)


def suspicious_between(start: float, end: float) -> Callable[[float], float]:
    """Score 0.9 in [start, end), rising by 0.001 a frame so the peak keeps moving."""
    return lambda t: 0.9 + 0.001 * (t - start) * FPS if start <= t < end else 0.1


def run(
    tmp_path: Path,
    score: Callable[[float], float],
    seconds: float,
    config: EventConfig = CFG,
    skip: Callable[[float], bool] = lambda t: False,
    before_record: Callable[[list[EventUpdate]], None] = lambda ups: None,
) -> tuple[list[EvidenceReady], list[EventUpdate], EvidenceRecorder]:
    """Drive ring → manager → recorder through a synthetic scene, as a camera loop does."""
    scene, ready, updates = Scene(), list[EvidenceReady](), list[EventUpdate]()
    ring = RingBuffer(seconds=config.pre_roll_s + 1.0)
    manager = EventManager("cam", config)
    with EvidenceRecorder(ring, tmp_path, config, on_ready=ready.append) as recorder:
        for i in range(round(seconds * FPS)):
            t = i / FPS
            if skip(t):
                continue
            ring.push(scene.frame(i, t), scene.tracks(t))
            s = score(t)
            ups = manager.update([Assessment(TRACK_ID, t, s, s, box=scene.box(t))], t)
            before_record(ups)
            recorder.update(ups, t)
            updates += ups
    return ready, updates, recorder


def decode(path: Path) -> tuple[str, list[np.ndarray], float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
        assert stream.duration is not None and stream.time_base is not None
        return stream.codec_context.name, frames, float(stream.duration * stream.time_base)


def test_clip_spans_pre_roll_event_and_post_roll(tmp_path: Path) -> None:
    ready, updates, recorder = run(tmp_path, suspicious_between(3.0, 5.0), seconds=9.0)
    opened, closed = updates[0].event, updates[-1].event
    assert (opened.t_start, closed.t_end) == (3.0, pytest.approx(4.9))
    clips = [r for r in ready if r.kind == "clip"]
    assert len(clips) == 1 and recorder.stats.clips == 1
    clip = clips[0]
    assert clip.event_id == opened.id and clip.path == tmp_path / f"{opened.id}.mp4"
    # 2 s pre-roll before t_start, 2 s post-roll after t_end (4.9 + 2.0), one frame long
    assert clip.t_start == pytest.approx(1.0) and clip.t_end == pytest.approx(7.0)
    codec, frames, duration = decode(clip.path)
    assert codec == "h264"
    assert len(frames) == 60 and duration == pytest.approx(6.0, abs=0.15)
    assert frames[0].shape == (240, 320, 3)
    assert not part_path(clip.path).exists()


def test_dropped_frames_keep_the_clip_in_real_time(tmp_path: Path) -> None:
    gap = lambda t: 4.0 <= t < 4.6  # noqa: E731 - the source stalls for 0.6 s
    ready, _, _ = run(tmp_path, suspicious_between(3.0, 5.0), seconds=9.0, skip=gap)
    (clip,) = [r for r in ready if r.kind == "clip"]
    _, frames, duration = decode(clip.path)
    assert len(frames) == 60 and duration == pytest.approx(6.0, abs=0.15)


def test_snapshot_at_open_shows_the_person_and_follows_the_peak(tmp_path: Path) -> None:
    ready, updates, recorder = run(tmp_path, suspicious_between(3.0, 6.0), seconds=10.0)
    snaps = [r for r in ready if r.kind == "snapshot"]
    closed = updates[-1].event
    # at open, then at most once per second while the peak rises, then the final peak
    assert 3 <= len(snaps) <= 5 and recorder.stats.snapshots == len(snaps)
    assert snaps[0].t_start == pytest.approx(3.1)  # peak when it opened
    assert snaps[-1].t_start == pytest.approx(closed.peak_t) == pytest.approx(5.9)
    image = cv2.imread(str(snaps[-1].path))
    assert image is not None and image.shape == (240, 320, 3)
    x0, y0, x1, _ = (round(v) for v in Scene().box(5.9))
    b, g, r = (image[:, :, c].astype(int) for c in range(3))
    red = (r > g + 50) & (r > b + 50)  # the box is thin: JPEG dulls it
    assert red[y0 + 20 : y0 + 80, x0].mean() > 0.8 and red[y0 + 20 : y0 + 80, x1].mean() > 0.8


def face_variance(image: np.ndarray, t: float) -> float:
    """Variance of the grey face texture, leaving out the coloured skeleton drawn over it."""
    face = Scene().face_region(image, t).astype(float)
    grey = np.ptp(face, axis=-1) < 16
    return float(face[grey].mean(axis=-1).var())


@pytest.mark.parametrize("blur", [True, False])
def test_faces_are_blurred_in_clip_and_snapshot_unless_turned_off(
    tmp_path: Path, blur: bool
) -> None:
    config = CFG.model_copy(update={"blur_faces": blur})
    ready, _, _ = run(tmp_path, suspicious_between(3.0, 4.0), seconds=7.0, config=config)
    original = face_variance(Scene().image(3.1), 3.1)
    snap = [r for r in ready if r.kind == "snapshot"][-1]  # the file holds the latest
    snap_image = cv2.imread(str(snap.path))
    assert snap_image is not None
    snap_var = face_variance(snap_image, snap.t_start)
    (clip,) = [r for r in ready if r.kind == "clip"]
    _, frames, _ = decode(clip.path)
    t = clip.t_start + 20 / FPS
    clip_var = face_variance(frames[20], t)
    if blur:
        assert snap_var < 0.15 * original and clip_var < 0.15 * original
    else:
        assert snap_var > 0.7 * original and clip_var > 0.5 * original


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_disk_full_is_counted_and_the_next_event_still_gets_evidence(tmp_path: Path) -> None:
    full_events: list[str] = []

    def fill_disk_for_first_event(ups: list[EventUpdate]) -> None:
        for u in ups:
            if u.kind == "opened" and not full_events:
                full_events.append(u.event.id)
                for name in (f"{u.event.id}.mp4", f"{u.event.id}.jpg"):
                    part_path(tmp_path / name).symlink_to("/dev/full")

    score = lambda t: 0.9 if 2.0 <= t < 3.0 or 8.0 <= t < 9.0 else 0.1  # noqa: E731
    ready, updates, recorder = run(
        tmp_path, score, seconds=13.0, before_record=fill_disk_for_first_event
    )
    assert [u.kind for u in updates].count("opened") == 2  # the alert path went on
    assert recorder.stats.disk_full == 2 and recorder.stats.failed == 0  # clip + snapshot
    assert {r.event_id for r in ready} == {updates[-1].event.id}
    assert {r.kind for r in ready} == {"clip", "snapshot"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{updates[-1].event.id}{ext}" for ext in (".jpg", ".mp4")
    )


def test_shutdown_finishes_the_clip_with_the_frames_it_has(tmp_path: Path) -> None:
    ready, updates, _ = run(tmp_path, suspicious_between(2.0, 60.0), seconds=5.0)
    assert "closed" not in [u.kind for u in updates]  # still open when the loop stops
    (clip,) = [r for r in ready if r.kind == "clip"]
    _, frames, _ = decode(clip.path)
    assert clip.t_start == pytest.approx(0.0) and len(frames) == 50


def test_clip_overlay_draws_the_people_into_the_clip(tmp_path: Path) -> None:
    plain, _, _ = run(tmp_path / "plain", suspicious_between(3.0, 4.0), seconds=7.0)
    config = CFG.model_copy(update={"clip_overlay": True})
    drawn, _, _ = run(tmp_path / "drawn", suspicious_between(3.0, 4.0), seconds=7.0, config=config)
    (plain_clip,) = [r for r in plain if r.kind == "clip"]
    (drawn_clip,) = [r for r in drawn if r.kind == "clip"]
    frame_plain, frame_drawn = decode(plain_clip.path)[1][20], decode(drawn_clip.path)[1][20]
    x0, y0, _, y1 = (round(v) for v in Scene().box(plain_clip.t_start + 20 / FPS))
    edge = np.s_[y0 + 10 : y1 - 10, x0]  # the box's left edge, over the background
    diff = np.abs(frame_drawn[edge].astype(int) - frame_plain[edge].astype(int)).max(axis=-1)
    assert np.median(diff) > 40
