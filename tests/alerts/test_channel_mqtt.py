"""MQTT channel against a real Mosquitto broker started by the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.channels.mqtt import MqttChannel
from shopguard.alerts.config import MqttConfig
from shopguard.alerts.message import MessageFormat
from shopguard.alerts.testing import MosquittoBroker, mqtt_subscriber, wait_for_messages

EVENT = {
    "v": 1,
    "kind": "event",
    "event_id": "e1",
    "camera_id": "door-1",
    "camera_name": "Door",
    "at": "2024-05-01T12:00:00+00:00",
    "score": 0.9,
    "reason": "hand at waistband",
}
STATUS = {
    "v": 1,
    "kind": "camera_health",
    "camera_id": "door-1",
    "camera_name": "door-1",
    "status": "offline",
    "text": "no frames for 60 s",
    "at": "2024-05-01T12:00:00+00:00",
}


def _channel(port: int, **kwargs: Any) -> MqttChannel:
    config = MqttConfig.model_validate(
        {"type": "mqtt", "host": "127.0.0.1", "port": port, "timeout_s": 2, **kwargs}
    )
    return MqttChannel(config, MessageFormat("https://guard.example"))


def test_event_goes_to_the_camera_events_topic(mosquitto: MosquittoBroker) -> None:
    with mqtt_subscriber(mosquitto.port) as received:
        _channel(mosquitto.port).send(Delivery(1, "mqtt", "e1.mqtt", EVENT))
        assert wait_for_messages(received, 1)
    [message] = received
    assert message.topic == "shopguard/door-1/events" and not message.retain
    assert message.user_properties == {"Idempotency-Key": "e1.mqtt"}
    body = message.json()
    assert body["idempotency_key"] == "e1.mqtt" and body["event_id"] == "e1"
    assert body["link"] == "https://guard.example/events/e1"


def test_camera_status_is_retained(mosquitto: MosquittoBroker) -> None:
    _channel(mosquitto.port, topic_prefix="shop7/sg", protocol="3.1.1").send(
        Delivery(2, "mqtt", "notice.door-1.mqtt", STATUS)
    )
    with mqtt_subscriber(mosquitto.port, "shop7/sg/+/status") as received:  # subscribes after
        assert wait_for_messages(received, 1)
    assert received[0].retain and received[0].json()["status"] == "offline"
    assert received[0].user_properties == {}  # MQTT 3.1.1 has none: the key is in the JSON
    assert received[0].json()["idempotency_key"] == "notice.door-1.mqtt"


def test_broker_down_is_retryable(mosquitto: MosquittoBroker) -> None:
    mosquitto.stop()
    with pytest.raises(DeliveryError, match="cannot reach broker") as info:
        _channel(mosquitto.port).send(Delivery(1, "mqtt", "e1.mqtt", EVENT))
    assert info.value.retryable


@pytest.fixture
def broker_with_login() -> Iterator[MosquittoBroker]:
    broker = MosquittoBroker(credentials=("sg", "mqtt-pw"))
    broker.start()
    yield broker
    broker.close()


def test_login_and_refusal(broker_with_login: MosquittoBroker) -> None:
    port = broker_with_login.port
    with mqtt_subscriber(port, credentials=("sg", "mqtt-pw")) as received:
        _channel(port, username="sg", password="mqtt-pw").send(Delivery(1, "m", "k1", EVENT))
        assert wait_for_messages(received, 1)
    with pytest.raises(DeliveryError, match="refused") as info:
        _channel(port, username="sg", password="wrong").send(Delivery(1, "m", "k1", EVENT))
    assert not info.value.retryable and "wrong" not in str(info.value)
