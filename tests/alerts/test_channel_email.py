"""E-mail channel against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.channels.email import EmailChannel
from shopguard.alerts.config import EmailConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.testing import SmtpServer

JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
PAYLOAD = {
    "v": 1,
    "kind": "event",
    "event_id": "e1",
    "camera_id": "door-1",
    "camera_name": "Door",
    "at": "2024-05-01T12:00:00+00:00",
    "score": 0.9,
    "reason": "hand at waistband",
    "snapshot_key": "door-1/snap.jpg",
}
DELIVERY = Delivery(1, "email", "e1.email", PAYLOAD)


def _channel(port: int, loader: Any = None, **kwargs: Any) -> EmailChannel:
    config = EmailConfig.model_validate(
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "from": "alerts@shop.example",
            "to": ["guard@shop.example", "boss@shop.example"],
            "timeout_s": 2,
            **kwargs,
        }
    )
    return EmailChannel(config, MessageFormat("https://guard.example"), loader)


def _received(server: SmtpServer, index: int = 0) -> EmailMessage:
    envelope = server.state.messages[index]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_sends_text_and_snapshot_with_stable_message_id(smtp_server: SmtpServer) -> None:
    loaded: list[str] = []

    def load(key: str) -> bytes:
        loaded.append(key)
        return JPEG

    channel = _channel(smtp_server.port, load)
    channel.send(DELIVERY)
    channel.send(DELIVERY)  # a retry: same Message-ID
    assert loaded == ["door-1/snap.jpg"] * 2
    envelope = smtp_server.state.messages[0]
    assert envelope.mail_from == "alerts@shop.example"
    assert envelope.rcpt_tos == ["guard@shop.example", "boss@shop.example"]
    first, second = _received(smtp_server, 0), _received(smtp_server, 1)
    assert first["Message-ID"] == second["Message-ID"] == "<e1.email@shopguard.alerts>"
    assert first["X-ShopGuard-Idempotency-Key"] == "e1.email"
    assert first["Subject"] == "[ShopGuard] ShopGuard: suspicious behaviour at Door"
    body = first.get_body(("plain",))
    assert body is not None and "https://guard.example/events/e1" in body.get_content()
    [attachment] = list(first.iter_attachments())
    assert attachment.get_content_type() == "image/jpeg"
    assert attachment.get_filename() == "snapshot.jpg"
    assert attachment.get_content() == JPEG


def test_missing_snapshot_does_not_stop_the_alert(smtp_server: SmtpServer) -> None:
    def broken(_key: str) -> bytes:
        raise FileNotFoundError("gone")

    _channel(smtp_server.port, broken, snapshot_wait_s=0).send(DELIVERY)
    _channel(smtp_server.port, lambda _k: JPEG, attach_snapshot=False).send(DELIVERY)
    assert [list(_received(smtp_server, i).iter_attachments()) for i in (0, 1)] == [[], []]


def test_waits_briefly_for_a_snapshot_still_being_stored(smtp_server: SmtpServer) -> None:
    calls: list[str] = []

    def appears_on_third_try(key: str) -> bytes:
        calls.append(key)
        if len(calls) < 3:
            raise FileNotFoundError(key)
        return JPEG

    _channel(smtp_server.port, appears_on_third_try, snapshot_wait_s=5).send(DELIVERY)
    [attachment] = list(_received(smtp_server).iter_attachments())
    assert attachment.get_content() == JPEG and len(calls) == 3


@pytest.fixture
def smtp_with_login() -> Iterator[SmtpServer]:
    server = SmtpServer(credentials=("alerts", "mail-pw"))
    server.start()
    yield server
    server.stop()


def test_login(smtp_with_login: SmtpServer) -> None:
    _channel(smtp_with_login.port, username="alerts", password="mail-pw").send(DELIVERY)
    assert smtp_with_login.wait_for(1)
    with pytest.raises(DeliveryError, match="SMTP 535") as info:
        _channel(smtp_with_login.port, username="alerts", password="wrong").send(DELIVERY)
    assert not info.value.retryable
    assert "wrong" not in str(info.value)


@pytest.mark.parametrize(
    ("reply", "where", "retryable"),
    [
        ("451 4.3.0 try again later", "data_reply", True),
        ("554 5.7.1 rejected as spam", "data_reply", False),
        ("550 5.1.1 no such user", "rcpt_reply", False),
        ("450 4.2.1 mailbox busy", "rcpt_reply", True),
    ],
)
def test_server_replies_decide_retry(
    smtp_server: SmtpServer, reply: str, where: str, retryable: bool
) -> None:
    setattr(smtp_server.state, where, reply)
    with pytest.raises(DeliveryError) as info:
        _channel(smtp_server.port).send(DELIVERY)
    assert info.value.retryable is retryable


def test_server_down_is_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.stop()
    with pytest.raises(DeliveryError, match="SMTP failed") as info:
        _channel(smtp_server.port).send(DELIVERY)
    assert info.value.retryable


def test_starttls_against_a_server_without_it_fails(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryError, match="STARTTLS") as info:
        _channel(smtp_server.port, security="starttls").send(DELIVERY)
    assert info.value.retryable
