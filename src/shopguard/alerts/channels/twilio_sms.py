"""Twilio SMS channel, through the official ``twilio`` SDK.

One message per recipient. 429, 5xx and network errors are retried; other API errors
(e.g. 21211 invalid number, 20003 bad credentials) are permanent. Twilio has no
idempotency key for SMS, so a retry after a partial failure may repeat a text to the
recipients that already got it (at-least-once).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.config import TwilioSmsConfig
from shopguard.alerts.message import MessageFormat

MAX_SMS_CHARS = 1600
_quiet = logging.getLogger("shopguard.alerts.twilio_http")
_quiet.setLevel(logging.WARNING)  # the SDK logs every request at INFO


class _BaseUrlHttpClient(TwilioHttpClient):
    """Sends every API request to ``base_url`` (path kept): a test server, a proxy."""

    def __init__(self, base_url: str | None, timeout: float):
        super().__init__(timeout=timeout, logger=_quiet)
        self._base = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self._base:
            parts = urlsplit(url)
            url = self._base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, *args, **kwargs)


class TwilioSmsChannel:
    """Texts the alert (camera, time, top reason, score, link) to every ``to`` number."""

    def __init__(self, config: TwilioSmsConfig, fmt: MessageFormat):
        self.name = config.name
        self._from = config.from_
        self._to = list(config.to)
        self._fmt = fmt
        base_url = str(config.base_url) if config.base_url else None
        self._client = Client(
            config.account_sid,
            config.resolve_secret("auth_token"),
            http_client=_BaseUrlHttpClient(base_url, config.timeout_s),
        )

    def send(self, delivery: Delivery) -> None:
        body = self._fmt.render(delivery.payload).text[:MAX_SMS_CHARS]
        sender = (
            {"messaging_service_sid": self._from}
            if self._from.startswith("MG")
            else {"from_": self._from}
        )
        for number in self._to:
            try:
                self._client.messages.create(to=number, body=body, **sender)
            except TwilioRestException as exc:
                retryable = exc.status == 429 or exc.status >= 500
                raise DeliveryError(
                    f"Twilio {exc.status} (code {exc.code}) for {number}: {exc.msg}",
                    retryable=retryable,
                ) from None
            except (TwilioException, requests.RequestException) as exc:
                raise DeliveryError(f"Twilio request for {number} failed: {exc}") from None
