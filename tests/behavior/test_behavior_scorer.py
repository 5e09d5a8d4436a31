"""Scorer: scheduling, one batched model call per frame, fusion, bad input, memory."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")  # writes the test model
from pose_factory import (
    RIGHT_AT_WAISTBAND,
    RIGHT_REACHING,
    RecordingModel,
    box_of,
    mean_model,
    place,
    pose,
)

from shopguard.behavior.config import CueWeights, FeatureConfig, ScorerConfig, ZoneConfig
from shopguard.behavior.features import extract_track_windows, extract_windows
from shopguard.behavior.model import SequenceModel
from shopguard.behavior.scorer import Scorer, fuse
from shopguard.core import Poses, Reason, Tracks

CFG = FeatureConfig(rate_hz=10, window_s=2.0)
SHELF = ZoneConfig(name="A", kind="shelf", polygon=[(0, 0), (230, 0), (230, 400), (0, 400)])


@pytest.fixture
def model(tmp_path) -> SequenceModel:
    return SequenceModel(mean_model(tmp_path / "m.onnx", CFG))


def frame(poses: dict[int, np.ndarray]) -> Tracks:
    ids = np.array(sorted(poses), np.int64)
    kps = np.stack([poses[i] for i in ids]).astype(np.float32)
    boxes = np.stack([box_of(k) for k in kps])
    return Tracks(Poses(boxes, np.ones(len(ids), np.float32), kps), ids)


def feed(scorer: Scorer, seconds: float, poses: dict[int, np.ndarray], t0: float = 0.0, fps=10):
    out = []
    for t in np.arange(t0, t0 + seconds, 1 / fps):
        out.append(scorer.update(frame(poses), float(t)))
    return out


def test_all_due_tracks_go_to_the_model_in_one_call(model):
    scorer = Scorer(model, [], ScorerConfig(stride_s=0.5, min_history_s=1.0))
    people = {i: place(pose(), cx=100 + 150 * i) for i in range(3)}
    per_frame = feed(scorer, 3.0, people)
    scored = [a for a in per_frame if a]
    assert all(len(a) == 3 for a in scored)  # the three tracks are due together
    assert scorer.stats["model_calls"] == len(scored) == 4  # t = 1.0, 1.5, 2.0, 2.5
    assert scorer.stats["windows_scored"] == 12
    first = scored[0]
    assert [a.track_id for a in first] == [0, 1, 2] and first[0].t == pytest.approx(1.0)
    assert all(a.model_version == model.version for a in first)
    assert len({round(a.probability, 6) for a in first}) == 1  # same pose, same probability


def test_model_probability_and_cues_are_fused_with_reasons_strongest_first(model):
    scorer = Scorer(model, [SHELF], ScorerConfig(min_history_s=0.5, model_reason_min_p=0.0))
    feed(scorer, 1.0, {7: place(pose())})
    feed(scorer, 1.0, {7: place(pose(RIGHT_REACHING))}, t0=1.0)
    out = [
        a
        for batch in feed(scorer, 2.0, {7: place(pose(RIGHT_AT_WAISTBAND))}, t0=2.0)
        for a in batch
    ]
    last = out[-1]
    assert {r.code for r in last.reasons} == {"model", "conceal_after_shelf"}
    assert last.reasons[0].weight >= last.reasons[1].weight
    expected = 1 - (1 - last.probability) * (1 - CueWeights().conceal_after_shelf)
    assert last.score == pytest.approx(expected)
    assert 0.0 <= last.score <= 1.0 and last.box is not None


def test_fuse_is_a_bounded_noisy_or():
    weights = CueWeights(model=0.5)
    assert fuse(0.0, [], weights) == 0.0
    assert fuse(1.0, [], weights) == 0.5
    cue = Reason("x", "x", 0, 1, 0.6)
    assert fuse(1.0, [cue, cue], weights) == pytest.approx(1 - 0.5 * 0.4 * 0.4)


def test_bad_input_is_counted_never_raised(model):
    scorer = Scorer(model, [], ScorerConfig(min_history_s=1.0, stride_s=0.5))
    assert scorer.update(Tracks.empty(), 0.0) == []
    good = place(pose())
    few = np.zeros_like(good)
    few[0] = (300, 100, 0.9)  # just a nose
    bad = frame({1: good, 2: good, 3: few})
    bad.keypoints[1, :, :2] = np.nan  # track 2: every joint NaN
    inf_box = frame({1: good})
    inf_box.boxes[0, 2] = np.inf
    for t in np.arange(0.0, 2.05, 0.1):
        out = scorer.update(bad, float(t))
        if not out:
            continue
        by_id = {a.track_id: a for a in out}
        assert by_id[1].extra["window_valid"] == 1.0
        assert by_id[2].extra["window_valid"] == 0.0 and by_id[2].probability == 0.0
        assert by_id[3].extra["window_valid"] == 0.0
    assert scorer.update(inf_box, 2.5) == []
    assert scorer.update(frame({1: good}), 1.5) == []  # time went backwards
    assert scorer.update(frame({1: good}), float("nan")) == []
    stats = scorer.stats
    assert stats["skipped_windows"] == 2 * 3 and stats["windows_scored"] == 3  # t = 1, 1.5, 2
    assert stats["nan_keypoints"] == 21
    assert stats["skipped_bad_box"] == 1 and stats["skipped_stale_frame"] == 1
    assert stats["skipped_bad_time"] == 1


def test_memory_is_bounded_and_stale_tracks_are_dropped(model):
    scorer = Scorer(model, [], ScorerConfig(forget_after_s=2.0))
    feed(scorer, 60.0, {1: place(pose())}, fps=30)
    state = scorer._tracks[1]
    assert len(state.times) <= CFG.window_s * 30 + 40  # window + bridged gap, not a minute
    feed(scorer, 1.0, {2: place(pose())}, t0=60.0)
    assert scorer.track_ids == [1, 2]
    feed(scorer, 2.0, {2: place(pose())}, t0=61.0)
    assert scorer.track_ids == [2] and scorer.stats["tracks_forgotten"] == 1
    scorer.forget(2)
    assert scorer.track_ids == []


def test_without_a_model_scores_come_from_cues_alone():
    scorer = Scorer(None, [SHELF], ScorerConfig(min_history_s=0.5), features=CFG)
    feed(scorer, 1.0, {1: place(pose(RIGHT_REACHING))})
    out = [a for b in feed(scorer, 2.0, {1: place(pose(RIGHT_AT_WAISTBAND))}, t0=1.0) for a in b]
    assert out[-1].probability == 0.0 and out[-1].model_version == ""
    assert out[-1].score == pytest.approx(CueWeights().conceal_after_shelf)
    assert scorer.stats["model_calls"] == 0


def test_scorer_windows_equal_the_training_windows_of_each_whole_track(model):
    """The scorer's bounded histories and one-pass batching give exactly the windows that
    ``extract_windows`` (what training uses) builds from each whole track."""
    rng = np.random.default_rng(3)
    recording = RecordingModel(model)
    scorer = Scorer(recording, [], ScorerConfig(stride_s=0.25, min_history_s=0.5))
    fps, seconds = 15.0, 7.0
    starts = {1: 0.0, 2: 0.0, 3: 1.3}  # track 3 appears later: due at other frames
    logs: dict[int, tuple[list[float], list[np.ndarray]]] = {i: ([], []) for i in starts}
    calls = []
    for t in np.arange(0.0, seconds, 1 / fps):
        t = float(t)
        people, boxes = {}, {}
        for i, t0 in starts.items():
            if t < t0 or (i == 2 and 3.0 < t < 3.4) or rng.random() < 0.1:
                continue  # not yet in view, a dropout, or a dropped frame
            kps = place(pose(RIGHT_AT_WAISTBAND if t > 4.0 else None), cx=100 + 140 * i + 20 * t)
            kps[:, :2] += rng.normal(0, 2.0, (17, 2))
            kps[rng.random(17) < 0.15, 2] = 0.1  # unconfident joints
            boxes[i] = box_of(kps)
            if rng.random() < 0.1:
                kps[rng.integers(17), rng.integers(3)] = np.nan  # bad joint values
            people[i] = kps
            logs[i][0].append(t)
            logs[i][1].append(kps)
        if people:
            ids = sorted(people)
            poses = Poses(
                np.stack([boxes[i] for i in ids]),
                np.ones(len(ids), np.float32),
                np.stack([people[i] for i in ids]).astype(np.float32),
            )
            before = len(recording.batches)
            due = [a.track_id for a in scorer.update(Tracks(poses, np.array(ids)), t)]
            if len(recording.batches) > before:
                calls.append((t, due))
    assert len(calls) > 20 and any(len(due) > 1 for _, due in calls)
    assert scorer.stats["skipped_windows"] == 0 and scorer.stats["nan_keypoints"] > 0
    for (t, due), batch in zip(calls, recording.batches, strict=True):
        expected = [
            extract_windows(np.array(logs[i][0]), np.stack(logs[i][1]), [t], CFG).features[0]
            for i in due
        ]
        np.testing.assert_array_equal(batch, np.stack(expected))
    # Several tracks in one pass give each track's own windows.
    t_end = calls[-1][0]
    tracks = [(np.array(logs[i][0]), np.stack(logs[i][1]), [t_end - 0.5, t_end]) for i in starts]
    together = extract_track_windows(tracks, CFG)
    alone = [extract_windows(*track, CFG) for track in tracks]
    np.testing.assert_array_equal(together.features, np.concatenate([w.features for w in alone]))
    np.testing.assert_array_equal(together.valid, np.concatenate([w.valid for w in alone]))
