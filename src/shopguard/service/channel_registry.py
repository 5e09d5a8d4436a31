"""Alert channel configurations editable at run time, persisted to a private JSON file.

The configuration file's ``alerts.channels`` seed the registry; once a channel is edited
through the API the registry writes ``path`` (mode 0600, secrets included) and that file
wins on the next start. ``on_change`` gets the new list so the outbox sender can rebuild
its channels.

Example:
    >>> from shopguard.alerts.config import WebhookConfig
    >>> reg = ChannelRegistry()
    >>> reg.create(WebhookConfig(type="webhook", url="https://example.com/h", secret="s"))
    >>> [c.name for c in reg.list()], secret_fields(reg.get("webhook"))
    (['webhook'], ['secret'])
"""

from __future__ import annotations

import json
import os
import threading
import time
import typing
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, TypeAdapter

from shopguard.alerts.channels import build_channel
from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.config import AlertsConfigError, ChannelConfig
from shopguard.alerts.message import MessageFormat, probe_payload

CHANNEL_ADAPTER: TypeAdapter[ChannelConfig] = TypeAdapter(ChannelConfig)


def secret_fields(config: BaseModel | type[BaseModel]) -> list[str]:
    """Names of the ``SecretStr`` fields of a channel config (never returned by the API)."""
    cls = config if isinstance(config, type) else type(config)
    return [
        name
        for name, info in cls.model_fields.items()
        if info.annotation is SecretStr or SecretStr in typing.get_args(info.annotation)
    ]


def channel_to_dict(config: BaseModel, *, with_secrets: bool) -> dict[str, Any]:
    """A config as JSON data (aliases such as ``from``); secrets revealed or left out."""
    data = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    for name in secret_fields(config):
        data.pop(name, None)
        value = getattr(config, name)
        if with_secrets and value is not None:
            data[name] = value.get_secret_value()
    return data


class ChannelRegistry:
    """The alert channels, by name; thread-safe."""

    def __init__(
        self,
        channels: Sequence[ChannelConfig] = (),
        *,
        path: Path | None = None,
        fmt: MessageFormat | None = None,
        on_change: Callable[[list[ChannelConfig]], None] | None = None,
    ):
        self.path, self.fmt, self.on_change = path, fmt or MessageFormat(), on_change
        self._lock = threading.Lock()
        if path is not None and path.exists():
            channels = [CHANNEL_ADAPTER.validate_python(c) for c in json.loads(path.read_text())]
        self._channels: dict[str, ChannelConfig] = {c.name: c for c in channels}

    def list(self) -> list[ChannelConfig]:
        with self._lock:
            return sorted(self._channels.values(), key=lambda c: c.name)

    def get(self, name: str) -> ChannelConfig:
        """The channel ``name``; ``KeyError`` if there is none."""
        with self._lock:
            return self._channels[name]

    def create(self, config: ChannelConfig) -> None:
        """Add a channel; ``ValueError`` if the name is taken."""
        with self._lock:
            if config.name in self._channels:
                raise ValueError(f"a channel named {config.name!r} exists")
            self._channels[config.name] = config
        self._changed()

    def replace(self, name: str, config: ChannelConfig) -> None:
        """Replace channel ``name`` (possibly renaming it); ``KeyError``/``ValueError``."""
        with self._lock:
            if name not in self._channels:
                raise KeyError(name)
            if config.name != name and config.name in self._channels:
                raise ValueError(f"a channel named {config.name!r} exists")
            del self._channels[name]
            self._channels[config.name] = config
        self._changed()

    def delete(self, name: str) -> None:
        """Remove channel ``name``; ``KeyError`` if there is none."""
        with self._lock:
            del self._channels[name]
        self._changed()

    def test(self, name: str) -> dict[str, Any]:
        """Send a test alert on channel ``name`` now: ``{"ok", "error", "duration_s"}``."""
        config = self.get(name)
        start = time.perf_counter()
        error: str | None = None
        try:
            channel = build_channel(config, self.fmt)
            channel.send(Delivery(0, name, f"test.{name}.{uuid.uuid4().hex}", probe_payload(name)))
        except (DeliveryError, AlertsConfigError) as exc:
            error = str(exc) or type(exc).__name__
        except Exception as exc:  # a channel bug is a failed test, not a server error
            error = f"{type(exc).__name__}: {exc}"
        return {"ok": error is None, "error": error,
                "duration_s": round(time.perf_counter() - start, 3)}

    def _changed(self) -> None:
        channels = self.list()
        if self.path is not None:
            self._save(channels)
        if self.on_change is not None:
            self.on_change(channels)

    def _save(self, channels: Sequence[ChannelConfig]) -> None:
        assert self.path is not None
        data = json.dumps([channel_to_dict(c, with_secrets=True) for c in channels], indent=2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
