"""One camera worker process: opens the source and runs ``CameraPipeline`` on every frame.

A crash or a dead stream takes down one camera, never the service: the supervisor in the
service process restarts the worker. The worker reports health once a second, sends
live-view JPEGs and event notices over a queue, and writes events, evidence and the
alert outbox rows to the database itself (so an alert survives the worker dying).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopguard.behavior.model import SequenceModel, default_model_path
from shopguard.behavior.scorer import Scorer
from shopguard.config import CameraConfig, ServiceConfig
from shopguard.events.evidence import EvidenceRecorder
from shopguard.events.manager import EventManager
from shopguard.paths import pose_model_path
from shopguard.privacy.transform import PrivacyTransform
from shopguard.service.camera import CameraPipeline
from shopguard.service.event_sink import DatabaseEventSink
from shopguard.service.messages import message, put_latest
from shopguard.video.ring_buffer import RingBuffer
from shopguard.video.source import SourceSettings, VideoSource
from shopguard.vision.motion import MotionSettings
from shopguard.vision.pipeline import VisionPipeline
from shopguard.vision.pose import PoseEstimator

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
#: Extra seconds the ring buffer holds beyond the pre-roll (time for an event to open).
RING_MARGIN_S = 10.0


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """Everything a worker process needs (picklable)."""

    camera: CameraConfig
    config: ServiceConfig


def build_pipeline(
    spec: WorkerSpec, sink: DatabaseEventSink, on_live_frame: Any = None
) -> CameraPipeline:
    """Assemble the camera's chain from its configuration."""
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
    model = SequenceModel(config.models.behavior or default_model_path())
    scorer = Scorer(model, camera.zones, config.scorer)
    event_config = config.camera_events(camera)
    versions = {"pose": vision.estimator.model_path.stem, "behavior": model.version}
    events = EventManager(camera.id, event_config, lambda: versions)
    ring = RingBuffer(event_config.pre_roll_s + RING_MARGIN_S)
    privacy = PrivacyTransform(camera.privacy)
    recorder = EvidenceRecorder(
        ring,
        spool_dir(config, camera.id),
        privacy.evidence_config(event_config),
        on_ready=sink.on_evidence,
        record_poses=privacy.records_poses,
    )
    return CameraPipeline(
        camera.id,
        vision,
        scorer,
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


def health_report(pipeline: CameraPipeline, source: VideoSource) -> dict[str, Any]:
    """The camera's health as shown in the API, dashboard and metrics."""
    now = time.time()
    status, counters = source.status, pipeline.counters
    timings = pipeline.vision.timer.summary()
    return {
        "state": status.state.value,
        "fps_in": round(status.source_fps, 2),
        "fps_analysed": round(counters.analysed_fps(now), 2),
        "inference_ms": round(timings.get("inference", {}).get("median_ms", 0.0), 1),
        "frames_in": counters.frames_in,
        "frames_analysed": counters.frames_analysed,
        "frames_skipped_motion": counters.frames_skipped_motion,
        "events_opened": counters.events_opened,
        "decode_errors": status.decode_errors,
        "reconnects": status.reconnects,
        "last_frame_at": status.last_frame_wall or None,
        "last_error": status.last_error,
        "evidence_queue": pipeline.recorder.pending,
        "evidence_disk_full": pipeline.recorder.stats.disk_full,
        "width": status.width,
        "height": status.height,
        "heartbeat_at": now,
    }


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

    sink = DatabaseEventSink.from_config(spec.config, notify=send)
    pipeline = build_pipeline(spec, sink, on_live_frame=lambda jpeg: send("frame", jpeg=jpeg))
    source = open_camera_source(spec.camera)

    def watch() -> None:
        while not stop.wait(HEALTH_INTERVAL_S):
            send("health", health=health_report(pipeline, source))
        source.stop()

    send("health", health=health_report(pipeline, source))
    threading.Thread(target=watch, name="heartbeat", daemon=True).start()
    try:
        for frame in source.frames():
            pipeline.process(frame)
            if stop.is_set():
                break
    finally:
        pipeline.flush()  # close open events, finish their clips
        send("health", health=health_report(pipeline, source) | {"state": "stopped"})
        sink.close()


def spool_dir(config: ServiceConfig, camera_id: str) -> Path:
    """Where a camera's evidence files are written before they are archived."""
    return config.data_dir / "spool" / camera_id
