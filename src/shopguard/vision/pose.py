"""YOLO11-pose person + keypoint estimation through ONNX Runtime (no torch, no ultralytics).

Example:
    >>> estimator = PoseEstimator("models/yolo11n-pose.onnx")  # doctest: +SKIP
    >>> poses = estimator(image_bgr)  # doctest: +SKIP
    >>> poses.keypoints.shape  # doctest: +SKIP
    (2, 17, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopguard.core import FloatArray, Image, Poses
from shopguard.keypoints import NUM_KEYPOINTS
from shopguard.paths import pose_model_path
from shopguard.vision.letterbox import LetterboxTransform, letterbox
from shopguard.vision.nms import nms
from shopguard.vision.onnx_session import ModelError, open_session

#: Rows of the model output per candidate: 4 box (cx, cy, w, h) + 1 score + 17 × (x, y, conf).
OUTPUT_ROWS = 4 + 1 + NUM_KEYPOINTS * 3


@dataclass(frozen=True, slots=True)
class PoseSettings:
    """Post-processing thresholds.

    Attributes:
        score_threshold: minimum person confidence kept.
        iou_threshold: NMS overlap above which the weaker box is dropped.
        max_people: upper bound on people returned per frame.
    """

    score_threshold: float = 0.25
    iou_threshold: float = 0.6
    max_people: int = 100


class PoseEstimator:
    """Runs a YOLO11-pose ONNX model on BGR frames and returns ``Poses`` in frame pixels."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        settings: PoseSettings | None = None,
        threads: int | None = None,
        prefer_gpu: bool = True,
    ):
        self.model_path = Path(model_path) if model_path else pose_model_path()
        self.settings = settings or PoseSettings()
        self.session = open_session(self.model_path, threads=threads, prefer_gpu=prefer_gpu)
        self.input_name, self.input_height, self.input_width = _check_io(
            self.session, self.model_path
        )

    @property
    def provider(self) -> str:
        """The execution provider doing the work (e.g. ``CPUExecutionProvider``)."""
        return str(self.session.get_providers()[0])

    def preprocess(self, image: Image) -> tuple[FloatArray, LetterboxTransform]:
        """Letterbox a BGR frame into the model's (1, 3, H, W) RGB float input."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an H×W×3 uint8 BGR image, got {image.shape} {image.dtype}")
        padded, transform = letterbox(image, self.input_height, self.input_width)
        blob = padded[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        return np.ascontiguousarray(blob), transform

    def infer(self, blob: FloatArray) -> FloatArray:
        """Run the network on a preprocessed input; returns the raw (56, N) output."""
        (output,) = self.session.run(None, {self.input_name: blob})
        return np.asarray(output[0], dtype=np.float32)

    def decode(self, raw: FloatArray, transform: LetterboxTransform) -> Poses:
        """Threshold, NMS, and map the raw output back to frame pixels."""
        return decode_output(raw, transform, self.settings)

    def __call__(self, image: Image) -> Poses:
        """Find people and their 17 keypoints in one BGR frame."""
        blob, transform = self.preprocess(image)
        return self.decode(self.infer(blob), transform)


def decode_output(raw: FloatArray, transform: LetterboxTransform, settings: PoseSettings) -> Poses:
    """Turn a (56, N) YOLO-pose output into ``Poses`` in frame pixels.

    Scores and keypoint confidences in the exported graph are already probabilities.
    """
    candidates = raw.T
    candidates = candidates[candidates[:, 4] >= settings.score_threshold]
    if not len(candidates):
        return Poses.empty()
    cxcy, wh = candidates[:, 0:2], candidates[:, 2:4]
    boxes = np.concatenate([cxcy - wh / 2, cxcy + wh / 2], axis=1)
    scores = candidates[:, 4]
    keep = nms(boxes, scores, settings.iou_threshold)[: settings.max_people]
    boxes, scores = boxes[keep], scores[keep]
    keypoints = candidates[keep, 5:].reshape(-1, NUM_KEYPOINTS, 3).copy()
    boxes = transform.to_frame(boxes.reshape(-1, 2, 2)).reshape(-1, 4)
    keypoints[..., :2] = transform.to_frame(keypoints[..., :2])
    return Poses(
        boxes=boxes.astype(np.float32),
        scores=scores.astype(np.float32),
        keypoints=keypoints.astype(np.float32),
    )


def _check_io(session: object, path: Path) -> tuple[str, int, int]:
    """Validate a YOLO-pose model's input (1, 3, H, W) and output (1, 56, N) shapes."""
    inputs, outputs = session.get_inputs(), session.get_outputs()  # type: ignore[attr-defined]
    expected = f"expected one input (1, 3, H, W) and one output (1, {OUTPUT_ROWS}, N)"
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelError(f"{path}: {expected}, got {len(inputs)} inputs, {len(outputs)} outputs")
    in_shape, out_shape = list(inputs[0].shape), list(outputs[0].shape)
    ok_in = len(in_shape) == 4 and in_shape[1] == 3 and all(isinstance(d, int) for d in in_shape)
    ok_out = len(out_shape) == 3 and out_shape[1] == OUTPUT_ROWS
    if not (ok_in and ok_out):
        raise ModelError(f"{path}: {expected}, got input {in_shape} and output {out_shape}")
    return str(inputs[0].name), int(in_shape[2]), int(in_shape[3])
