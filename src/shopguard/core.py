"""The value objects that flow through the pipeline, one per stage.

``Frame`` → ``Poses`` (pose model) → ``Tracks`` (tracker) → ``Assessment`` (scorer).
Each stage takes one and returns the next, so a stage can be tested alone with
hand-made inputs. Images are **BGR** uint8 (OpenCV's order) everywhere in ShopGuard.

Example:
    >>> import numpy as np
    >>> poses = Poses.empty()
    >>> len(poses)
    0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shopguard.keypoints import NUM_KEYPOINTS

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded video frame.

    Attributes:
        camera_id: the camera the frame came from.
        index: frame number in the source (0-based, counts every decoded frame).
        t: capture time in seconds (stream time for files, wall clock for live sources).
        image: H×W×3 uint8 array in **BGR** channel order.
    """

    camera_id: str
    index: int
    t: float
    image: Image

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


@dataclass(frozen=True, slots=True)
class Poses:
    """People found in one frame, as vectorised arrays.

    Attributes:
        boxes: (N, 4) float32 xyxy in frame pixels.
        scores: (N,) float32 person confidence in [0, 1].
        keypoints: (N, 17, 3) float32: x, y in frame pixels, confidence in [0, 1].
    """

    boxes: FloatArray
    scores: FloatArray
    keypoints: FloatArray

    def __post_init__(self) -> None:
        n = len(self.boxes)
        if self.boxes.shape != (n, 4):
            raise ValueError(f"boxes must be (N, 4), got {self.boxes.shape}")
        if self.scores.shape != (n,):
            raise ValueError(f"scores must be ({n},), got {self.scores.shape}")
        if self.keypoints.shape != (n, NUM_KEYPOINTS, 3):
            raise ValueError(f"keypoints must be ({n}, 17, 3), got {self.keypoints.shape}")

    def __len__(self) -> int:
        return len(self.boxes)

    @classmethod
    def empty(cls) -> Poses:
        """Poses with no people."""
        return cls(
            boxes=np.zeros((0, 4), np.float32),
            scores=np.zeros((0,), np.float32),
            keypoints=np.zeros((0, NUM_KEYPOINTS, 3), np.float32),
        )

    def subset(self, mask: npt.NDArray[np.bool_] | IntArray) -> Poses:
        """The people selected by a boolean mask or an index array."""
        return Poses(self.boxes[mask], self.scores[mask], self.keypoints[mask])


@dataclass(frozen=True, slots=True)
class Tracks:
    """``Poses`` plus a stable per-camera id for each person; the tracker adds nothing else."""

    poses: Poses
    ids: IntArray

    def __post_init__(self) -> None:
        if self.ids.shape != (len(self.poses),):
            raise ValueError(f"ids must be ({len(self.poses)},), got {self.ids.shape}")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def boxes(self) -> FloatArray:
        return self.poses.boxes

    @property
    def scores(self) -> FloatArray:
        return self.poses.scores

    @property
    def keypoints(self) -> FloatArray:
        return self.poses.keypoints

    @classmethod
    def empty(cls) -> Tracks:
        """Tracks with no people."""
        return cls(Poses.empty(), np.zeros((0,), np.int64))


@dataclass(frozen=True, slots=True)
class Reason:
    """A human-readable cue that contributed to a score, with the time span it covers.

    Attributes:
        code: stable machine name, e.g. ``"hand_to_waistband_after_shelf"``.
        text: sentence a guard can read, e.g. "right hand at waistband for 2.1 s after
            reaching into shelf zone A".
        t_start: start of the span in seconds (same clock as ``Frame.t``).
        t_end: end of the span in seconds.
        weight: this cue's contribution to the fused score.
    """

    code: str
    text: str
    t_start: float
    t_end: float
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Assessment:
    """The scorer's verdict for one track at one time.

    Attributes:
        track_id: tracker id (per camera).
        t: time of the newest frame in the window (seconds).
        probability: sequence model probability of concealment for the latest window.
        score: fused suspicion score in [0, 1].
        reasons: the cues that fired, strongest first.
        box: the track's latest box (xyxy, frame pixels), for evidence drawing.
        model_version: identifier of the behaviour model that produced ``probability``.
    """

    track_id: int
    t: float
    probability: float
    score: float
    reasons: tuple[Reason, ...] = ()
    box: tuple[float, float, float, float] | None = None
    model_version: str = ""
    extra: dict[str, float] = field(default_factory=dict)
