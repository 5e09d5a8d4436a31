"""The background plate learns the empty scene from what is seen away from people."""

from __future__ import annotations

import numpy as np
import pytest

from shopguard.core import Poses, Tracks
from shopguard.privacy.plate import GREY, BackgroundPlate, PlateSettings

W, H = 64, 48
FAST = PlateSettings(samples=3, min_samples=3, learn_interval_s=1.0, refresh_interval_s=10.0,
                     confirm_s=1.0)


def _scene(value: int = 100) -> np.ndarray:
    return np.full((H, W, 3), value, np.uint8)


def _someone() -> Tracks:
    poses = Poses(np.asarray([[10, 10, 30, 40]], np.float32), np.ones(1, np.float32),
                  np.zeros((1, 17, 3), np.float32))
    return Tracks(poses, np.asarray([1]))


def _feed(plate: BackgroundPlate, t0: float, t1: float, image: np.ndarray,
          tracks: Tracks | None = None, step: float = 0.25) -> None:
    for t in np.arange(t0, t1, step):
        plate.observe(image, tracks or Tracks.empty(), float(t))


def test_grey_canvas_until_enough_empty_samples() -> None:
    plate = BackgroundPlate(FAST)
    assert not plate.ready
    assert (plate.canvas(W, H) == GREY).all()
    _feed(plate, 0.0, 2.5, _scene())
    assert plate.sample_count == 2 and not plate.ready
    _feed(plate, 2.5, 3.5, _scene())
    assert plate.ready and (plate.canvas(W, H) == 100).all()


def test_median_removes_a_passing_object() -> None:
    plate = BackgroundPlate(FAST)
    passing = _scene()
    passing[:, :20] = 250  # something untracked crosses the left side in one sample
    _feed(plate, 0.0, 1.0, passing)
    _feed(plate, 1.0, 4.0, _scene())
    assert plate.ready
    assert (plate.canvas(W, H) == 100).all()


def _with_person(value: int = 30) -> np.ndarray:
    image = _scene()
    image[10:40, 10:30] = value  # the person of ``_someone()``
    return image


def test_where_people_are_tracked_never_enters_the_plate() -> None:
    plate = BackgroundPlate(FAST)
    for t in np.arange(0.0, 20.0, 0.25):
        # tracked only every third frame (missed detections): still left out
        tracks = _someone() if round(t * 4) % 3 == 0 else Tracks.empty()
        plate.observe(_with_person(), tracks, float(t))
    assert plate.ready
    canvas = plate.canvas(W, H)
    assert (canvas[:, 35:] == 100).all()  # the rest of the scene is learnt
    assert (canvas[10:40, 10:30] == GREY).all()  # never seen without the person: grey


def test_a_person_tracked_just_after_a_sample_is_left_out_of_it() -> None:
    plate = BackgroundPlate(PlateSettings(samples=1, min_samples=1, min_seen=1,
                                          confirm_s=1.0, learn_interval_s=5.0))
    plate.observe(_with_person(), Tracks.empty(), 0.0)  # entering, not tracked yet
    plate.observe(_with_person(), _someone(), 0.5)  # tracked now
    plate.observe(_scene(), Tracks.empty(), 1.0)  # the 0.0 s sample is kept now
    assert plate.ready
    assert (plate.canvas(W, H)[10:40, 10:30] == GREY).all()
    assert (plate.canvas(W, H)[:, 35:] == 100).all()


def test_refresh_follows_a_slow_change_and_size_change_restarts() -> None:
    plate = BackgroundPlate(FAST)
    _feed(plate, 0.0, 4.0, _scene(100))
    assert plate.ready
    _feed(plate, 4.0, 15.0, _scene(160))  # lights changed: one refresh sample so far
    assert (plate.canvas(W, H) == 100).all()
    _feed(plate, 15.0, 40.0, _scene(160))
    assert (plate.canvas(W, H) == 160).all()
    plate.observe(np.zeros((H * 2, W * 2, 3), np.uint8), Tracks.empty(), 41.0)
    assert not plate.ready and plate.sample_count == 0


def test_wide_frames_are_kept_small_and_scaled_back() -> None:
    plate = BackgroundPlate(PlateSettings(samples=1, min_samples=1, min_seen=1,
                                          confirm_s=0.0, learn_interval_s=0.0, max_width=32))
    plate.observe(_scene(77), Tracks.empty(), 0.0)
    plate.observe(_scene(77), Tracks.empty(), 0.1)
    image = plate.image(W, H)
    assert image is not None and image.shape == (H, W, 3) and (image == 77).all()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        PlateSettings(samples=2, min_samples=3)
    with pytest.raises(ValueError):
        PlateSettings(samples=2, min_samples=2, min_seen=3)
