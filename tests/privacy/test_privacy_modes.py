"""Privacy modes through the real camera chain (pose model, tracker, scorer, events,
evidence): detection is identical in every mode, and in ``pose_only`` no stored or shown
picture holds camera pixels of a person."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from privacy_scene import AisleVideo, aisle_video, box_mask, mad

from shopguard.behavior.config import ZoneConfig
from shopguard.behavior.scorer import Scorer
from shopguard.core import Assessment, Image, Tracks
from shopguard.events.config import EventConfig
from shopguard.events.evidence import EvidenceReady, EvidenceRecorder
from shopguard.events.manager import EventManager, EventUpdate
from shopguard.paths import pose_model_path
from shopguard.privacy.config import PRIVACY_MODES, PrivacyMode
from shopguard.privacy.plate import PlateSettings
from shopguard.privacy.render import draw_skeletons, stroke_width
from shopguard.privacy.transform import PrivacyTransform
from shopguard.service.camera import CameraPipeline
from shopguard.video.ring_buffer import BufferedFrame, RingBuffer, encode_jpeg
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator

SHELF = ZoneConfig(name="shelf", kind="shelf", polygon=[(0, 0), (640, 0), (640, 200), (0, 200)])
T_SUSPECT = 3.0
PLATE = PlateSettings(samples=5, min_samples=3, learn_interval_s=0.3, confirm_s=0.3)


class RecordingScorer:
    """The real scorer (zone cues, no model) whose input and output are kept; the lowest
    track id is made suspicious from ``T_SUSPECT`` so an event opens and evidence is made."""

    def __init__(self) -> None:
        self.inner = Scorer(model=None, zones=[SHELF])
        self.seen: list[tuple[float, Tracks]] = []
        self.assessed: list[Assessment] = []

    def update(self, tracks: Tracks, t: float) -> list[Assessment]:
        self.seen.append((t, tracks))
        real = self.inner.update(tracks, t)
        self.assessed.extend(real)
        if not len(tracks):
            return real
        suspect = int(tracks.ids.min())
        return [Assessment(int(i), t, 0.0, 0.9 if i == suspect and t >= T_SUSPECT else 0.1,
                           box=tuple(float(v) for v in tracks.boxes[k]))  # type: ignore[arg-type]
                for k, i in enumerate(tracks.ids)]


@dataclass
class Run:
    """What one mode's pipeline did and stored."""

    scorer: RecordingScorer
    transform: PrivacyTransform
    ring: list  # every buffered picture, oldest first
    updates: list[EventUpdate] = field(default_factory=list)
    evidence: dict[str, EvidenceReady] = field(default_factory=dict)
    live: list[bytes] = field(default_factory=list)


class Sink:
    def __init__(self, run: Run):
        self.run = run

    def on_updates(self, updates: list[EventUpdate]) -> None:
        self.run.updates.extend(updates)

    def on_evidence(self, item: EvidenceReady) -> None:
        self.run.evidence[item.kind] = item


def _run(mode: PrivacyMode, video: AisleVideo, estimator: PoseEstimator, out: Path) -> Run:
    config = EventConfig(open_k=2, open_m=3, pre_roll_s=1.0, post_roll_s=0.5, quiet_s=1.0)
    transform = PrivacyTransform(mode, PLATE)
    ring = RingBuffer(60.0)  # holds the whole scene, so the test sees every stored picture
    run = Run(RecordingScorer(), transform, [])
    sink = Sink(run)
    pipeline = CameraPipeline(
        "aisle", VisionPipeline(estimator, analysis_fps=4), run.scorer,
        EventManager("aisle", config),
        EvidenceRecorder(ring, out / mode, transform.evidence_config(config),
                         on_ready=sink.on_evidence, record_poses=transform.records_poses),
        ring, sink, analysis_fps=4, record_fps=8, live_fps=4, on_live_frame=run.live.append,
        zones=[SHELF], privacy=transform,
    )
    for frame in video.frames:
        pipeline.process(frame)
    pipeline.flush()
    run.ring = ring.since(float("-inf"))
    return run


@pytest.fixture(scope="module")
def video() -> AisleVideo:
    return aisle_video(empty_s=2.0, walk_s=4.0, fps=8.0)


@pytest.fixture(scope="module")
def runs(video: AisleVideo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    estimator = PoseEstimator(pose_model_path(), threads=2)
    out = tmp_path_factory.mktemp("privacy")
    return {mode: _run(mode, video, estimator, out) for mode in PRIVACY_MODES}


def _same_tracks(a: Tracks, b: Tracks) -> bool:
    return bool(np.array_equal(a.ids, b.ids) and np.array_equal(a.boxes, b.boxes)
                and np.array_equal(a.keypoints, b.keypoints))


def test_tracks_assessments_and_events_are_the_same_in_every_mode(runs: dict[str, Run]) -> None:
    full = runs["full"]
    people = [tracks for _, tracks in full.scorer.seen if len(tracks) == 2]
    assert len(people) >= 10  # both people were tracked for most of the walk
    assert full.scorer.assessed and [u.kind for u in full.updates][:1] == ["opened"]
    for mode in ("blurred", "pose_only"):
        other = runs[mode]
        assert [t for t, _ in other.scorer.seen] == [t for t, _ in full.scorer.seen]
        assert all(_same_tracks(a, b) for (_, a), (_, b) in
                   zip(full.scorer.seen, other.scorer.seen, strict=True)), mode
        assert other.scorer.assessed == full.scorer.assessed, mode
        strip = [(u.kind, replace(u.event, id="")) for u in full.updates]
        assert [(u.kind, replace(u.event, id="")) for u in other.updates] == strip, mode


def test_every_mode_stores_a_clip_and_a_snapshot(runs: dict[str, Run]) -> None:
    for mode, run in runs.items():
        assert {"clip", "snapshot"} <= set(run.evidence), mode
        assert ("poses" in run.evidence) == (mode == "pose_only")


def decode_jpeg(data: bytes) -> Image:
    return BufferedFrame(0.0, 0, data).decode()


def _strokes(tracks: Tracks | None, image: Image, grow: int) -> np.ndarray:
    """Where skeleton strokes (grown by ``grow`` px) are drawn for ``tracks``."""
    canvas = np.zeros_like(image)
    if tracks is not None:
        draw_skeletons(canvas, tracks)
    kernel = np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)
    return cv2.dilate(canvas.max(axis=2), kernel) > 0


def test_pose_only_buffer_holds_skeletons_on_the_plate_and_no_person_pixels(
    runs: dict[str, Run], video: AisleVideo
) -> None:
    run = runs["pose_only"]
    plate = run.transform.plate
    assert plate is not None and plate.ready
    learnt = plate.image(640, 360)
    assert learnt is not None
    everywhere = np.ones(learnt.shape[:2], bool)
    assert mad(learnt, video.background, everywhere) < 3.0  # the plate is the empty aisle
    inside, outside = [], []
    for entry in run.ring:
        stored, original = entry.decode(), video.frames[entry.index].image
        boxes = video.boxes[entry.index]
        if boxes:
            inside.append(mad(stored, original, box_mask(stored.shape, boxes)))
        if plate.ready and entry.t > 1.5:  # the plate exists from here on
            away = ~_strokes(entry.tracks, stored, grow=stroke_width(stored) + 2)
            outside.append(mad(stored, learnt, away))
    # The ring stores JPEGs: the plate itself loses this much to JPEG at the ring's quality.
    floor = mad(decode_jpeg(encode_jpeg(learnt, 85)), learnt, everywhere)
    print(f"pose_only buffer: MAD vs original inside person boxes min "
          f"{min(inside):.1f} mean {np.mean(inside):.1f}; vs plate outside strokes max "
          f"{max(outside):.2f} mean {np.mean(outside):.2f} (JPEG floor {floor:.2f})")
    assert len(inside) >= 20 and min(inside) > 25.0
    assert outside and max(outside) < floor + 0.3


def test_pose_only_clip_snapshot_and_live_view_show_no_person(
    runs: dict[str, Run], video: AisleVideo
) -> None:
    run = runs["pose_only"]
    plate = run.transform.plate
    assert plate is not None
    learnt = plate.image(640, 360)
    assert learnt is not None
    clip = run.evidence["clip"]
    times = [f.t for f in video.frames]
    inside, outside = [], []
    with av.open(str(clip.path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 8)
        for k, decoded in enumerate(container.decode(stream)):
            image = decoded.to_ndarray(format="bgr24")
            index = int(np.argmin([abs(t - (clip.t_start + k / fps)) for t in times]))
            boxes = video.boxes[index]
            if not boxes:
                continue
            inside.append(mad(image, video.frames[index].image, box_mask(image.shape, boxes)))
            outside.append(mad(image, learnt, ~box_mask(image.shape, boxes, grow=40)))
    print(f"pose_only clip: MAD vs original inside boxes min {min(inside):.1f}; "
          f"vs plate away from people max {max(outside):.2f}")
    assert inside and min(inside) > 25.0 and max(outside) < 4.0  # H.264 (CRF 23) error: ~3

    snapshot = cv2.imread(str(run.evidence["snapshot"].path))
    frame_index = min(range(len(times)), key=lambda i: abs(times[i] - run.updates[0].event.peak_t))
    boxes = video.boxes[frame_index]
    assert mad(snapshot, video.frames[frame_index].image, box_mask(snapshot.shape, boxes)) > 25.0
    assert mad(snapshot, learnt, ~box_mask(snapshot.shape, boxes, grow=60)) < 3.0

    shown = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in run.live]
    live_with_people = [(img, i) for img, i in zip(shown, range(0, len(times), 2), strict=False)
                        if video.boxes[i]]
    assert live_with_people
    for img, i in live_with_people:
        assert mad(img, video.frames[i].image, box_mask(img.shape, video.boxes[i])) > 25.0


def test_pose_only_stores_the_skeleton_sequence(runs: dict[str, Run]) -> None:
    run = runs["pose_only"]
    doc = json.loads(run.evidence["poses"].path.read_text())
    event = run.updates[0].event
    assert doc["format"] == "shopguard.poses/1"
    assert (doc["event_id"], doc["camera_id"], doc["track_id"]) == (event.id, "aisle",
                                                                  event.track_id)
    frames = doc["frames"]
    assert len(frames) >= 5
    assert [f["t"] for f in frames] == sorted(f["t"] for f in frames)
    ids = {t["id"] for f in frames for t in f["tracks"]}
    assert event.track_id in ids
    assert all(len(t["keypoints"]) == 17 for f in frames for t in f["tracks"])


def test_blurred_mode_hides_bodies(runs: dict[str, Run], video: AisleVideo) -> None:
    run = runs["blurred"]
    differences = []
    for entry in run.ring:
        boxes = video.boxes[entry.index]
        if boxes and entry.tracks is not None and len(entry.tracks) == 2:
            stored = entry.decode()
            differences.append(mad(stored, video.frames[entry.index].image,
                                   box_mask(stored.shape, boxes)))
    print(f"blurred buffer: MAD vs original inside person boxes mean "
          f"{np.mean(differences):.1f}")
    assert differences and np.mean(differences) > 8.0
