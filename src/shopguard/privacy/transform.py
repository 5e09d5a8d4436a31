"""The one place where a camera's privacy mode is applied to its pictures.

``CameraPipeline`` calls ``apply`` on each frame it records or shows live, before the
picture enters the ring buffer (which feeds evidence clips and snapshots) or becomes a
live-view JPEG; nothing else leaves the worker. The pose model and the tracker always
see the original frame, so detection, scoring and events are the same in every mode.

- ``full``: the frame as captured; faces are blurred when evidence is written
  (``EventConfig.blur_faces``).
- ``blurred``: bodies pixelated except hands and the item they hold (``render``).
- ``pose_only``: skeletons drawn on the background plate (or grey): no camera pixel of a
  person is in the picture.

Example:
    >>> import numpy as np
    >>> from shopguard.core import Tracks
    >>> frame = np.full((36, 64, 3), 200, np.uint8)
    >>> int(PrivacyTransform("pose_only").apply(frame, Tracks.empty())[0, 0, 0])
    128
"""

from __future__ import annotations

from shopguard.core import Image, Tracks
from shopguard.events.config import EventConfig
from shopguard.privacy.config import PRIVACY_MODES, PrivacyMode
from shopguard.privacy.plate import BackgroundPlate, PlateSettings
from shopguard.privacy.render import draw_skeletons, pixelate_people


class PrivacyTransform:
    """Turns captured frames into the pictures a camera's privacy mode allows.

    Args:
        mode: the camera's privacy mode.
        plate: settings of the background plate (``pose_only`` only).
    """

    def __init__(self, mode: PrivacyMode = "full", plate: PlateSettings | None = None):
        if mode not in PRIVACY_MODES:
            raise ValueError(f"unknown privacy mode {mode!r}")
        self.mode: PrivacyMode = mode
        self.plate = BackgroundPlate(plate) if mode == "pose_only" else None

    def observe(self, image: Image, tracks: Tracks, t: float) -> None:
        """Every frame with its current tracks: lets ``pose_only`` learn the empty scene."""
        if self.plate is not None:
            self.plate.observe(image, tracks, t)

    def apply(self, image: Image, tracks: Tracks) -> Image:
        """The picture that may leave the worker; ``image`` itself is never modified."""
        if self.mode == "blurred":
            return pixelate_people(image.copy(), tracks)
        if self.plate is not None:
            height, width = image.shape[:2]
            return draw_skeletons(self.plate.canvas(width, height), tracks)
        return image

    def evidence_config(self, config: EventConfig) -> EventConfig:
        """``config`` for this mode's evidence: ``pose_only`` pictures hold no faces, so
        face blurring (which would smear the plate and the skeleton's head) is off."""
        if self.mode == "pose_only" and config.blur_faces:
            return config.model_copy(update={"blur_faces": False})
        return config

    @property
    def records_poses(self) -> bool:
        """Whether this mode needs the skeleton sequence as evidence (``pose_only``: it is
        the only record of what the person did)."""
        return self.mode == "pose_only"
