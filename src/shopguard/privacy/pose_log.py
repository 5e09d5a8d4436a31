"""The pose data of a ``pose_only`` clip: its skeleton sequence as one JSON file.

The file sits next to the clip (``…/<event id>/poses.json``) and holds one record per
analysed frame in the ``tracks.jsonl`` format (``shopguard.vision.tracks_jsonl``)::

    {"format": "shopguard.poses/1", "event_id": "…", "camera_id": "…", "track_id": 3,
     "keypoints": ["nose", …], "skeleton": [[15, 13], …],
     "frames": [{"frame": 12, "t": 1718000000.2, "tracks": [{"id": 3, "box": […],
                 "score": 0.91, "keypoints": [[x, y, conf] × 17]}]}, …]}

Example:
    >>> log = PoseLog("e1", "door-1", 3)
    >>> log.add(None)
    >>> len(log.frames)
    0
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopguard.keypoints import KEYPOINT_NAMES, SKELETON_EDGES
from shopguard.video.ring_buffer import BufferedFrame
from shopguard.vision.tracks_jsonl import frame_record

FORMAT = "shopguard.poses/1"


@dataclass(slots=True)
class PoseLog:
    """Collects the tracks of a clip's frames; frames that repeat the previous frame's
    tracks (recorded between two analyses) are left out."""

    event_id: str
    camera_id: str
    track_id: int
    frames: list[dict[str, Any]] = field(default_factory=list)
    _last: object = field(default=None, init=False, repr=False)

    def add(self, entry: BufferedFrame | None) -> None:
        if entry is None or entry.tracks is None or entry.tracks is self._last:
            return
        self._last = entry.tracks
        self.frames.append(frame_record(entry.index, entry.t, entry.tracks))

    def document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "event_id": self.event_id,
            "camera_id": self.camera_id,
            "track_id": self.track_id,
            "keypoints": list(KEYPOINT_NAMES),
            "skeleton": [[int(a), int(b)] for a, b in SKELETON_EDGES],
            "frames": self.frames,
        }

    def write(self, path: Path) -> None:
        """Write the file atomically (``<path>.part`` first)."""
        part = path.with_name(path.name + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        try:
            part.write_text(json.dumps(self.document(), separators=(",", ":")), "utf-8")
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)
