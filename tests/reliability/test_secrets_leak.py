"""Secrets never leak: with a Twilio token, SMTP and MQTT passwords, a webhook secret and
S3 keys configured, none of them appears in the service's logs (channels failing to send,
the object store down), in any API response an admin can read, or in the dashboard's
bundled files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from service_harness import running_service, service_config, wait_until
from sqlalchemy import func, select

from shopguard.service.accounts import create_user, use_hasher
from shopguard.storage.models import AlertDelivery, DeliveryStatus
from shopguard.storage.testing import free_port

pytestmark = [pytest.mark.slow, pytest.mark.integration]

SECRETS = {
    "twilio": "twilio-token-8f3a9c1d77e4",
    "smtp": "smtp-password-5b2e0a",
    "mqtt": "mqtt-password-c41d9e",
    "webhook": "webhook-secret-9d8c7b",
    "s3_access": "AKIAS3ACCESSKEY0001",
    "s3_secret": "s3-secret-key-77aa11bb",
}
STATIC = Path(__file__).resolve().parents[2] / "src" / "shopguard" / "static"


def _channels(dead: str) -> list[dict[str, object]]:
    return [
        {"type": "twilio_sms", "name": "sms", "account_sid": "AC" + "0" * 32,
         "auth_token": SECRETS["twilio"], "from": "+15550000000", "to": ["+15550000001"],
         "api_base": dead} ,
        {"type": "email", "name": "mail", "host": "127.0.0.1", "port": free_port(),
         "username": "u", "password": SECRETS["smtp"], "from": "a@example.com",
         "to": ["b@example.com"]},
        {"type": "mqtt", "name": "mqtt", "host": "127.0.0.1", "port": free_port(),
         "username": "u", "password": SECRETS["mqtt"]},
        {"type": "webhook", "name": "hook", "url": f"{dead}/hook", "secret": SECRETS["webhook"]},
    ]


def test_no_secret_in_logs_api_or_bundle(
    tmp_path: Path, alarm_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    channels = _channels(dead)
    from shopguard.alerts.config import TwilioSmsConfig
    if "api_base" not in TwilioSmsConfig.model_fields:
        channels[0].pop("api_base")
    config = service_config(
        tmp_path, [{"id": "door", "url": "rtsp://127.0.0.1:9/none"}], None, alarm_model,
        alerts={"channels": channels},
        storage={"s3": {"bucket": "evidence", "endpoint_url": dead, "region": "us-east-1",
                        "access_key": SECRETS["s3_access"],
                        "secret_key": SECRETS["s3_secret"]}},
        server={"port": free_port()},
    )
    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    caplog.set_level(logging.INFO)  # the service logs at INFO (botocore DEBUG shows the key id)
    try:
        with running_service(config) as service:
            with service.sessions.begin() as s:
                create_user(s, "root", "root-password-123", "admin", None)
            # the dead camera raises an offline notice: every channel tries and fails
            def attempted() -> bool:
                with service.sessions() as s:
                    return (s.scalar(select(func.count()).select_from(AlertDelivery).where(
                        AlertDelivery.attempts >= 1)) or 0) >= len(channels)
            wait_until(attempted, 60, "every channel to try the offline notice")
            app = service.create_app()
            client = app.test_client()
            assert client.post("/api/auth/login", json={
                "username": "root", "password": "root-password-123"}).status_code == 200
            bodies = []
            for rule in app.url_map.iter_rules():
                if "GET" in rule.methods and not rule.arguments and "stream" not in rule.rule \
                        and rule.rule.startswith("/api"):
                    bodies.append((rule.rule, client.get(rule.rule).get_data(as_text=True)))
            with service.sessions() as s:
                errors = list(s.scalars(select(AlertDelivery.last_error).where(
                    AlertDelivery.status != DeliveryStatus.SENT)))
    finally:
        use_hasher(previous)
    assert len(bodies) > 10
    texts = {"logs": caplog.text, "delivery errors": "\n".join(e or "" for e in errors),
             **{f"GET {rule}": body for rule, body in bodies}}
    if STATIC.is_dir():
        for path in STATIC.rglob("*"):
            if path.is_file() and path.suffix in (".js", ".html", ".css", ".json", ".map"):
                texts[str(path)] = path.read_text(errors="replace")
    leaks = [(where, name) for where, text in texts.items()
             for name, secret in SECRETS.items() if secret in text]
    assert not leaks, leaks
    assert "GET /api/channels" in texts or any("/channels" in k for k in texts)
