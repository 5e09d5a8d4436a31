"""Builds real services for fault tests: a behaviour model that always alarms (so a person
on camera opens an event within seconds), service configs and a de-duplicating view of a
webhook receiver."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shopguard.alerts.testing import HttpRecorder
from shopguard.behavior.config import FeatureConfig
from shopguard.config import ServiceConfig, parse_config
from shopguard.service.runtime import Service

HOOK_SECRET = "reliability-hook-secret"


def always_alarm_model(path: Path, probability_logit: float = 4.0) -> Path:
    """A valid behaviour model whose output is sigmoid(4) ≈ 0.98 for every window."""
    import onnx
    from onnx import TensorProto, helper

    from shopguard.behavior.features import FEATURE_NAMES, NUM_FEATURES

    cfg = FeatureConfig()
    zero = helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [], [probability_logit])
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["windows"], ["m"], axes=[1, 2], keepdims=0),
            helper.make_node("Mul", ["m", "zero"], ["z"]),
            helper.make_node("Add", ["z", "bias"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], ["probability"]),
        ],
        "always",
        [helper.make_tensor_value_info("windows", TensorProto.FLOAT,
                                       ["batch", cfg.steps, NUM_FEATURES])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch"])],
        initializer=[zero, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    for key, value in {"name": "always-alarm", "version": "1",
                       "feature_config": cfg.model_dump_json(),
                       "features": json.dumps(list(FEATURE_NAMES)), "threshold": "0.6"}.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path


def service_config(
    tmp_path: Path, cameras: list[dict[str, Any]], hook_url: str | None, behavior: Path,
    **sections: Any,
) -> ServiceConfig:
    """A service on ``tmp_path/var`` whose alerts go to one webhook, quick supervision."""
    channels = [] if hook_url is None else [
        {"type": "webhook", "name": "desk", "url": hook_url, "secret": HOOK_SECRET}]
    data: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "worker": {"heartbeat_timeout_s": 15, "restart_backoff_s": 0.2,
                   "offline_alert_after_s": 1.0, "inference_threads": 1},
        "events": {"pre_roll_s": 1, "post_roll_s": 1, "quiet_s": 2, "max_event_s": 60,
                   "blur_faces": False},
        "alerts": {"channels": channels},
        "models": {"behavior": str(behavior)},
        "cameras": cameras,
    }
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_config(data)


@contextmanager
def running_service(config: ServiceConfig) -> Iterator[Service]:
    """The real service (database, outbox sender, supervisor, worker processes), no HTTP."""
    service = Service(config)
    service.start()
    try:
        yield service
    finally:
        service.stop()


#: Seconds to wait for a camera worker to go live: it starts in about 10 s on a quiet
#: machine, but loading the pose model in a new process slows down a lot under load.
CAMERA_LIVE_S = 240.0


def wait_until(condition: Callable[[], Any], timeout: float, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def received_keys(recorder: HttpRecorder) -> Counter[str]:
    """Idempotency keys the receiver got, with how often each arrived."""
    return Counter(r.headers.get("Idempotency-Key", "") for r in recorder.requests)


def payloads(recorder: HttpRecorder) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in recorder.requests]
