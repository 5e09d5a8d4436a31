"""Tracks of rendered scenes labelled from the scene's ground truth by box overlap."""

from __future__ import annotations

import numpy as np

from shopguard.core import Poses, Tracks
from shopguard.training.rendered import (
    label_tracks,
    tracks_by_shopper,
    true_keypoints,
    truth_visits,
)


def _tracks(entries: list[tuple[int, list[float]]]) -> Tracks:
    boxes = np.array([b for _, b in entries], np.float32).reshape(-1, 4)
    kps = np.ones((len(entries), 17, 3), np.float32)
    poses = Poses(boxes, np.ones(len(entries), np.float32), kps)
    return Tracks(poses, np.array([i for i, _ in entries], np.int64))


def _truth(times: list[float]) -> dict:
    thief = {"id": 0, "box": [100, 100, 200, 400], "full_box": [100, 100, 200, 400]}
    buyer = {"id": 1, "box": [600, 100, 700, 400], "full_box": [600, 100, 700, 400]}
    return {
        "frame_size": [1280, 720],
        "zones": [{"name": "s", "kind": "shelf", "polygon": [[0, 0], [10, 0], [10, 10]]}],
        "shoppers": [{"id": 0, "theft_spans": [[1.0, 1.6]]}, {"id": 1, "theft_spans": []}],
        "frames": [{"t": t, "people": [thief, buyer]} for t in times],
    }


def test_frames_take_the_label_of_the_shopper_they_overlap() -> None:
    times = [round(0.2 * i, 1) for i in range(15)]
    frames = []
    for t in times:
        # Track 7 follows the thief but switches to the buyer at 2.0 s; track 9 is a
        # false detection that overlaps nobody.
        box = [102, 98, 198, 402] if t < 2.0 else [598, 102, 702, 398]
        frames.append((t, _tracks([(7, box), (9, [900, 500, 950, 600])])))
    clips = {c.meta["track_id"]: c for c in label_tracks(frames, _truth(times), name="s1")}
    assert set(clips) == {7, 9}
    thief = clips[7]
    expected = [int(1.0 <= t <= 1.6) for t in times]
    assert thief.labels.tolist() == expected
    assert thief.meta["shoppers"] == {"0": 10, "1": 5}
    assert thief.meta["clip_id"] == "s1-t7" and thief.meta["source"] == "rendered"
    assert thief.meta["fps"] == 5.0 and thief.meta["zones"][0]["kind"] == "shelf"
    assert not clips[9].labels.any() and clips[9].meta["shoppers"] == {}


def test_true_keypoints_follow_the_matched_shopper() -> None:
    times = [0.0, 0.2, 0.4, 0.6, 0.8]
    truth = _truth(times)
    for frame in truth["frames"]:
        for person in frame["people"]:
            person["keypoints"] = [[person["box"][0] + j, 10.0 * person["id"], 1.0]
                                   for j in range(17)]
    boxes = [[102, 98, 198, 402], [102, 98, 198, 402], [598, 102, 702, 398],
             [900, 500, 950, 600], [598, 102, 702, 398]]  # thief, thief, buyer, nobody, buyer
    frames = [(t, _tracks([(4, b)])) for t, b in zip(times, boxes, strict=True)]
    (clip,) = label_tracks(frames, truth)

    exact, heights = true_keypoints(clip, truth)

    assert exact[:, 0, 0].tolist() == [100, 100, 600, 0, 600]
    assert exact[:, 5, 1].tolist() == [0, 0, 10, 0, 10]
    assert exact[3].sum() == 0 and heights.tolist() == [300, 300, 300, 0, 300]


def test_truth_visits_are_perfect_tracks_of_each_shopper() -> None:
    times = [round(0.2 * i, 1) for i in range(15)]
    truth = _truth(times)
    for frame in truth["frames"]:
        frame["people"] = [dict(p) for p in frame["people"]]
        for person in frame["people"]:
            hidden = person["id"] == 1 and frame["t"] >= 1.0  # the buyer leaves the view
            person["keypoints"] = [[person["box"][0] + j, 5.0, 0.0 if hidden or j == 3 else 1.0]
                                   for j in range(17)]

    thief, buyer = truth_visits(truth, [t + 0.01 for t in times], confidence=0.7, name="s2")

    assert thief.meta["clip_id"] == "s2-s0" and thief.meta["source"] == "rendered-truth"
    assert thief.labels.tolist() == [int(1.0 <= t + 0.01 <= 1.6) for t in times]
    assert np.allclose(thief.keypoints[:, 0], [100, 5, 0.7])
    assert thief.keypoints[:, 3].tolist() == [[0, 0, 0]] * 15  # hidden joint: no position
    assert thief.boxes[0].tolist() == [100, 100, 200, 400]
    assert len(buyer) == 5 and not buyer.labels.any()  # only the frames it is in view


def test_tracks_by_shopper_joins_broken_tracks_and_splits_swapped_ones() -> None:
    times = [round(0.2 * i, 1) for i in range(15)]
    thief_box, buyer_box = [102, 98, 198, 402], [598, 102, 702, 398]
    frames = []
    for t in times:
        # Track 1 follows the thief until 1.2 s, track 2 takes over; track 3 follows the
        # buyer, but swaps to the thief at 2.4 s while track 2 is still on it.
        entries = [(1 if t < 1.2 else 2, thief_box), (3, buyer_box if t < 2.4 else thief_box)]
        frames.append((t, _tracks(entries)))
    clips = label_tracks(frames, _truth(times), name="s3")

    thief, buyer = tracks_by_shopper(clips, _truth(times), name="s3")

    assert thief.meta["clip_id"] == "s3-s0" and thief.timestamps.tolist() == times
    assert thief.labels.tolist() == [int(1.0 <= t <= 1.6) for t in times]
    assert buyer.meta["shoppers"] == {"1": 12} and not buyer.labels.any()
    assert thief.meta["source"] == "rendered-by-shopper"


def test_short_tracks_are_left_out() -> None:
    frames = [(0.2 * i, _tracks([(3, [100, 100, 200, 400])])) for i in range(3)]
    assert label_tracks(frames, _truth([0.0, 0.2, 0.4])) == []


def test_cli_renders_analyses_and_writes_labelled_tracks(tmp_path) -> None:
    from shopguard.cli import main
    from shopguard.training.datasets.native import read_native_dir

    out = tmp_path / "rendered"
    args = ["synth", "rendered", "--out", str(out), "--seeds", "3", "--duration", "4",
            "--fps", "5"]
    assert main(args) == 0
    assert (out / "videos" / "synth_3.mp4").is_file() and (out / ".done-3").exists()
    clips = read_native_dir(out)
    assert clips, "the pose model found nobody in the rendered scene"
    assert all(c.meta["source"] == "rendered" and c.meta["camera"] == "rendered3"
               for c in clips)
    assert any(c.meta["shoppers"] for c in clips)  # tracks matched to ground-truth shoppers
    written = sorted(p.stat().st_mtime for p in out.glob("*.npz"))
    assert main(args) == 0  # done seeds are skipped
    assert sorted(p.stat().st_mtime for p in out.glob("*.npz")) == written
