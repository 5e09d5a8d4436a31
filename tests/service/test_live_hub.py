"""The live hub and the metrics registry, alone."""

from __future__ import annotations

import threading

import pytest

from shopguard.service.hub import LiveHub
from shopguard.service.metrics import Metrics


def test_subscribers_get_messages_in_order() -> None:
    hub = LiveHub()
    with hub.subscribe() as a, hub.subscribe() as b:
        seqs = [hub.publish("event.opened", {"n": i}) for i in range(3)]
        for sub in (a, b):
            got = [sub.get(timeout=0) for _ in range(3)]
            assert [(m.seq, m.data["n"]) for m in got if m] == [(s, i) for i, s in enumerate(seqs)]
        assert a.get(timeout=0) is None
    assert hub.subscriber_count == 0


def test_slow_subscriber_drops_the_oldest_and_counts() -> None:
    hub = LiveHub(queue_size=3)
    with hub.subscribe() as sub:
        for i in range(5):
            hub.publish("event.updated", {"n": i})
        assert sub.dropped == 2
        assert [sub.get(timeout=0).data["n"] for _ in range(3)] == [2, 3, 4]  # type: ignore[union-attr]
    assert hub.metrics.counter("shopguard_stream_dropped_total", "").value() == 2


def test_get_wakes_on_publish_and_on_close() -> None:
    hub = LiveHub()
    sub = hub.subscribe()
    threading.Timer(0.05, hub.publish, ("camera.health", {"camera_id": "a"})).start()
    message = sub.get(timeout=5)
    assert message is not None and message.kind == "camera.health"
    threading.Timer(0.05, hub.close).start()
    assert sub.get(timeout=5) is None and sub.closed
    assert hub.subscribe().closed  # a closed hub hands out closed subscriptions


def test_frames_latest_and_wait() -> None:
    hub = LiveHub()
    assert hub.latest_frame("door-1") is None
    assert hub.wait_frame("door-1", 0, 0.01) is None
    assert hub.set_frame("door-1", b"one") == 1
    assert hub.latest_frame("door-1") == (b"one", 1)
    assert hub.wait_frame("door-1", 0, 0.01) == (b"one", 1)
    assert hub.wait_frame("door-1", 1, 0.01) is None  # nothing newer
    threading.Timer(0.05, hub.set_frame, ("door-1", b"two")).start()
    assert hub.wait_frame("door-1", 1, 5) == (b"two", 2)
    hub.remove_camera("door-1")
    assert hub.latest_frame("door-1") is None


def test_health_is_kept_published_and_exported() -> None:
    hub = LiveHub()
    with hub.subscribe() as sub:
        hub.set_health("door-1", {"state": "live", "frames_in": 10, "inference_ms": 12.5})
        message = sub.get(timeout=0)
    assert message is not None and message.kind == "camera.health"
    assert message.data == {"state": "live", "frames_in": 10, "inference_ms": 12.5,
                            "camera_id": "door-1"}
    assert hub.health() == {"door-1": message.data}
    assert hub.metrics.counter("shopguard_frames_in_total", "").value(camera="door-1") == 10


def test_metrics_render_escapes_labels_and_calls_hooks() -> None:
    metrics = Metrics()
    gauge = metrics.gauge("x_seconds", "Help with \\ backslash")
    gauge.set(1.5, camera='say "hi"\n')
    metrics.on_collect(lambda m: m.counter("pulled_total", "Pulled.").set(7))
    text = metrics.render()
    assert 'x_seconds{camera="say \\"hi\\"\\n"} 1.5' in text
    assert "# HELP x_seconds Help with \\\\ backslash" in text
    assert "pulled_total 7" in text
    with pytest.raises(ValueError):
        metrics.counter("pulled_total", "Pulled.").inc(-1)
