import numpy as np
import pytest

from shopguard.vision.letterbox import PAD_VALUE, letterbox
from shopguard.vision.nms import box_iou, nms


@pytest.mark.parametrize("shape", [(720, 1280), (480, 640), (1080, 1920), (640, 360)])
def test_letterbox_maps_points_back_to_the_frame(shape: tuple[int, int]) -> None:
    h, w = shape
    image = np.zeros((h, w, 3), np.uint8)
    cy, cx = h // 4, w // 3
    image[cy - 6 : cy + 7, cx - 6 : cx + 7] = 255
    out, tf = letterbox(image, 384, 640)
    assert out.shape == (384, 640, 3)
    ys, xs = np.nonzero(out[..., 0] > 150)
    back = tf.to_frame(np.array([[xs.mean(), ys.mean()]], np.float32))[0]
    assert abs(back[0] - cx) <= 1.0 / tf.scale
    assert abs(back[1] - cy) <= 1.0 / tf.scale


def test_letterbox_pads_with_grey_and_keeps_aspect() -> None:
    out, tf = letterbox(np.full((720, 1280, 3), 7, np.uint8), 640, 640)
    assert tf.scale == pytest.approx(0.5)
    assert tf.pad_x == 0 and tf.pad_y == 140
    assert (out[:140] == PAD_VALUE).all() and (out[140:500] == 7).all()


def test_box_iou_and_nms() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], np.float32)
    iou = box_iou(boxes, boxes)
    assert iou[0, 0] == pytest.approx(1.0)
    assert iou[0, 1] == pytest.approx(81 / 119)
    assert iou[0, 2] == 0
    keep = nms(boxes, np.array([0.5, 0.9, 0.8], np.float32), iou_threshold=0.5)
    assert keep.tolist() == [1, 2]
    scores = np.array([0.5, 0.9, 0.8], np.float32)
    assert nms(boxes, scores, iou_threshold=0.7).tolist() == [1, 2, 0]
