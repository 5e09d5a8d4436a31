"""Webhook channel: a signed JSON POST.

Headers: ``Idempotency-Key``, ``X-ShopGuard-Timestamp`` (Unix seconds) and
``X-ShopGuard-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.
2xx is success; 408, 425, 429, 5xx, timeouts and connection errors are retried; any
other status is permanent (dead letter).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import requests

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.config import WebhookConfig
from shopguard.alerts.message import MessageFormat

RETRYABLE_STATUS = frozenset({408, 425, 429})
SIGNATURE_TOLERANCE_S = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-ShopGuard-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_s: float = SIGNATURE_TOLERANCE_S,
) -> bool:
    """Whether a received webhook is authentic and fresh (for receivers; constant time)."""
    timestamp = headers.get("X-ShopGuard-Timestamp", "")
    signature = headers.get("X-ShopGuard-Signature", "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    """POSTs each alert as JSON: the payload plus ``idempotency_key``, ``message``, ``link``."""

    def __init__(self, config: WebhookConfig, fmt: MessageFormat):
        self.name = config.name
        self._url = str(config.url)
        self._secret = config.resolve_secret("secret") or ""
        self._timeout_s = config.timeout_s
        self._headers = dict(config.headers)
        self._fmt = fmt

    def body(self, delivery: Delivery) -> bytes:
        message = self._fmt.render(delivery.payload)
        document: dict[str, Any] = {
            **delivery.payload,
            "idempotency_key": delivery.idempotency_key,
            "message": message.text,
            "link": message.link,
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()

    def send(self, delivery: Delivery) -> None:
        body = self.body(delivery)
        timestamp = str(int(time.time()))
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "User-Agent": "ShopGuard-Webhook/1",
            "Idempotency-Key": delivery.idempotency_key,
            "X-ShopGuard-Timestamp": timestamp,
            "X-ShopGuard-Signature": sign(self._secret, timestamp, body),
        }
        try:
            response = requests.post(
                self._url,
                data=body,
                headers=headers,
                timeout=self._timeout_s,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise DeliveryError(f"timed out after {self._timeout_s:g} s") from None
        except requests.RequestException as exc:
            raise DeliveryError(f"request failed: {type(exc).__name__}: {exc}") from None
        if 200 <= response.status_code < 300:
            return
        retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
        raise DeliveryError(
            f"HTTP {response.status_code}: {response.text[:200]}", retryable=retryable
        )
