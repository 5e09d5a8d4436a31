import json

import numpy as np

from shopguard.core import Poses
from shopguard.vision.tracking import PersonTracker
from shopguard.vision.tracks_jsonl import frame_record, parse_record


def _person(x: float, y: float, score: float = 0.9) -> tuple[np.ndarray, float, np.ndarray]:
    box = np.array([x, y, x + 60, y + 180], np.float32)
    keypoints = np.zeros((17, 3), np.float32)
    keypoints[:, 0] = x + 30 + np.arange(17)
    keypoints[:, 1] = y + 10 * np.arange(17)
    keypoints[:, 2] = 0.8
    return box, score, keypoints


def _poses(*people: tuple[np.ndarray, float, np.ndarray]) -> Poses:
    if not people:
        return Poses.empty()
    return Poses(
        np.stack([p[0] for p in people]),
        np.array([p[1] for p in people], np.float32),
        np.stack([p[2] for p in people]),
    )


def test_two_walking_people_keep_distinct_stable_ids_and_their_keypoints() -> None:
    tracker = PersonTracker(frame_rate=5)
    seen: dict[str, set[int]] = {"a": set(), "b": set()}
    for i in range(30):
        a, b = _person(50 + 8 * i, 100), _person(900 - 8 * i, 300)
        tracks = tracker.update(_poses(a, b), t=i * 0.2)
        for k in range(len(tracks)):
            name = "a" if tracks.boxes[k, 1] < 200 else "b"
            seen[name].add(int(tracks.ids[k]))
            expected = a if name == "a" else b
            np.testing.assert_allclose(tracks.keypoints[k], expected[2])
    assert len(seen["a"]) == 1 and len(seen["b"]) == 1
    assert seen["a"] != seen["b"]


def test_id_survives_a_short_gap_and_is_new_after_a_long_one() -> None:
    tracker = PersonTracker(frame_rate=5)
    ids = [tracker.update(_poses(_person(100 + 5 * i, 100)), t=i * 0.2).ids for i in range(10)]
    first = int(ids[-1][0])
    for i in range(10, 15):  # one second missing
        assert len(tracker.update(_poses(), t=i * 0.2)) == 0
    back = tracker.update(_poses(_person(175, 100)), t=3.0)
    assert back.ids.tolist() == [first]
    for i in range(16, 80):  # 13 s missing: the track is gone
        tracker.update(_poses(), t=i * 0.2)
    later = [tracker.update(_poses(_person(400, 400)), t=16.0 + i * 0.2).ids for i in range(3)]
    assert int(later[-1][0]) != first


def test_low_confidence_people_do_not_start_tracks() -> None:
    tracker = PersonTracker(frame_rate=5)
    out = [tracker.update(_poses(_person(100, 100, score=0.2)), t=i * 0.2) for i in range(10)]
    assert all(len(t) == 0 for t in out)


def test_tracks_jsonl_round_trip() -> None:
    tracker = PersonTracker(frame_rate=5)
    for i in range(3):
        tracks = tracker.update(_poses(_person(10 * i, 0), _person(500, 10)), t=i * 0.2)
    record = json.loads(json.dumps(frame_record(7, 1.25, tracks)))
    assert set(record) == {"frame", "t", "tracks"}
    assert set(record["tracks"][0]) == {"id", "box", "score", "keypoints"}
    assert len(record["tracks"][0]["keypoints"]) == 17
    frame, t, back = parse_record(record)
    assert (frame, t) == (7, 1.25)
    assert back.ids.tolist() == tracks.ids.tolist()
    np.testing.assert_allclose(back.keypoints, tracks.keypoints, atol=0.06)
