"""A running camera swaps to a newly promoted model between frames; its events record the
registry version; their poses evidence becomes a training clip after review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from registry_helpers import DOWN, LONG, UP
from sqlalchemy import select

from shopguard.behavior.config import FeatureConfig, ScorerConfig
from shopguard.behavior.model import SequenceModel
from shopguard.behavior.scorer import Scorer
from shopguard.config import ServiceConfig
from shopguard.core import Poses, Tracks
from shopguard.feedback.track_log import read_span
from shopguard.privacy.audit import Actor
from shopguard.registry.runtime import ModelWatcher, active_key
from shopguard.registry.store import promote, register, set_thresholds
from shopguard.service.event_sink import DatabaseEventSink
from shopguard.service.worker import (
    WorkerSpec,
    build_pipeline,
    close_track_log,
    load_model,
    model_files,
    swap_model,
)
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import Event, EvidenceKind, ReviewStatus
from shopguard.storage.repository import add_review
from shopguard.testing.people_video import compose_people_video
from shopguard.training.feedback import collect
from shopguard.video.source import open_source

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cam") / "people.mp4"
    return compose_people_video(DATA / "bus.jpg", out, seconds=8.0, fps=15.0).path


@pytest.mark.slow
def test_promotion_reaches_a_running_camera_between_frames(video, sqlite_sessions, tmp_path):
    config = ServiceConfig.model_validate({
        "data_dir": str(tmp_path / "var"),
        "models": {"behavior": str(UP)},
        # No threshold written here: the registry's thresholds apply.
        "events": {"camera_cooldown_s": 0,
                   "track_cooldown_s": 0, "pre_roll_s": 1, "post_roll_s": 1, "quiet_s": 1,
                   "max_event_s": 1.5},
        "cameras": [{"id": "cam1", "url": str(video), "analysis_fps": 5}],
    })
    spec = WorkerSpec(config.cameras[0], config)
    files = model_files(config)
    with sqlite_sessions.begin() as s:
        register(s, files, UP)
        promote(s, "v1", by="alice")
        set_thresholds(s, "v1", {"default": 0.55, "cameras": {"cam1": 0.01}},
                       actor=Actor(None, "test"))
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    sink = DatabaseEventSink(sqlite_sessions, archive, lambda _score: [])
    active = load_model(spec, sqlite_sessions)
    assert (active.version, active.threshold, active.model.version) == ("v1", 0.01, "v1")
    pipeline = build_pipeline(spec, sink, active=active)
    assert pipeline.events.config.threshold == 0.01  # the camera's threshold from the registry
    watcher = ModelWatcher(lambda: load_model(spec, sqlite_sessions),
                           lambda: active_key(sqlite_sessions, "cam1"), active.key)
    assert watcher.check() is False and watcher.take() is None

    frames = list(open_source(str(video)).frames())
    for frame in frames[:60]:
        pipeline.process(frame)
    with sqlite_sessions.begin() as s:
        register(s, files, DOWN)
        promote(s, "v2", by="alice", force_reason="test")
        set_thresholds(s, "v2", {"default": 0.02, "cameras": {}}, actor=Actor(None, "test"))
    assert watcher.check() is True
    change = watcher.take()
    assert change is not None and change.version == "v2" and watcher.take() is None
    swap_model(pipeline, spec, change)
    assert pipeline.events.config.threshold == 0.02
    assert pipeline.events.config.quiet_threshold == pytest.approx(0.02 * 2 / 3)
    swapped_at = frames[60].t
    for frame in frames[60:]:
        pipeline.process(frame)
    pipeline.flush()
    close_track_log(pipeline)

    with sqlite_sessions() as s:
        events = s.scalars(select(Event).order_by(Event.started_at)).all()
        before = [e for e in events if e.started_at.timestamp() < swapped_at - 0.5]
        after = [e for e in events if e.started_at.timestamp() > swapped_at + 0.5]
        assert before and after
        assert all("behavior=v1" in e.model_version and "v2" not in e.model_version
                   for e in before)
        assert all("behavior=v2" in e.model_version and "v1" not in e.model_version
                   for e in after)
        assert all(e.model_version.count("pose=yolo11n-pose") == 1 for e in events)
        with_poses = [e for e in events if any(o.kind == EvidenceKind.POSES for o in e.evidence)]
        assert len(with_poses) == len(events)  # every event keeps its poses (feedback on)
        add_review(s, event_id=after[0].id, decision=ReviewStatus.CONFIRMED)
        s.commit()
        exported = collect(s, archive, None)
    (clip,) = exported.clips
    assert clip.meta["event_id"] == after[0].id and clip.meta["track_id"] == after[0].track_id
    assert clip.labels.any() and len(clip) >= 10
    logged = list(read_span(tmp_path / "var" / "tracklog", "cam1", 0, 100))
    assert len(logged) >= 30  # the track log saw the analysed frames with people


def _tracks(n: int) -> Tracks:
    kps = np.zeros((n, 17, 3), np.float32)
    kps[:, :, 0] = np.linspace(100, 140, 17)
    kps[:, :, 1] = np.linspace(100, 400, 17)
    kps[:, :, 2] = 0.9
    boxes = np.tile(np.array([[90, 90, 150, 410]], np.float32), (n, 1))
    return Tracks(Poses(boxes, np.ones(n, np.float32), kps), np.arange(n))


def test_the_scorer_keeps_its_tracks_across_a_swap_and_resizes_their_history():
    short, long = SequenceModel(UP), SequenceModel(LONG)
    scorer = Scorer(short, [], ScorerConfig(stride_s=0.5, min_history_s=1.0, max_fps=10))
    for i in range(40):
        scorer.update(_tracks(2), i / 10)
    assert scorer.features == FeatureConfig(rate_hz=10, window_s=2.0)
    scorer.use_model(long)
    assert scorer.features.window_s == 3.0 and scorer.track_ids == [0, 1]
    out = []
    for i in range(40, 60):
        out += scorer.update(_tracks(2), i / 10)
    assert out and all(a.model_version == long.version for a in out)
    assert scorer.stats["skipped_windows"] == 0  # history long enough for 3 s windows
