"""Alert configuration: valid files, clear errors naming the field, secrets kept secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shopguard.alerts.channels import build_channels
from shopguard.alerts.config import (
    AlertsConfig,
    AlertsConfigError,
    EmailConfig,
    MqttConfig,
    TwilioSmsConfig,
    WebhookConfig,
    load_alerts_config,
    parse_alerts_config,
)

SID = "AC" + "0123456789abcdef" * 2

FULL = """
alerts:
  base_url: https://guard.shop.example
  timezone: Europe/Berlin
  retry: {max_attempts: 5, base_delay_s: 1}
  channels:
    - type: twilio_sms
      name: sms-managers
      account_sid: {sid}
      auth_token_env: SG_TEST_TWILIO_TOKEN
      from: "+15005550006"
      to: ["+4915112345678"]
      min_score: 0.8
    - type: webhook
      url: https://hooks.example/shopguard
      secret: hook-secret
    - type: email
      host: smtp.example
      username: alerts
      password: mail-secret
      from: alerts@shop.example
      to: [guard@shop.example]
    - type: mqtt
      host: broker.local
      enabled: false
""".replace("{sid}", SID)


def test_full_file_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shopguard.yaml"
    path.write_text(FULL)
    config = load_alerts_config(path)
    sms, hook, mail, mqtt = config.channels
    assert isinstance(sms, TwilioSmsConfig) and sms.name == "sms-managers"
    assert sms.from_ == "+15005550006" and sms.to == ["+4915112345678"]
    assert isinstance(hook, WebhookConfig) and hook.name == "webhook" and hook.timeout_s == 10
    assert isinstance(mail, EmailConfig) and mail.port == 587 and mail.security == "starttls"
    assert isinstance(mqtt, MqttConfig) and mqtt.topic_prefix == "shopguard" and mqtt.qos == 1
    assert config.retry.max_attempts == 5 and config.timezone == "Europe/Berlin"
    assert config.channels_for(0.9) == ["sms-managers", "webhook", "email"]
    assert config.channels_for(0.5) == ["webhook", "email"]
    assert config.channels_for(None) == ["sms-managers", "webhook", "email"]
    monkeypatch.setenv("SG_TEST_TWILIO_TOKEN", "tok")
    assert sorted(build_channels(config)) == ["email", "sms-managers", "webhook"]


def test_secrets_never_show_in_repr_or_dumps() -> None:
    config = parse_alerts_config(
        {
            "channels": [
                {"type": "webhook", "url": "https://h.example", "secret": "hook-secret"},
                {
                    "type": "email",
                    "host": "h",
                    "username": "u",
                    "password": "mail-pw",
                    "from": "a@b.example",
                    "to": ["c@d.example"],
                },
            ]
        }
    )
    for text in (repr(config), str(config), config.model_dump_json(), str(config.model_dump())):
        assert "hook-secret" not in text and "mail-pw" not in text
    assert config.channels[0].resolve_secret("secret") == "hook-secret"


def _error(data: Any) -> str:
    with pytest.raises(AlertsConfigError) as info:
        parse_alerts_config(data, "site.yaml")
    return str(info.value)


WEBHOOK = {"type": "webhook", "url": "https://h.example", "secret": "s"}


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ({"type": "pager"}, "channels.0: Input tag 'pager'"),
        ({"url": "https://h.example"}, "Unable to extract tag using discriminator 'type'"),
        ({**WEBHOOK, "url": "not a url"}, "channels.0.webhook.url"),
        ({**WEBHOOK, "secret": None}, "secret or secret_env is required"),
        ({**WEBHOOK, "secret_env": "X"}, "give secret or secret_env, not both"),
        ({**WEBHOOK, "timeout_s": 0}, "channels.0.webhook.timeout_s"),
        ({**WEBHOOK, "colour": "red"}, "channels.0.webhook.colour: Extra inputs"),
        ({**WEBHOOK, "name": "Bad Name"}, "channels.0.webhook.name"),
        (
            {
                "type": "twilio_sms",
                "account_sid": "nope",
                "auth_token": "t",
                "from": "+15005550006",
                "to": ["+15005550006"],
            },
            "channels.0.twilio_sms.account_sid",
        ),
        (
            {
                "type": "twilio_sms",
                "account_sid": SID,
                "auth_token": "t",
                "from": "+15005550006",
                "to": ["0151 1234"],
            },
            "channels.0.twilio_sms.to.0",
        ),
        (
            {
                "type": "twilio_sms",
                "account_sid": SID,
                "auth_token": "t",
                "from": "+15005550006",
                "to": [],
            },
            "channels.0.twilio_sms.to: List should have at least 1 item",
        ),
        ({"type": "email", "host": "h", "from": "a@b.example"}, "channels.0.email.to: Field"),
        (
            {
                "type": "email",
                "host": "h",
                "from": "a@b.example",
                "to": ["x@y.example"],
                "password": "p",
            },
            "password given without username",
        ),
        ({"type": "mqtt", "host": "b", "qos": 3}, "channels.0.mqtt.qos"),
        ({"type": "mqtt", "host": "b", "topic_prefix": "a/#"}, "channels.0.mqtt.topic_prefix"),
    ],
)
def test_malformed_channel_names_file_and_field(channel: dict[str, Any], expected: str) -> None:
    message = _error({"alerts": {"channels": [channel]}})
    assert message.startswith("site.yaml: alerts: invalid alert configuration")
    assert expected in message


def test_other_errors_name_the_field() -> None:
    assert "timezone: Value error, unknown time zone 'Mars/Base'" in _error(
        {"timezone": "Mars/Base"}
    )
    assert "repeated: webhook" in _error({"channels": [WEBHOOK, WEBHOOK]})
    assert "retry.max_attempts" in _error({"retry": {"max_attempts": 0}})
    assert "base_url" in _error({"base_url": "ftp://x"})


def test_missing_environment_secret_fails_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SG_TEST_NOPE", raising=False)
    config = AlertsConfig.model_validate(
        {
            "channels": [
                {"type": "webhook", "url": "https://h.example", "secret_env": "SG_TEST_NOPE"}
            ]
        }
    )
    with pytest.raises(
        AlertsConfigError,
        match="'webhook': secret_env: environment variable SG_TEST_NOPE is not set",
    ):
        build_channels(config)


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(AlertsConfigError, match=r"missing\.yaml: cannot read"):
        load_alerts_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("alerts: [unclosed")
    with pytest.raises(AlertsConfigError, match=r"bad\.yaml: cannot read"):
        load_alerts_config(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_alerts_config(empty).channels == []


def test_retry_policy_backs_off_exponentially_with_bounded_jitter() -> None:
    policy = AlertsConfig().retry.model_copy(update={"base_delay_s": 2.0, "max_delay_s": 60.0})
    assert [policy.delay_s(n, 0.0) for n in (1, 2, 3, 4, 10)] == [2, 4, 8, 16, 60]
    assert policy.delay_s(3, 0.999) == pytest.approx(8 * (1 - 0.5 * 0.999))
