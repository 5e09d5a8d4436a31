"""Alert channel configuration: pydantic models, a discriminated union on ``type``.

Secrets are ``SecretStr`` (shown as ``**********`` in ``repr`` and JSON dumps) and can
come from the environment instead of the file (``auth_token_env: TWILIO_TOKEN``).

Example:
    >>> cfg = AlertsConfig.model_validate({"channels": [
    ...     {"type": "webhook", "url": "https://example.com/hook", "secret": "s3cret"}]})
    >>> cfg.channels[0].name, cfg.channels[0].secret
    ('webhook', SecretStr('**********'))
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

NAME_RE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
E164_RE = r"^\+[1-9][0-9]{6,14}$"
EMAIL_RE = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"


class AlertsConfigError(ValueError):
    """Invalid alert configuration; the message names the file and the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class _Channel(_Model):
    """Settings every channel has."""

    type: str
    name: str = Field(default="", pattern=rf"{NAME_RE}|^$")
    enabled: bool = True
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    timeout_s: float = Field(default=10.0, gt=0.0, le=120.0)

    @model_validator(mode="after")
    def _default_name(self) -> _Channel:
        if not self.name:
            object.__setattr__(self, "name", self.type)
        return self

    def resolve_secret(self, field: str) -> str | None:
        """The secret ``field`` from the file or from the variable named by ``<field>_env``.

        Raises ``AlertsConfigError`` when the named environment variable is not set.
        """
        value: SecretStr | None = getattr(self, field)
        if value is not None:
            return value.get_secret_value()
        env: str | None = getattr(self, f"{field}_env")
        if env is None:
            return None
        if not os.environ.get(env):
            raise AlertsConfigError(
                f"channel {self.name!r}: {field}_env: environment variable {env} is not set"
            )
        return os.environ[env]


def _one_of(model: BaseModel, field: str, *, required: bool) -> None:
    given = [f for f in (field, f"{field}_env") if getattr(model, f) is not None]
    if len(given) > 1:
        raise ValueError(f"give {field} or {field}_env, not both")
    if required and not given:
        raise ValueError(f"{field} or {field}_env is required")


class TwilioSmsConfig(_Channel):
    """SMS through Twilio's Messages API; ``from`` is a number or a Messaging Service SID."""

    type: Literal["twilio_sms"]
    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: SecretStr | None = None
    auth_token_env: str | None = None
    from_: str = Field(alias="from", pattern=rf"{E164_RE}|^MG[0-9a-fA-F]{{32}}$")
    to: list[Annotated[str, Field(pattern=E164_RE)]] = Field(min_length=1)
    base_url: AnyHttpUrl | None = None

    @model_validator(mode="after")
    def _token(self) -> TwilioSmsConfig:
        _one_of(self, "auth_token", required=True)
        return self


class WebhookConfig(_Channel):
    """JSON POST signed with HMAC-SHA256 of ``f"{timestamp}.{body}"``."""

    type: Literal["webhook"]
    url: AnyHttpUrl
    secret: SecretStr | None = None
    secret_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _secret(self) -> WebhookConfig:
        _one_of(self, "secret", required=True)
        return self


class EmailConfig(_Channel):
    """E-mail through SMTP, with the event's snapshot attached.

    The snapshot is usually stored a moment after the alert is queued; the channel waits
    up to ``snapshot_wait_s`` for it, then sends without it.
    """

    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    password_env: str | None = None
    from_: str = Field(alias="from", pattern=EMAIL_RE)
    to: list[Annotated[str, Field(pattern=EMAIL_RE)]] = Field(min_length=1)
    attach_snapshot: bool = True
    snapshot_wait_s: float = Field(default=5.0, ge=0.0, le=60.0)
    subject_prefix: str = "[ShopGuard]"

    @model_validator(mode="after")
    def _password(self) -> EmailConfig:
        _one_of(self, "password", required=False)
        if (self.password or self.password_env) and not self.username:
            raise ValueError("password given without username")
        return self


class MqttConfig(_Channel):
    """MQTT publish: events on ``<prefix>/<camera>/events``, retained status on ``…/status``."""

    type: Literal["mqtt"]
    host: str = Field(min_length=1)
    port: int = Field(default=1883, ge=1, le=65535)
    topic_prefix: str = Field(default="shopguard", pattern=r"^[^#+\s]+$")
    username: str | None = None
    password: SecretStr | None = None
    password_env: str | None = None
    tls: bool = False
    ca_file: Path | None = None
    qos: Literal[0, 1, 2] = 1
    protocol: Literal["5", "3.1.1"] = "5"

    @model_validator(mode="after")
    def _password(self) -> MqttConfig:
        _one_of(self, "password", required=False)
        return self


ChannelConfig = Annotated[
    TwilioSmsConfig | WebhookConfig | EmailConfig | MqttConfig, Field(discriminator="type")
]


class RetryPolicy(_Model):
    """Exponential backoff with jitter, then dead letter after ``max_attempts``.

    The wait after attempt *n* is ``min(max_delay_s, base_delay_s · 2^(n-1))``, shortened
    by a random fraction of up to ``jitter``.
    """

    max_attempts: int = Field(default=10, ge=1, le=100)
    base_delay_s: float = Field(default=2.0, gt=0.0)
    max_delay_s: float = Field(default=900.0, gt=0.0)
    jitter: float = Field(default=0.5, ge=0.0, le=1.0)

    def delay_s(self, attempts: int, rand: float) -> float:
        """Seconds to wait after ``attempts`` tries; ``rand`` is uniform in [0, 1)."""
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** max(attempts - 1, 0))
        return delay * (1.0 - self.jitter * rand)


class AlertsConfig(_Model):
    """The ``alerts:`` section: where links point, which channels, how to retry."""

    base_url: AnyHttpUrl = AnyHttpUrl("http://localhost:8080")
    timezone: str = "UTC"
    channels: list[ChannelConfig] = Field(default_factory=list)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> AlertsConfig:
        names = [c.name for c in self.channels]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"channel names must be unique; repeated: {', '.join(duplicates)}")
        return self

    def channel(self, name: str) -> ChannelConfig:
        """The channel called ``name``; ``KeyError`` listing the known names if none."""
        for c in self.channels:
            if c.name == name:
                return c
        raise KeyError(f"no channel {name!r}; configured: {[c.name for c in self.channels]}")

    def channels_for(self, score: float | None) -> list[str]:
        """Enabled channels an alert goes to; ``score=None`` (a notice) skips ``min_score``."""
        return [
            c.name for c in self.channels if c.enabled and (score is None or score >= c.min_score)
        ]


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {loc}: {error['msg']}")
    return "\n".join(lines)


def parse_alerts_config(data: Any, source: str = "<config>") -> AlertsConfig:
    """Validate a mapping (the ``alerts:`` section, or a whole file holding one)."""
    if isinstance(data, dict) and "alerts" in data:
        data, source = data["alerts"], f"{source}: alerts"
    try:
        return AlertsConfig.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise AlertsConfigError(
            f"{source}: invalid alert configuration:\n{_describe(exc)}"
        ) from None


def load_alerts_config(path: str | Path) -> AlertsConfig:
    """Read and validate a YAML file; errors name the file and each bad field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AlertsConfigError(f"{path}: cannot read alert configuration: {exc}") from None
    return parse_alerts_config(data, str(path))
