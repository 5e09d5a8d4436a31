"""Rendering and writing one event's evidence files: the MP4 clip and the JPEG snapshot.

Both go to ``<path>.part`` first and are renamed when complete, so a reader never sees a
half-written file. Faces are blurred before anything is drawn or encoded.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from shopguard.core import Image, Poses, Tracks
from shopguard.events.config import EventConfig
from shopguard.events.face_blur import blur_faces
from shopguard.events.manager import ActiveEvent
from shopguard.keypoints import NUM_KEYPOINTS
from shopguard.video.ring_buffer import BufferedFrame, encode_jpeg
from shopguard.video.writer import Mp4Writer
from shopguard.vision.draw import draw_tracks

#: Box colour of the event's person in snapshots (BGR red).
EVENT_COLOR = (0, 0, 255)


def part_path(path: Path) -> Path:
    """Where ``path`` is written before it is complete."""
    return path.with_name(path.name + ".part")


def private_image(entry: BufferedFrame, tracks: Tracks | None, config: EventConfig) -> Image:
    """The entry's image with faces blurred when the config asks for it."""
    image = entry.decode()
    if config.blur_faces and tracks is not None:
        blur_faces(image, tracks, config.blur_method)
    return image


class ClipWriter:
    """Writes buffered frames as a constant-rate H.264 MP4, resampled by capture time.

    Each frame is shown from its own time until the next frame's, so the clip lasts as
    long as the span it covers even when the source dropped frames. Frames without
    tracks use the last known tracks (for blurring and overlays).
    """

    def __init__(self, path: Path, fps: float, config: EventConfig):
        self.path = path
        self.fps = fps
        self._config = config
        self._writer = Mp4Writer(part_path(path), fps=fps, crf=config.clip_crf)
        self._pending: BufferedFrame | None = None
        self._tracks: Tracks | None = None
        self.t_start: float | None = None
        self.t_end: float | None = None
        self.aborted = False
        self._io_failed = False

    @property
    def frames_written(self) -> int:
        return self._writer.frames_written

    def add(self, entry: BufferedFrame) -> None:
        """Queue a frame; the previous one is written as many times as its span needs."""
        if self.t_start is None:
            self.t_start = entry.t
        elif self._pending is not None:
            self._write_pending(until=entry.t)
        self._pending = entry

    def finish(self) -> tuple[float, float]:
        """Write the last frame, close the file, move it into place; returns its time span."""
        if self._pending is None:
            raise ValueError(f"{self.path.name}: no frames to write")
        self._write_pending(until=None)
        self._write(None)
        os.replace(part_path(self.path), self.path)
        assert self.t_start is not None and self.t_end is not None
        return self.t_start, self.t_end

    def abort(self) -> None:
        """Give up and remove the partial file.

        After an I/O error (disk full) the writer is left unclosed: flushing PyAV's
        encoder into a failed output crashes the process (seen with PyAV 18).
        """
        self.aborted = True
        if not self._io_failed:
            with contextlib.suppress(Exception):
                self._writer.close()
        part_path(self.path).unlink(missing_ok=True)

    def _write(self, image: Image | None) -> None:
        """Write one frame, or close the file when ``image`` is None; notes I/O errors."""
        try:
            if image is None:
                self._writer.close()
            else:
                self._writer.write(image)
        except OSError:
            self._io_failed = True
            raise

    def _write_pending(self, until: float | None) -> None:
        entry = self._pending
        assert entry is not None and self.t_start is not None
        if until is None:
            copies = 1
        else:
            copies = round((until - self.t_start) * self.fps) - self.frames_written
        self._tracks = entry.tracks if entry.tracks is not None else self._tracks
        if copies > 0:
            image = private_image(entry, self._tracks, self._config)
            if self._config.clip_overlay and self._tracks is not None:
                draw_tracks(image, self._tracks)
            for _ in range(copies):
                self._write(image)
        self.t_end = self.t_start + self.frames_written / self.fps


def write_snapshot(
    entry: BufferedFrame, event: ActiveEvent, path: Path, config: EventConfig
) -> None:
    """The peak frame as JPEG with the event's person boxed and skeleton drawn."""
    image = private_image(entry, entry.tracks, config)
    person = _person(entry.tracks, event)
    if person is not None:
        label = f"#{event.track_id} {event.peak_score:.2f}"
        draw_tracks(image, person, labels=[label], colors=[EVENT_COLOR])
    part = part_path(path)
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        part.write_bytes(encode_jpeg(image, config.snapshot_quality))
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _person(tracks: Tracks | None, event: ActiveEvent) -> Tracks | None:
    """The event's track in ``tracks``, else its peak box alone (no keypoints)."""
    if tracks is not None:
        mask = tracks.ids == event.track_id
        if mask.any():
            return Tracks(tracks.poses.subset(mask), tracks.ids[mask])
    if event.peak_box is None:
        return None
    poses = Poses(
        np.asarray([event.peak_box], np.float32),
        np.ones(1, np.float32),
        np.zeros((1, NUM_KEYPOINTS, 3), np.float32),
    )
    return Tracks(poses, np.asarray([event.track_id], np.int64))
