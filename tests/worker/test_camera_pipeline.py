"""The per-camera chain in-process: real frames, real pose model, real evidence files."""

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from shopguard.core import Assessment, Tracks
from shopguard.events.config import EventConfig
from shopguard.events.evidence import EvidenceReady, EvidenceRecorder
from shopguard.events.manager import EventManager, EventUpdate
from shopguard.paths import pose_model_path
from shopguard.service.camera import CameraPipeline
from shopguard.testing.people_video import compose_people_video
from shopguard.video.ring_buffer import RingBuffer
from shopguard.video.source import open_source
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator

DATA = Path(__file__).resolve().parents[1] / "data"


class SuspectFirstPerson:
    """Scores the lowest track id as suspicious from ``t_from`` on, everyone else as calm."""

    def __init__(self, t_from: float):
        self.t_from = t_from
        self.calls = 0

    def update(self, tracks: Tracks, t: float) -> list[Assessment]:
        self.calls += 1
        if not len(tracks):
            return []
        suspect = int(tracks.ids.min())
        return [
            Assessment(int(i), t, 0.0, 0.9 if i == suspect and t >= self.t_from else 0.1)
            for i in tracks.ids
        ]


class RecordingSink:
    def __init__(self) -> None:
        self.log: list[tuple[str, object]] = []

    def on_updates(self, updates: list[EventUpdate]) -> None:
        self.log.extend(("update", u) for u in updates)

    def on_evidence(self, item: EvidenceReady) -> None:
        self.log.append(("evidence", item))


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cam") / "people.mp4"
    return compose_people_video(DATA / "bus.jpg", out, seconds=8.0, fps=15.0).path


def test_event_alert_clip_snapshot_and_live_view(video: Path, tmp_path: Path) -> None:
    config = EventConfig(open_k=2, open_m=3, pre_roll_s=1.0, post_roll_s=1.0, quiet_s=1.0)
    ring = RingBuffer(config.pre_roll_s + 5)
    sink = RecordingSink()
    live: list[bytes] = []
    pipeline = CameraPipeline(
        "cam1",
        VisionPipeline(PoseEstimator(pose_model_path(), threads=2), analysis_fps=5),
        SuspectFirstPerson(t_from=2.0),
        EventManager("cam1", config),
        EvidenceRecorder(ring, tmp_path / "spool", config, on_ready=sink.on_evidence),
        ring,
        sink,
        analysis_fps=5,
        record_fps=10,
        live_fps=2,
        on_live_frame=live.append,
    )
    for frame in open_source(str(video)).frames():
        pipeline.process(frame)
    pipeline.flush()

    kinds = [(k, getattr(item, "kind", None)) for k, item in sink.log]
    assert kinds[0] == ("update", "opened")
    assert ("update", "closed") in kinds
    opened = sink.log[0][1]
    assert isinstance(opened, EventUpdate)
    assert opened.event.camera_id == "cam1" and opened.event.peak_score == pytest.approx(0.9)
    assert 2.0 <= opened.event.t_opened <= 3.0  # 2 of 3 windows at 5 fps after t=2
    evidence = {item.kind: item for k, item in sink.log if isinstance(item, EvidenceReady)}
    assert set(evidence) == {"clip", "snapshot"}
    with av.open(str(evidence["clip"].path)) as clip:
        stream = clip.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in clip.decode(stream))
    # From pre-roll (1 s before the start) to the end of the video, at 10 fps.
    assert frames >= 10 * (8.0 - (opened.event.t_start - 1.0)) - 5
    snapshot = cv2.imread(str(evidence["snapshot"].path))
    assert snapshot is not None and snapshot.shape == (720, 1280, 3)
    assert len(live) == pytest.approx(16, abs=2)  # 8 s at 2 fps
    decoded = cv2.imdecode(np.frombuffer(live[-1], np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (720, 1280, 3)


def test_counters_split_analysed_and_motion_skipped(video: Path, tmp_path: Path) -> None:
    config = EventConfig()
    ring = RingBuffer(10)
    scorer = SuspectFirstPerson(t_from=1e9)
    pipeline = CameraPipeline(
        "cam1",
        VisionPipeline(PoseEstimator(pose_model_path(), threads=2), analysis_fps=5),
        scorer,
        EventManager("cam1", config),
        EvidenceRecorder(ring, tmp_path, config),
        ring,
        RecordingSink(),
        analysis_fps=5,
        record_fps=5,
    )
    for frame in open_source(str(video), max_fps=15).frames():
        pipeline.process(frame)
    pipeline.flush()
    c = pipeline.counters
    assert c.frames_in == 120
    assert c.frames_analysed + c.frames_skipped_motion == 40
    assert scorer.calls == c.frames_analysed
