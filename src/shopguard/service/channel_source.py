"""Which alert channels an alert goes to, read from the channel file the API edits.

The service process owns the ``ChannelRegistry`` (``data_dir/channels.json``, seeded from
the config file); worker processes read the same file when an event opens, so a channel
added in the dashboard gets the next alert without restarting any worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from shopguard.alerts.config import AlertsConfig, ChannelConfig
from shopguard.service.channel_registry import ChannelRegistry

log = logging.getLogger(__name__)

CHANNELS_FILE = "channels.json"


def channels_path(data_dir: Path) -> Path:
    """The channel file of a service's data directory."""
    return data_dir / CHANNELS_FILE


def open_registry(data_dir: Path, seed: list[ChannelConfig], **kwargs: object) -> ChannelRegistry:
    """The registry backed by the channel file, created from ``seed`` on first start."""
    path = channels_path(data_dir)
    registry = ChannelRegistry(seed, path=path, **kwargs)  # type: ignore[arg-type]
    if not path.exists():
        registry._changed()  # write the seed so workers read the same channels
    return registry


class ChannelSource:
    """Names of the enabled channels for an alert, from the channel file (falls back to the
    config's channels while the file cannot be read)."""

    def __init__(self, data_dir: Path, fallback: AlertsConfig):
        self.path = channels_path(data_dir)
        self.fallback = fallback

    def channels_for(self, score: float | None) -> list[str]:
        """Enabled channels whose ``min_score`` the score meets (``None``: a notice)."""
        try:
            channels = ChannelRegistry(path=self.path).list() if self.path.exists() else None
        except (OSError, ValueError) as exc:
            log.error("cannot read %s, using the configured channels: %s", self.path, exc)
            channels = None
        config = self.fallback if channels is None else AlertsConfig(channels=channels)
        return config.channels_for(score)
