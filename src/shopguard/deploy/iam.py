"""IBM Cloud IAM bearer tokens from an API key, refreshed before they expire.

``POST <iam url>`` with ``grant_type=urn:ibm:params:oauth:grant-type:apikey`` and the key
returns ``access_token`` and its ``expiration`` (Unix seconds) or ``expires_in``. The key
never appears in logs or in ``repr``.

Example:
    >>> token = IamToken("my-api-key")  # doctest: +SKIP
    >>> headers = {"Authorization": f"Bearer {token.bearer()}"}  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

log = logging.getLogger(__name__)

DEFAULT_IAM_URL = "https://iam.cloud.ibm.com/identity/token"
GRANT_TYPE = "urn:ibm:params:oauth:grant-type:apikey"


class IamError(RuntimeError):
    """The IAM service refused the key or did not answer (message without the key)."""


class IamToken:
    """A cached bearer token for ``api_key``; a new one is fetched ``refresh_margin_s``
    before the current one expires (IAM tokens last an hour)."""

    def __init__(
        self,
        api_key: str,
        url: str = DEFAULT_IAM_URL,
        *,
        session: requests.Session | None = None,
        verify: bool | str = True,
        timeout_s: float = 10.0,
        refresh_margin_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ):
        if not api_key:
            raise IamError("no API key")
        self._key, self.url = api_key, url
        self._session = session or requests.Session()
        self.verify, self.timeout_s, self.margin_s, self._clock = verify, timeout_s, \
            refresh_margin_s, clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.fetches = 0

    def __repr__(self) -> str:
        return f"IamToken(url={self.url!r}, key=***)"

    def bearer(self) -> str:
        """A valid token, fetched or refreshed when needed."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self.margin_s:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the token (the server said it is no longer valid)."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        try:
            response = self._session.post(
                self.url, data={"grant_type": GRANT_TYPE, "apikey": self._key},
                headers={"Accept": "application/json"}, timeout=self.timeout_s,
                verify=self.verify)
        except requests.RequestException as exc:
            raise IamError(f"IAM token request to {self.url} failed: "
                           f"{type(exc).__name__}") from None
        if response.status_code != 200:
            raise IamError(f"IAM token request to {self.url} refused: HTTP "
                           f"{response.status_code}")
        try:
            body = response.json()
            token = str(body["access_token"])
            now = self._clock()
            expires = float(body.get("expiration") or now + float(body["expires_in"]))
        except (ValueError, KeyError, TypeError):
            raise IamError(f"IAM token response from {self.url} is not understood") from None
        self._token, self._expires_at = token, expires
        self.fetches += 1
        log.info("IAM token fetched, valid for %.0f s", expires - now)
