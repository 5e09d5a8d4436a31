"""MQTT channel through paho: events on ``<prefix>/<camera>/events``; camera-health
notices as a retained message on ``<prefix>/<camera>/status``.

The JSON payload carries ``idempotency_key``; with MQTT 5 it is also the user property
``Idempotency-Key``. A connection is opened per alert (alerts are rare; nothing goes
stale between them), and with QoS ≥ 1 the send waits for the broker's acknowledgement.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.config import MqttConfig
from shopguard.alerts.message import MessageFormat

#: CONNACK reason codes that retrying cannot fix: bad credentials, not authorised.
PERMANENT_REFUSALS = frozenset({134, 135, 140})


def topic_for(prefix: str, payload: dict[str, Any] | Any) -> tuple[str, bool]:
    """The topic of a payload and whether it is retained."""
    camera = payload.get("camera_id", "unknown")
    if payload.get("kind") == "camera_health":
        return f"{prefix}/{camera}/status", True
    return f"{prefix}/{camera}/events", False


class MqttChannel:
    """Publishes each alert as JSON: the payload plus ``idempotency_key``, ``message``,
    ``link``."""

    def __init__(self, config: MqttConfig, fmt: MessageFormat):
        self.name = config.name
        self._config = config
        self._password = config.resolve_secret("password")
        self._fmt = fmt

    def _client(self) -> mqtt.Client:
        c = self._config
        version = MQTTProtocolVersion.MQTTv5 if c.protocol == "5" else MQTTProtocolVersion.MQTTv311
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"shopguard-{self.name}-{uuid.uuid4().hex[:8]}",
            protocol=version,
            reconnect_on_failure=False,
        )
        if c.username:
            client.username_pw_set(c.username, self._password)
        if c.tls:
            client.tls_set(ca_certs=str(c.ca_file) if c.ca_file else None)
        return client

    def body(self, delivery: Delivery) -> bytes:
        message = self._fmt.render(delivery.payload)
        document = {
            **delivery.payload,
            "idempotency_key": delivery.idempotency_key,
            "message": message.text,
            "link": message.link,
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()

    def send(self, delivery: Delivery) -> None:
        c = self._config
        topic, retain = topic_for(c.topic_prefix, delivery.payload)
        properties = None
        if c.protocol == "5":
            properties = Properties(PacketTypes.PUBLISH)
            properties.UserProperty = ("Idempotency-Key", delivery.idempotency_key)
        client = self._client()
        connack: list[ReasonCode] = []
        connected = threading.Event()

        def on_connect(_c: Any, _u: Any, _f: Any, reason: ReasonCode, _p: Any) -> None:
            connack.append(reason)
            connected.set()

        client.on_connect = on_connect
        try:
            client.connect(c.host, c.port, keepalive=max(5, int(c.timeout_s) * 2))
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"cannot reach broker {c.host}:{c.port}: {exc}") from None
        client.loop_start()
        try:
            if not connected.wait(c.timeout_s):
                raise DeliveryError(f"no CONNACK from {c.host}:{c.port} in {c.timeout_s:g} s")
            if connack[0].is_failure:
                raise DeliveryError(
                    f"broker refused the connection: {connack[0]}",
                    retryable=connack[0].value not in PERMANENT_REFUSALS,
                )
            info = client.publish(topic, self.body(delivery), c.qos, retain, properties)
            try:
                info.wait_for_publish(c.timeout_s)
            except (RuntimeError, ValueError) as exc:
                raise DeliveryError(f"publish to {topic} failed: {exc}") from None
            if not info.is_published():
                raise DeliveryError(f"publish to {topic} not acknowledged in {c.timeout_s:g} s")
        finally:
            client.disconnect()
            client.loop_stop()
