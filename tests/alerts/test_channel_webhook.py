"""Webhook channel against a real local HTTP server."""

from __future__ import annotations

import json
import time

import pytest

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.channels.webhook import WebhookChannel, sign, verify
from shopguard.alerts.config import WebhookConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.testing import HttpRecorder, Reply

PAYLOAD = {
    "v": 1,
    "kind": "event",
    "event_id": "e1",
    "camera_id": "door-1",
    "camera_name": "Door",
    "at": "2024-05-01T12:00:00+00:00",
    "score": 0.9,
    "reason": "hand at waistband",
}
DELIVERY = Delivery(1, "webhook", "e1.webhook", PAYLOAD)


def _channel(url: str, **kwargs: object) -> WebhookChannel:
    config = WebhookConfig.model_validate(
        {"type": "webhook", "url": url, "secret": "k3y", "headers": {"X-Site": "7"}, **kwargs}
    )
    return WebhookChannel(config, MessageFormat("https://guard.example"))


def test_posts_signed_json_with_idempotency_key(http_recorder: HttpRecorder) -> None:
    _channel(f"{http_recorder.url}/hook").send(DELIVERY)
    [request] = http_recorder.requests
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.headers["Idempotency-Key"] == "e1.webhook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Site"] == "7"
    timestamp = request.headers["X-ShopGuard-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert request.headers["X-ShopGuard-Signature"] == sign("k3y", timestamp, request.body)
    assert verify("k3y", request.headers, request.body)
    assert not verify("other", request.headers, request.body)
    assert not verify("k3y", request.headers, request.body + b" ")
    assert not verify("k3y", request.headers, request.body, now=int(timestamp) + 3600)
    body = request.json()
    assert body["event_id"] == "e1" and body["idempotency_key"] == "e1.webhook"
    assert body["link"] == "https://guard.example/events/e1"
    assert "hand at waistband" in body["message"]


def test_signature_matches_the_documented_formula() -> None:
    import hashlib
    import hmac

    body = json.dumps({"a": 1}).encode()
    expected = hmac.new(b"k3y", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k3y", "1700000000", body) == f"sha256={expected}"
    assert not verify("k3y", {"X-ShopGuard-Timestamp": "abc"}, body)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (500, True),
        (503, True),
        (429, True),
        (408, True),
        (400, False),
        (401, False),
        (404, False),
        (301, False),
    ],
)
def test_error_status_decides_retry(
    http_recorder: HttpRecorder, status: int, retryable: bool
) -> None:
    http_recorder.default = Reply(status, b"nope")
    with pytest.raises(DeliveryError, match=f"HTTP {status}") as info:
        _channel(http_recorder.url).send(DELIVERY)
    assert info.value.retryable is retryable


def test_slow_receiver_times_out_retryably(http_recorder: HttpRecorder) -> None:
    http_recorder.default = Reply(delay_s=1.0)
    start = time.monotonic()
    with pytest.raises(DeliveryError, match="timed out") as info:
        _channel(http_recorder.url, timeout_s=0.2).send(DELIVERY)
    assert info.value.retryable and time.monotonic() - start < 0.9


def test_unreachable_receiver_is_retryable(http_recorder: HttpRecorder) -> None:
    http_recorder.stop()
    with pytest.raises(DeliveryError, match="request failed") as info:
        _channel(http_recorder.url).send(DELIVERY)
    assert info.value.retryable
