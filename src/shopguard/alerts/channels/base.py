"""The ``Channel`` protocol, the ``Delivery`` it sends and the ``DeliveryError`` it raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


class DeliveryError(Exception):
    """Sending failed. ``retryable=False`` (bad number, 4xx, auth) dead-letters at once."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert to send on one channel, as read from the outbox.

    ``idempotency_key`` is the same on every retry: receivers use it to drop duplicates.
    """

    id: int
    channel: str
    idempotency_key: str
    payload: Mapping[str, Any]
    attempt: int = 1


@runtime_checkable
class Channel(Protocol):
    """Something that sends a delivery or raises ``DeliveryError``; must be thread-safe."""

    name: str

    def send(self, delivery: Delivery) -> None: ...
