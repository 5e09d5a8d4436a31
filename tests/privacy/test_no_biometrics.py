"""No biometric identifiers: the tracker matches people by box motion alone (ByteTrack),
never sees pixels, keeps no appearance features, and its ids start again per camera and
per worker start."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
from trackers import ByteTrackTracker

from shopguard.core import Poses, Tracks
from shopguard.storage.models import Base
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.tracking import PersonTracker


def _walkers(*xs: float) -> Poses:
    n = len(xs)
    kps = np.zeros((n, 17, 3), np.float32)
    kps[:, :, 0], kps[:, :, 1], kps[:, :, 2] = np.asarray(xs)[:, None] + 30, 150, 0.9
    boxes = np.asarray([[x, 60, x + 60, 240] for x in xs], np.float32)
    return Poses(boxes, np.full(n, 0.9, np.float32), kps)


def _ids(tracker: PersonTracker, *starts: float, frames: int = 6) -> set[int]:
    """Ids given to people walking right from ``starts`` (one frame every 0.2 s)."""
    out: set[int] = set()
    for i in range(frames):
        tracks: Tracks = tracker.update(_walkers(*(x + 6 * i for x in starts)), t=i * 0.2)
        out |= {int(v) for v in tracks.ids}
    return out


def test_tracker_is_motion_only_bytetrack() -> None:
    tracker = PersonTracker(frame_rate=5)
    inner = tracker._tracker
    assert type(inner) is ByteTrackTracker  # not BoT-SORT or another appearance tracker
    # What the tracker is given: boxes, scores and keypoints, never an image.
    assert list(inspect.signature(PersonTracker.update).parameters) == ["self", "poses", "t"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ByteTrack warns if a frame image is passed in
        _ids(tracker, 100)
    # Its per-person state is a motion model (Kalman box filter) and counters only.
    for tracklet in inner.tracks:
        arrays = {k: v for k, v in vars(tracklet).items() if isinstance(v, np.ndarray)}
        assert all(v.size <= 8 for v in arrays.values()), arrays.keys()
        names = " ".join(vars(tracklet)).lower()
        assert not any(w in names for w in ("feature", "embed", "appearance", "reid"))


def test_vision_chain_passes_no_pixels_to_the_tracker() -> None:
    source = inspect.getsource(VisionPipeline.process)
    assert "self.tracker.update(poses, frame.t)" in source


def test_ids_start_at_one_for_each_camera_and_each_worker_start() -> None:
    door, till = PersonTracker(frame_rate=5), PersonTracker(frame_rate=5)
    assert _ids(door, 100, 400) == {1, 2}
    assert _ids(till, 100) == {1}  # another camera: its own ids, no shared register
    restarted = PersonTracker(frame_rate=5)  # the door's worker started again
    assert _ids(restarted, 400) == {1}  # the same person gets no remembered id


def test_database_stores_no_appearance_data() -> None:
    columns = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}
    suspicious = [c for c in columns
                  if any(w in c for w in ("embedding", "feature", "face", "biometric", "reid"))]
    assert suspicious == []
