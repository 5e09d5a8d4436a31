"""The rolling track log: minute segments, reading a span back, pruning by age."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from tracks_factory import T0, frames, tracks

from shopguard.feedback.track_log import TrackLog, TrackLogTap, read_span, segments


def test_frames_come_back_in_order_across_segments(tmp_path):
    log = TrackLog(tmp_path, "door", keep_hours=24)
    written = frames([1, 2], T0 - 30, 90.0)  # 90 s: spans three minute segments
    for t, tr in written:
        log.append(t, tr)
    log.close()
    files = segments(tmp_path / "door")
    assert len(files) >= 2
    assert files[0].parent.name == "20260528" and files[0].name.endswith(".jsonl.gz")
    back = list(read_span(tmp_path, "door", T0 - 10, T0 + 20))
    assert [t for t, _ in back] == pytest.approx(
        [t for t, _ in written if T0 - 10 <= t <= T0 + 20], abs=1e-3)
    assert all(list(tr.ids) == [1, 2] for _, tr in back)
    np.testing.assert_allclose(back[0][1].keypoints[0, :, :2],
                               dict(written)[back[0][0]].keypoints[0, :, :2], atol=0.06)


def test_lines_follow_the_tracks_jsonl_contract(tmp_path):
    log = TrackLog(tmp_path, "door", keep_hours=1)
    log.append(T0, tracks({4: frames([4], T0, 0.2)[0][1].keypoints[0]}))
    path = log.flush()
    assert path is not None
    record = json.loads(gzip.decompress(path.read_bytes()).decode().splitlines()[0])
    assert set(record) == {"frame", "t", "tracks"} and record["t"] == pytest.approx(T0)
    assert record["tracks"][0]["id"] == 4 and len(record["tracks"][0]["keypoints"]) == 17


def test_empty_frames_are_not_logged_and_a_restart_keeps_both_files(tmp_path):
    first = TrackLog(tmp_path, "door", keep_hours=1)
    first.append(T0, tracks({}))
    assert first.flush() is None
    for t, tr in frames([1], T0, 2.0):
        first.append(t, tr)
    first.close()
    second = TrackLog(tmp_path, "door", keep_hours=1)  # the worker restarted that minute
    for t, tr in frames([1], T0 + 3, 2.0):
        second.append(t, tr)
    second.close()
    assert len(segments(tmp_path / "door")) == 2
    assert len(list(read_span(tmp_path, "door", T0, T0 + 10))) == 20


def test_old_segments_are_pruned_and_empty_days_removed(tmp_path):
    log = TrackLog(tmp_path, "door", keep_hours=1)
    for t, tr in frames([1], T0 - 86_400, 1.0) + frames([1], T0, 1.0):
        log.append(t, tr)  # a day-old minute, then one now (append prunes)
    log.close()
    log.prune(T0 + 1)
    days = sorted(p.name for p in (tmp_path / "door").iterdir())
    assert days == ["20260528"]
    assert list(read_span(tmp_path, "door", T0 - 90_000, T0 - 80_000)) == []


def test_a_broken_segment_is_skipped(tmp_path):
    log = TrackLog(tmp_path, "door", keep_hours=1)
    for t, tr in frames([1], T0, 1.0):
        log.append(t, tr)
    path = log.flush()
    assert path is not None
    broken = path.with_name("000000.jsonl.gz")
    broken.write_bytes(b"not gzip")
    assert len(list(read_span(tmp_path, "door", T0 - 3600, T0 + 60))) == 5


def test_the_tap_logs_what_the_scorer_is_given(tmp_path):
    seen: list[float] = []

    class Scorer:
        def update(self, tr, t):
            seen.append(t)
            return []

    tap = TrackLogTap(Scorer(), TrackLog(tmp_path, "door", keep_hours=1))
    for t, tr in frames([3], T0, 1.0):
        assert tap.update(tr, t) == []
    tap.log.close()
    assert len(seen) == 5 and len(list(read_span(tmp_path, "door", T0, T0 + 5))) == 5
