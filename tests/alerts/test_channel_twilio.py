"""Twilio SMS channel: the official SDK pointed at a local HTTP server."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.channels.twilio_sms import TwilioSmsChannel
from shopguard.alerts.config import TwilioSmsConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.testing import HttpRecorder, Reply

SID = "AC" + "0123456789abcdef" * 2
MESSAGE = json.dumps({"sid": "SM" + "0" * 32, "status": "queued", "account_sid": SID}).encode()
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
DELIVERY = Delivery(1, "sms", "e1.sms", PAYLOAD)


def _channel(url: str, **kwargs: object) -> TwilioSmsChannel:
    config = TwilioSmsConfig.model_validate(
        {
            "type": "twilio_sms",
            "name": "sms",
            "account_sid": SID,
            "auth_token": "tok3n",
            "from": "+15005550006",
            "to": ["+4915112345678", "+4915187654321"],
            "base_url": url,
            **kwargs,
        }
    )
    return TwilioSmsChannel(config, MessageFormat("https://guard.example"))


def test_one_message_per_recipient_through_the_messages_api(http_recorder: HttpRecorder) -> None:
    http_recorder.default = Reply(201, MESSAGE)
    _channel(http_recorder.url).send(DELIVERY)
    assert len(http_recorder.requests) == 2
    for request, number in zip(
        http_recorder.requests, ["+4915112345678", "+4915187654321"], strict=True
    ):
        assert request.method == "POST"
        assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
        auth = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
        assert auth == f"{SID}:tok3n"
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        assert form["To"] == number and form["From"] == "+15005550006"
        assert "Door" in form["Body"] and "hand at waistband" in form["Body"]
        assert "https://guard.example/events/e1" in form["Body"]


def test_messaging_service_sender(http_recorder: HttpRecorder) -> None:
    http_recorder.default = Reply(201, MESSAGE)
    service = "MG" + "a" * 32
    _channel(http_recorder.url, **{"from": service, "to": ["+4915112345678"]}).send(DELIVERY)
    form = parse_qs(http_recorder.requests[0].body.decode())
    assert form["MessagingServiceSid"] == [service] and "From" not in form


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, 21211, False),
        (401, 20003, False),
        (429, 20429, True),
        (500, 20500, True),
        (503, None, True),
    ],
)
def test_api_errors(
    http_recorder: HttpRecorder, status: int, code: int | None, retryable: bool
) -> None:
    body = json.dumps(
        {"code": code, "message": "The 'To' number is not valid.", "status": status}
    ).encode()
    http_recorder.default = Reply(status, body)
    with pytest.raises(DeliveryError, match=f"Twilio {status}") as info:
        _channel(http_recorder.url).send(DELIVERY)
    assert info.value.retryable is retryable
    assert "tok3n" not in str(info.value)


def test_unreachable_api_is_retryable(http_recorder: HttpRecorder) -> None:
    http_recorder.stop()
    with pytest.raises(DeliveryError, match="request for \\+4915112345678 failed") as info:
        _channel(http_recorder.url).send(DELIVERY)
    assert info.value.retryable


def test_slow_api_times_out(http_recorder: HttpRecorder) -> None:
    http_recorder.default = Reply(201, MESSAGE, delay_s=1.0)
    with pytest.raises(DeliveryError) as info:
        _channel(http_recorder.url, timeout_s=0.2).send(DELIVERY)
    assert info.value.retryable
