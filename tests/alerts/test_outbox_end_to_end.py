"""One event, four real receivers: SMS (Twilio API), webhook, e-mail with snapshot, MQTT."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.channels import build_channels
from shopguard.alerts.config import AlertsConfig
from shopguard.alerts.outbox import OutboxSender, enqueue
from shopguard.alerts.testing import (
    HttpRecorder,
    MosquittoBroker,
    Reply,
    SmtpServer,
    mqtt_subscriber,
    wait_for_messages,
)
from shopguard.core import Reason
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import AlertDelivery, DeliveryStatus, EvidenceKind, utcnow
from shopguard.storage.repository import create_event

SID = "AC" + "0123456789abcdef" * 2
JPEG = b"\xff\xd8\xff\xe0snapshot\xff\xd9"


def test_event_reaches_every_channel_with_its_snapshot(
    tmp_path: Path,
    sqlite_sessions: sessionmaker[Session],
    http_recorder: HttpRecorder,
    smtp_server: SmtpServer,
    mosquitto: MosquittoBroker,
) -> None:
    twilio = HttpRecorder()
    twilio.default = Reply(201, json.dumps({"sid": "SM1", "status": "queued"}).encode())
    twilio.start()
    config = AlertsConfig.model_validate(
        {
            "base_url": "https://guard.example",
            "channels": [
                {
                    "type": "twilio_sms",
                    "name": "sms",
                    "account_sid": SID,
                    "auth_token": "t",
                    "from": "+15005550006",
                    "to": ["+4915112345678"],
                    "base_url": twilio.url,
                },
                {"type": "webhook", "url": http_recorder.url, "secret": "s"},
                {
                    "type": "email",
                    "host": "127.0.0.1",
                    "port": smtp_server.port,
                    "security": "none",
                    "from": "a@shop.example",
                    "to": ["g@shop.example"],
                },
                {"type": "mqtt", "host": "127.0.0.1", "port": mosquitto.port},
            ],
        }
    )
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    sender = OutboxSender(sqlite_sessions, build_channels(config, archive.read_key))
    sender.start()
    try:
        with mqtt_subscriber(mosquitto.port) as mqtt_messages:
            with sqlite_sessions.begin() as s:
                event = create_event(
                    s,
                    camera_id="door-1",
                    track_id=3,
                    started_at=utcnow(),
                    peak_score=0.93,
                    reasons=[Reason("conceal", "item into jacket", 1.0, 2.5, 0.6)],
                )
                enqueue(s, event, config.channels_for(event.peak_score), on_commit=sender.wake)
            snapshot = tmp_path / f"{event.id}.jpg"  # the clip writer's snapshot, a bit later
            snapshot.write_bytes(JPEG)
            with sqlite_sessions.begin() as s:
                archive.add(s, s.merge(event), EvidenceKind.SNAPSHOT, snapshot)

            assert twilio.wait_for(1) and http_recorder.wait_for(1) and smtp_server.wait_for(1)
            assert wait_for_messages(mqtt_messages, 1)
    finally:
        sender.stop()
        twilio.stop()

    link = f"https://guard.example/events/{event.id}"
    assert link in twilio.requests[0].body.decode().replace("%3A", ":").replace("%2F", "/")
    assert http_recorder.requests[0].json()["link"] == link
    mail = message_from_bytes(smtp_server.state.messages[0].content, policy=policy.default)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content() == JPEG
    assert mqtt_messages[0].topic == "shopguard/door-1/events"
    with sqlite_sessions() as s:
        statuses = s.scalars(select(AlertDelivery.status)).all()
    assert statuses == [DeliveryStatus.SENT] * 4
