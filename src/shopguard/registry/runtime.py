"""What a camera worker scores with, and swapping it while the camera runs.

A worker loads the registry's active behaviour version (falling back to the configured
file while the registry is empty) and the camera's operating threshold stored with it.
``ModelWatcher`` looks at the active version every few seconds on its own thread; when
it changes (a promotion, a rollback, new thresholds), it loads the new model there and
hands it over. The camera loop applies it between two frames (``take``), so a swap never
happens in the middle of a scoring batch, and events raised afterwards carry the new
version.

Example:
    >>> watcher = ModelWatcher(load, current_key=("v3", 0.6))  # doctest: +SKIP
    >>> watcher.check(); change = watcher.take()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shopguard.behavior.model import ModelLoadError, SequenceModel, WindowModel
from shopguard.config import CameraConfig, ServiceConfig
from shopguard.events.config import EventConfig
from shopguard.registry.files import ModelFileError, ModelFiles
from shopguard.registry.store import active_version, camera_threshold

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActiveModel:
    """The model a camera scores with: registry ``version`` ("" when not from the
    registry), the loaded model and the camera's operating ``threshold`` (``None``: keep
    the configured one); ``for_camera`` when that threshold was stored for this very camera
    rather than as the version's default."""

    version: str
    model: WindowModel
    threshold: float | None
    for_camera: bool = False

    @property
    def key(self) -> tuple[str, float | None]:
        return self.version, self.threshold


def active_key(sessions: sessionmaker[Session], camera_id: str) -> tuple[str, float | None]:
    """The registry's active version and this camera's threshold (cheap: one query)."""
    with sessions() as session:
        row = active_version(session)
        if row is None:
            return "", None
        return row.version, camera_threshold(row.thresholds, camera_id)


def load_active(
    sessions: sessionmaker[Session], files: ModelFiles, camera_id: str, fallback: Path,
    threads: int = 1,
) -> ActiveModel:
    """The active registry model for ``camera_id``, or ``fallback`` if none is active."""
    with sessions() as session:
        row = active_version(session)
        if row is None:
            return ActiveModel("", SequenceModel(fallback, threads), None)
        key, sha, version = row.file_key, row.sha256, row.version
        threshold = camera_threshold(row.thresholds, camera_id)
        for_camera = camera_id in dict(row.thresholds.get("cameras") or {})
    model = SequenceModel(files.path(key, sha), threads)
    model.version = version  # events record the registry version
    return ActiveModel(version, model, threshold, for_camera)


def operating_events(
    config: ServiceConfig, camera: CameraConfig, threshold: float | None, for_camera: bool
) -> EventConfig:
    """The event settings ``camera`` runs with, given the active version's ``threshold``
    for it (``for_camera``: stored for this very camera, not the version's default).

    The threshold, most specific first: the camera's own ``events`` block, a threshold
    stored for the camera, ``events.threshold`` written in the configuration, the
    version's default, ``EventConfig``'s default.
    """
    base = config.camera_events(camera)
    written = "threshold" in config.events.model_fields_set
    if camera.events is not None or (written and not for_camera):
        return base
    return events_config(base, threshold)


def events_config(base: EventConfig, threshold: float | None) -> EventConfig:
    """``base`` with the operating threshold (quiet level two thirds of it, as training
    and threshold selection assume); ``base`` itself when there is none."""
    if threshold is None:
        return base
    from shopguard.training.evaluate import event_config

    return event_config(threshold, base)


class ModelWatcher:
    """Polls for a new active model on a background thread; the camera loop ``take``s it.

    Args:
        load: loads the active model (``load_active`` bound to the camera).
        probe: returns the active (version, threshold) cheaply (``active_key``).
        current_key: what the camera runs now.
        poll_s: seconds between polls.
    """

    def __init__(
        self,
        load: Callable[[], ActiveModel],
        probe: Callable[[], tuple[str, float | None]],
        current_key: tuple[str, float | None],
        poll_s: float = 5.0,
    ):
        self._load, self._probe, self.poll_s = load, probe, poll_s
        self._key = current_key
        self._pending: ActiveModel | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def check(self) -> bool:
        """Poll once; load a changed model. Returns whether a change is waiting."""
        try:
            key = self._probe()
            if key != self._key:
                loaded = self._load()
                with self._lock:
                    self._pending, self._key = loaded, loaded.key
                log.info("behaviour model %s (threshold %s) ready to swap in",
                         loaded.version or "from configuration", loaded.threshold)
        except (SQLAlchemyError, ModelLoadError, ModelFileError, OSError) as exc:
            self.errors += 1
            log.warning("model registry check failed, keeping the current model: %s", exc)
        with self._lock:
            return self._pending is not None

    def take(self) -> ActiveModel | None:
        """The new model, once (``None`` when nothing changed)."""
        with self._lock:
            pending, self._pending = self._pending, None
            return pending

    def start(self) -> None:
        def run() -> None:
            while not self._stop.wait(self.poll_s):
                self.check()

        self._thread = threading.Thread(target=run, name="model-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
