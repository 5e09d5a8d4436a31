"""``/api/channels``: alert channels (SMS, webhook, e-mail, MQTT), administrators only.

Secrets (auth tokens, webhook secrets, passwords) are write-only: they go in ``secrets``,
are kept when a change leaves them out, and are never returned; ``secrets_set`` names the
ones that have a value. ``config`` holds everything else (``from``, ``to``, ``url``, …).
"""

from __future__ import annotations

import typing
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopguard.alerts.config import NAME_RE, ChannelConfig
from shopguard.service.auth import ctx
from shopguard.service.channel_registry import (
    CHANNEL_ADAPTER,
    channel_to_dict,
    secret_fields,
)
from shopguard.service.errors import ApiError, field_errors
from shopguard.service.pagination import Page
from shopguard.service.routes import api_route

bp = Blueprint("channels", __name__, url_prefix="/api/channels")

#: Channel config class by ``type`` (``twilio_sms``, ``webhook``, ``email``, ``mqtt``).
KINDS: dict[str, type[BaseModel]] = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in typing.get_args(typing.get_args(ChannelConfig)[0])
}
_TOP = ("name", "enabled", "type")


class ChannelOut(BaseModel):
    name: str
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    enabled: bool
    config: dict[str, Any] = Field(description="settings without secrets (min_score, to, …)")
    secrets_set: list[str] = Field(description="secret settings that have a value")

    @classmethod
    def of(cls, channel: ChannelConfig) -> ChannelOut:
        data = channel_to_dict(channel, with_secrets=False)
        config = {k: v for k, v in data.items() if k not in _TOP}
        present = [s for s in secret_fields(channel) if getattr(channel, s) is not None]
        return cls(name=channel.name, kind=channel.type, enabled=channel.enabled,
                   config=config, secrets_set=present)


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_RE)
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    enabled: bool = True
    config: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict, description="write-only")


class ChannelPatch(BaseModel):
    """Changes: ``config`` keys are merged (``null`` removes one), given secrets replace."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, pattern=NAME_RE)
    enabled: bool | None = None
    config: dict[str, Any] | None = None
    secrets: dict[str, str] | None = None


class ChannelTestOut(BaseModel):
    ok: bool
    error: str | None
    duration_s: float


def _build(name: str, kind: str, enabled: bool, config: dict[str, Any],
           secrets: dict[str, str]) -> ChannelConfig:
    """A validated channel config; 422 naming ``config.x``/``secrets.x`` fields."""
    cls = KINDS.get(kind)
    if cls is None:
        raise ApiError(422, f"unknown channel kind {kind!r}",
                       fields={"kind": f"one of {', '.join(KINDS)}"})
    secret_names = set(secret_fields(cls))
    wrong = {f"config.{k}": "a secret: send it in secrets" for k in config if k in secret_names}
    wrong |= {f"config.{k}": "not a config field" for k in config if k in _TOP}
    wrong |= {f"secrets.{k}": "not a secret of this kind" for k in secrets
              if k not in secret_names}
    if wrong:
        raise ApiError(422, "invalid channel", fields=wrong)
    data = {**config, **secrets, "type": kind, "name": name, "enabled": enabled}
    try:
        return CHANNEL_ADAPTER.validate_python(data)
    except ValidationError as exc:
        fields = {}
        for key, msg in field_errors(exc).items():
            field = "" if key == kind else key.removeprefix(f"{kind}.")
            top = field.split(".")[0]
            section = "secrets" if top in secret_names else "config"
            name_ = field if top in _TOP else f"{section}.{field}".rstrip(".")
            fields[name_] = msg
        raise ApiError(422, "invalid channel", fields=fields) from None


def _channel(name: str) -> ChannelConfig:
    try:
        return ctx().channels.get(name)
    except KeyError:
        raise ApiError(404, f"no channel {name!r}") from None


@api_route(bp, "", "GET", "List alert channels", access="admin", response=Page[ChannelOut])
def list_channels() -> Page[ChannelOut]:
    channels = ctx().channels.list()
    return Page[ChannelOut](items=[ChannelOut.of(c) for c in channels], total=len(channels),
                            next=None)


@api_route(bp, "", "POST", "Add an alert channel", access="admin", body=ChannelIn,
           response=ChannelOut, status=201, errors=(409, 422))
def create(body: ChannelIn) -> ChannelOut:
    channel = _build(body.name, body.kind, body.enabled, body.config, body.secrets)
    try:
        ctx().channels.create(channel)
    except ValueError as exc:
        raise ApiError(409, str(exc), fields={"name": "already used"}) from None
    return ChannelOut.of(channel)


@api_route(bp, "/<name>", "GET", "Get an alert channel", access="admin", response=ChannelOut,
           errors=(404,))
def get(name: str) -> ChannelOut:
    return ChannelOut.of(_channel(name))


@api_route(bp, "/<name>", "PATCH", "Change an alert channel", access="admin",
           body=ChannelPatch, response=ChannelOut, errors=(404, 409, 422))
def update(name: str, body: ChannelPatch) -> ChannelOut:
    old = _channel(name)
    stored = channel_to_dict(old, with_secrets=True)
    secret_names = secret_fields(old)
    config = {k: v for k, v in stored.items() if k not in _TOP and k not in secret_names}
    config = {k: v for k, v in (config | (body.config or {})).items() if v is not None}
    secrets = {k: stored[k] for k in secret_names if k in stored} | (body.secrets or {})
    channel = _build(body.name or name, old.type,
                     old.enabled if body.enabled is None else body.enabled, config, secrets)
    try:
        ctx().channels.replace(name, channel)
    except ValueError as exc:
        raise ApiError(409, str(exc), fields={"name": "already used"}) from None
    return ChannelOut.of(channel)


@api_route(bp, "/<name>", "DELETE", "Remove an alert channel", access="admin", status=204,
           errors=(404,))
def delete(name: str) -> None:
    _channel(name)
    try:
        ctx().channels.delete(name)
    except KeyError:
        raise ApiError(404, f"no channel {name!r}") from None


@api_route(bp, "/<name>/test", "POST", "Send a test alert now", access="admin",
           response=ChannelTestOut, errors=(404,))
def test(name: str) -> ChannelTestOut:
    """Sends a test message on the channel directly (not through the outbox)."""
    _channel(name)
    return ChannelTestOut.model_validate(ctx().channels.test(name))
