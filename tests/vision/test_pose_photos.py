"""The real YOLO11n-pose model on real photos: counts, box overlap, anatomical sanity."""

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from shopguard.keypoints import KP
from shopguard.paths import pose_model_path
from shopguard.vision.nms import box_iou
from shopguard.vision.onnx_session import ModelError
from shopguard.vision.pose import PoseEstimator, PoseSettings

DATA = Path(__file__).resolve().parents[1] / "data"
PHOTOS = ["astronaut.png", "camera.png", "bus.jpg", "zidane.jpg"]
MIN_CONF = 0.5


def _load(name: str) -> np.ndarray:
    image = cv2.imread(str(DATA / name), cv2.IMREAD_COLOR)
    assert image is not None, name
    return image


@pytest.mark.parametrize("name", PHOTOS)
def test_finds_every_clearly_visible_person(
    name: str, estimator: PoseEstimator, photo_truth: dict[str, Any]
) -> None:
    truth = photo_truth[name]
    poses = estimator(_load(name))
    expected = np.array([p["box"] for p in truth["persons"]], np.float32)
    partial = np.array([p["box"] for p in truth["partial_persons"]], np.float32).reshape(-1, 4)
    iou = box_iou(expected, poses.boxes)
    assert (iou.max(axis=1) >= 0.5).all(), f"missed a person: best IoUs {iou.max(axis=1)}"
    # Every detection is a real person: a listed one or a known partial one at the edge.
    known = np.concatenate([expected, partial])
    assert (box_iou(poses.boxes, known).max(axis=1) >= 0.5).all()
    assert len(expected) <= len(poses) <= len(known)


@pytest.mark.parametrize("name", PHOTOS)
def test_keypoints_are_anatomically_sane(
    name: str, estimator: PoseEstimator, photo_truth: dict[str, Any]
) -> None:
    poses = estimator(_load(name))
    expected = np.array([p["box"] for p in photo_truth[name]["persons"]], np.float32)
    matched = box_iou(poses.boxes, expected).max(axis=1) >= 0.5
    for box, kps in zip(poses.boxes[matched], poses.keypoints[matched], strict=True):
        x1, y1, x2, y2 = box
        visible = kps[:, 2] >= MIN_CONF
        inside = (kps[:, 0] >= x1 - 20) & (kps[:, 0] <= x2 + 20)
        inside &= (kps[:, 1] >= y1 - 20) & (kps[:, 1] <= y2 + 20)
        assert inside[visible].all(), "a confident keypoint lies outside its person's box"
        hips = [k for k in (KP.LEFT_HIP, KP.RIGHT_HIP) if visible[k]]
        if visible[KP.NOSE] and hips:
            assert kps[KP.NOSE, 1] < kps[hips, 1].mean(), "nose below the hips"
        shoulders = [k for k in (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER) if visible[k]]
        if not shoulders:
            continue
        shoulder = kps[shoulders, :2].mean(axis=0)
        body_length = y2 - y1
        for wrist in (KP.LEFT_WRIST, KP.RIGHT_WRIST):
            if visible[wrist]:
                assert np.linalg.norm(kps[wrist, :2] - shoulder) < body_length


def test_confidences_are_probabilities(estimator: PoseEstimator) -> None:
    poses = estimator(_load("bus.jpg"))
    assert ((poses.scores > 0) & (poses.scores <= 1)).all()
    assert ((poses.keypoints[..., 2] >= 0) & (poses.keypoints[..., 2] <= 1)).all()


def test_boxes_follow_the_image_when_it_is_resized(estimator: PoseEstimator) -> None:
    image = _load("zidane.jpg")
    full = estimator(image)
    half = estimator(cv2.resize(image, (640, 360)))
    assert len(full) == len(half)
    iou = box_iou(full.boxes, half.boxes * 2)
    assert (iou.max(axis=1) > 0.85).all()


def test_empty_scene_has_no_people(estimator: PoseEstimator) -> None:
    assert len(estimator(np.full((720, 1280, 3), 128, np.uint8))) == 0


def test_threshold_setting_filters_people() -> None:
    strict = PoseEstimator(pose_model_path(), settings=PoseSettings(score_threshold=0.99))
    assert len(strict(_load("bus.jpg"))) == 0


def test_rejects_a_non_image(estimator: PoseEstimator) -> None:
    with pytest.raises(ValueError, match="uint8"):
        estimator(np.zeros((10, 10), np.float32))  # type: ignore[arg-type]


def test_missing_model_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"not found: .*nope\.onnx"):
        PoseEstimator(tmp_path / "nope.onnx")


def test_truncated_model_names_the_file(tmp_path: Path) -> None:
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(pose_model_path().read_bytes()[:100_000])
    with pytest.raises(ModelError, match=r"cut\.onnx is not a valid ONNX model"):
        PoseEstimator(cut)


def test_wrong_shaped_model_names_the_expected_shape() -> None:
    behaviour_model = pose_model_path().with_name("behavior-lstm.onnx")
    if not behaviour_model.exists():
        pytest.skip("needs the shipped behaviour model as a real model of another shape")
    with pytest.raises(ModelError, match=r"behavior-lstm\.onnx.*\(1, 56, N\)"):
        PoseEstimator(behaviour_model)
