"""Runs a ``VideoSource`` on a thread and records what it yields, for stream tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from shopguard.video.source import SourceState, VideoSource


@dataclass(slots=True)
class Seen:
    shape: tuple[int, ...]
    index: int
    wall: float


@dataclass
class FrameReader:
    """Consumes ``source.frames()`` in the background; ``wait`` polls a condition."""

    source: VideoSource
    seen: list[Seen] = field(default_factory=list)
    states: list[SourceState] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._watch = threading.Thread(target=self._track_states, daemon=True)
        self._watch.start()

    def _run(self) -> None:
        try:
            for frame in self.source.frames():
                self.seen.append(Seen(frame.image.shape, frame.index, time.monotonic()))
        except BaseException as exc:  # the test asserts there is none
            self.error = exc

    def _track_states(self) -> None:
        while self._thread.is_alive():
            state = self.source.status.state
            if not self.states or self.states[-1] != state:
                self.states.append(state)
            time.sleep(0.02)

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()

    def frames_after(self, wall: float) -> int:
        return sum(s.wall > wall for s in self.seen)

    def stop(self) -> None:
        self.source.stop()
        self._thread.join(15)
        assert not self._thread.is_alive(), "frames() did not stop"
