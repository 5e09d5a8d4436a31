"""Alert channels: one module per kind, each a ``Channel`` built from its config model.

Example:
    >>> from shopguard.alerts.config import AlertsConfig
    >>> cfg = AlertsConfig.model_validate({"channels": [
    ...     {"type": "webhook", "url": "https://example.com/hook", "secret": "s"}]})
    >>> sorted(build_channels(cfg))
    ['webhook']
"""

from __future__ import annotations

from shopguard.alerts.channels.base import Channel, Delivery, DeliveryError
from shopguard.alerts.channels.email import SnapshotLoader
from shopguard.alerts.config import (
    AlertsConfig,
    ChannelConfig,
    EmailConfig,
    MqttConfig,
    TwilioSmsConfig,
    WebhookConfig,
)
from shopguard.alerts.message import MessageFormat

__all__ = ["Channel", "Delivery", "DeliveryError", "build_channel", "build_channels"]


def build_channel(
    config: ChannelConfig, fmt: MessageFormat, snapshot_loader: SnapshotLoader | None = None
) -> Channel:
    """The channel for one config; resolves its secrets (``AlertsConfigError`` if missing)."""
    if isinstance(config, TwilioSmsConfig):
        from shopguard.alerts.channels.twilio_sms import TwilioSmsChannel

        return TwilioSmsChannel(config, fmt)
    if isinstance(config, WebhookConfig):
        from shopguard.alerts.channels.webhook import WebhookChannel

        return WebhookChannel(config, fmt)
    if isinstance(config, EmailConfig):
        from shopguard.alerts.channels.email import EmailChannel

        return EmailChannel(config, fmt, snapshot_loader)
    if isinstance(config, MqttConfig):
        from shopguard.alerts.channels.mqtt import MqttChannel

        return MqttChannel(config, fmt)
    raise TypeError(f"unknown channel config {type(config).__name__}")


def build_channels(
    config: AlertsConfig, snapshot_loader: SnapshotLoader | None = None
) -> dict[str, Channel]:
    """Every enabled channel by name, built at start-up so bad settings fail early."""
    fmt = MessageFormat(str(config.base_url), config.timezone)
    return {c.name: build_channel(c, fmt, snapshot_loader) for c in config.channels if c.enabled}
