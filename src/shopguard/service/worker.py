"""One camera worker process: opens the source and runs ``CameraPipeline`` on every frame.

A crash or a dead stream takes down one camera, never the service: the supervisor in the
service process restarts the worker. The worker reports health once a second, sends
live-view JPEGs and event notices over a queue, and writes events, evidence and the
alert outbox rows to the database itself (so an alert survives the worker dying).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.behavior.remote import RemoteModel
from shopguard.behavior.scorer import Scorer
from shopguard.config import CameraConfig, ServiceConfig
from shopguard.events.evidence import EvidenceRecorder
from shopguard.events.manager import EventManager
from shopguard.feedback.track_log import TrackLog, TrackLogTap
from shopguard.paths import pose_model_path
from shopguard.privacy.transform import PrivacyTransform
from shopguard.registry.files import ModelFiles
from shopguard.registry.runtime import (
    ActiveModel,
    ModelWatcher,
    active_key,
    load_active,
    operating_events,
)
from shopguard.service.camera import CameraPipeline
from shopguard.service.event_sink import DatabaseEventSink
from shopguard.service.messages import message, put_latest
from shopguard.service.recovery import recover_camera
from shopguard.service.wiring import build_remote_store
from shopguard.video.latest import LatestFrameReader
from shopguard.video.ring_buffer import RingBuffer
from shopguard.video.source import SourceSettings, VideoSource
from shopguard.vision.motion import MotionSettings
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
#: Extra seconds the ring buffer holds beyond the pre-roll (time for an event to open).
RING_MARGIN_S = 10.0
#: ``overloaded`` when analysis runs below this share of ``analysis_fps`` …
OVERLOAD_RATIO = 0.8
#: … over this many seconds of a live source.
OVERLOAD_AFTER_S = 10.0


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """Everything a worker process needs (picklable)."""

    camera: CameraConfig
    config: ServiceConfig


def model_files(config: ServiceConfig) -> ModelFiles:
    """The model registry's files: ``data_dir/models`` plus the object store, if any."""
    return ModelFiles(config.data_dir,
                      build_remote_store(config.storage.s3) if config.storage.s3 else None)


def load_model(spec: WorkerSpec, sessions: Any) -> ActiveModel:
    """The registry's active behaviour model for this camera (or the configured file),
    scoring through ``scorer.remote`` when one is configured."""
    config = spec.config
    active = load_active(sessions, model_files(config), spec.camera.id,
                         config.models.behavior or default_model_path())
    remote = config.scorer.remote
    if remote is None or not isinstance(active.model, SequenceModel):
        return active
    key = os.environ.get(remote.api_key_env, "")
    if not key:
        log.error("scorer.remote: $%s is not set; scoring locally", remote.api_key_env)
        return active
    return replace(active, model=RemoteModel(active.model, remote, key))


def build_pipeline(
    spec: WorkerSpec, sink: DatabaseEventSink, on_live_frame: Any = None,
    active: ActiveModel | None = None,
) -> CameraPipeline:
    """Assemble the camera's chain from its configuration and the active model."""
    camera, config = spec.camera, spec.config
    threads = config.worker.inference_threads
    motion = camera.motion
    vision = VisionPipeline(
        PoseEstimator(config.models.pose or pose_model_path(), threads=threads),
        analysis_fps=camera.analysis_fps,
        motion=MotionSettings(
            enabled=motion.enabled,
            pixel_threshold=motion.pixel_threshold,
            min_area=motion.min_area,
            max_idle_s=motion.max_idle_s,
        ),
    )
    active = active or load_model(spec, sink.sessions)
    scorer = Scorer(active.model, camera.zones, config.scorer)
    event_config = operating_events(config, camera, active.threshold, active.for_camera)
    pose_version = vision.estimator.model_path.stem
    events = EventManager(camera.id, event_config,
                          lambda: {"pose": pose_version, "behavior": scorer.model_version})
    ring = RingBuffer(event_config.pre_roll_s + RING_MARGIN_S)
    privacy = PrivacyTransform(camera.privacy)
    recorder = EvidenceRecorder(
        ring,
        spool_dir(config, camera.id),
        privacy.evidence_config(event_config),
        on_ready=sink.on_evidence,
        record_poses=privacy.records_poses or config.feedback.event_poses,
    )
    hours = config.feedback.track_log_hours
    tapped = (TrackLogTap(scorer, TrackLog(config.data_dir / "tracklog", camera.id, hours))
              if hours > 0 else scorer)
    return CameraPipeline(
        camera.id,
        vision,
        tapped,
        events,
        recorder,
        ring,
        sink,
        analysis_fps=camera.analysis_fps,
        record_fps=camera.record_fps,
        live_fps=config.worker.live_view_fps if on_live_frame else 0.0,
        on_live_frame=on_live_frame,
        zones=camera.zones,
        privacy=privacy,
    )


def open_camera_source(camera: CameraConfig) -> VideoSource:
    """The camera's frame source, always live: reconnects, wall-clock timestamps."""
    is_file = not camera.url.startswith(("rtsp", "rtmp", "http", "udp", "tcp", "webcam:"))
    return VideoSource(
        camera.url,
        camera.id,
        SourceSettings(
            max_fps=max(camera.analysis_fps, camera.record_fps),
            live=True,
            loop=camera.loop,
            realtime=is_file,
        ),
    )


def health_report(
    pipeline: CameraPipeline, source: VideoSource, reader: LatestFrameReader | None = None
) -> dict[str, Any]:
    """The camera's health as shown in the API, dashboard and metrics.

    ``warnings`` lists conditions that need attention while the camera runs:
    ``overloaded`` (analysis below ``OVERLOAD_RATIO`` of its target rate: frames are
    being dropped) and ``evidence_disk_full`` (a clip or snapshot could not be written).
    """
    now = time.time()
    status, counters = source.status, pipeline.counters
    timings = pipeline.vision.timer.summary()
    overloaded = _overloaded(pipeline, source, now)
    warnings = [name for name, on in (("overloaded", overloaded),
                                      ("evidence_disk_full", pipeline.recorder.stats.disk_full))
                if on]
    return {
        "state": status.state.value,
        "fps_in": round(status.source_fps, 2),
        "fps_analysed": round(counters.analysed_fps(now), 2),
        "fps_target": pipeline.analysis_fps,
        "inference_ms": round(timings.get("inference", {}).get("median_ms", 0.0), 1),
        "inference_p95_ms": round(timings.get("inference", {}).get("p95_ms", 0.0), 1),
        "frames_in": counters.frames_in,
        "frames_analysed": counters.frames_analysed,
        "frames_skipped_motion": counters.frames_skipped_motion,
        "frames_dropped": reader.dropped if reader is not None else 0,
        "events_opened": counters.events_opened,
        "decode_errors": status.decode_errors,
        "reconnects": status.reconnects,
        "last_frame_at": status.last_frame_wall or None,
        "last_error": status.last_error,
        "evidence_queue": pipeline.recorder.pending,
        "evidence_disk_full": pipeline.recorder.stats.disk_full,
        "evidence_failed": pipeline.recorder.stats.failed,
        "overloaded": overloaded,
        "warnings": warnings,
        "width": status.width,
        "height": status.height,
        "heartbeat_at": now,
    }


def _overloaded(pipeline: CameraPipeline, source: VideoSource, now: float) -> bool:
    """Analysis (including frames the motion gate skipped) below target on a live source."""
    target = pipeline.analysis_fps
    if source.status.source_fps > 0:  # a camera slower than the target is not overload
        target = min(target, source.status.source_fps)
    if source.status.state.value != "live" or target <= 0:
        return False
    counters = pipeline.counters
    if counters.live_since is None or now - counters.live_since < OVERLOAD_AFTER_S:
        return False
    return counters.due_fps(now, OVERLOAD_AFTER_S) < OVERLOAD_RATIO * target


def _parent_alive() -> bool:
    parent = mp.parent_process()
    return parent is None or parent.is_alive()


def worker_main(spec: WorkerSpec, messages: Any) -> None:
    """Process entry point: run the camera until SIGTERM (sent by the supervisor on stop,
    or by the system to the whole process group); then close open events and finish their
    clips before exiting."""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {spec.camera.id} %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the supervisor decides
    camera_id = spec.camera.id

    def send(kind: Any, **data: Any) -> None:
        put_latest(messages, message(kind, camera_id, **data))

    # Exiting must never wait for the queue's pipe to drain: when the service is gone (or
    # stopped reading) the pipe stays full and the worker would hang at exit for ever.
    cancel = getattr(messages, "cancel_join_thread", None)
    if cancel is not None:
        cancel()

    sink = DatabaseEventSink.from_config(spec.config, notify=send)
    recover_camera(sink.sessions, sink.archive, camera_id, spool_dir(spec.config, camera_id))
    active = load_model(spec, sink.sessions)
    pipeline = build_pipeline(spec, sink, on_live_frame=lambda jpeg: send("frame", jpeg=jpeg),
                              active=active)
    watcher = ModelWatcher(lambda: load_model(spec, sink.sessions),
                           lambda: active_key(sink.sessions, camera_id), active.key,
                           spec.config.models.poll_s)
    watcher.start()
    source = open_camera_source(spec.camera)
    reader = LatestFrameReader(source)

    def watch() -> None:
        while not stop.wait(HEALTH_INTERVAL_S):
            if not _parent_alive():  # the service was killed: do not outlive it
                log.error("%s: service process gone, stopping", camera_id)
                stop.set()
                break
            send("health", health=health_report(pipeline, source, reader))
        source.stop()

    send("health", health=health_report(pipeline, source, reader))
    threading.Thread(target=watch, name="heartbeat", daemon=True).start()
    try:
        while not stop.is_set() and reader.running:
            frame = reader.get(timeout=HEALTH_INTERVAL_S)
            if frame is not None:
                pipeline.process(frame)
            if (change := watcher.take()) is not None:  # between frames, never mid-batch
                swap_model(pipeline, spec, change)
    finally:
        watcher.stop()
        reader.stop()
        pipeline.flush()  # close open events, finish their clips
        close_track_log(pipeline)
        send("health", health=health_report(pipeline, source, reader) | {"state": "stopped"})
        sink.close()


def close_track_log(pipeline: CameraPipeline) -> None:
    """Write the track log's last segment (shutdown)."""
    if isinstance(pipeline.scorer, TrackLogTap):
        pipeline.scorer.log.close()


def swap_model(pipeline: CameraPipeline, spec: WorkerSpec, change: ActiveModel) -> None:
    """Score with ``change`` from the next frame on, at its operating threshold."""
    scorer = pipeline.scorer
    inner = scorer.inner if isinstance(scorer, TrackLogTap) else scorer
    assert isinstance(inner, Scorer)
    inner.use_model(change.model)
    pipeline.events.config = operating_events(spec.config, spec.camera, change.threshold,
                                              change.for_camera)
    log.info("%s: now scoring with behaviour model %s (threshold %.3f)", spec.camera.id,
             change.model.version, pipeline.events.config.threshold)


def spool_dir(config: ServiceConfig, camera_id: str) -> Path:
    """Where a camera's evidence files are written before they are archived."""
    return config.data_dir / "spool" / camera_id
