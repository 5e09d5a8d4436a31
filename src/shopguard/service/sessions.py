"""Signed session cookies and the CSRF token bound to each session.

A cookie is ``base64url(json) . issued_at . hmac`` signed with the service's secret key.
It holds the user id, a random session id and a fingerprint of the password hash, so it
stops working when it expires, when the user logs out (the session id is revoked in
memory until it would have expired) or when the password changes. The CSRF token is an
HMAC of the session id: the page gets it from ``/api/auth/login`` or ``/api/auth/me``
and sends it back in ``X-CSRF-Token``; a cross-site form cannot know it.

Example:
    >>> codec = SessionCodec(b"k" * 32, max_age_s=60, clock=lambda: 1000.0)
    >>> cookie = codec.issue(SessionData(user_id=1, sid="abc", pw="f"))
    >>> codec.verify(cookie).user_id
    1
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE_NAME = "sg_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class SessionData:
    """What a session cookie carries."""

    user_id: int
    sid: str
    pw: str

    @classmethod
    def new(cls, user_id: int, pw: str) -> SessionData:
        return cls(user_id, secrets.token_urlsafe(18), pw)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Issues and checks session cookies and CSRF tokens; tracks logged-out sessions."""

    def __init__(
        self, secret_key: bytes, max_age_s: int, clock: Callable[[], float] = time.time
    ):
        self._key = hashlib.sha256(b"shopguard.session\0" + secret_key).digest()
        self._csrf_key = hashlib.sha256(b"shopguard.csrf\0" + secret_key).digest()
        self.max_age_s, self.clock = max_age_s, clock
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()

    def _sign(self, message: str) -> str:
        return _b64(hmac.new(self._key, message.encode(), hashlib.sha256).digest())

    def issue(self, data: SessionData) -> str:
        """The cookie value for ``data``, issued now."""
        body = _b64(json.dumps([data.user_id, data.sid, data.pw]).encode())
        message = f"{body}.{int(self.clock())}"
        return f"{message}.{self._sign(message)}"

    def verify(self, cookie: str) -> SessionData | None:
        """The session in ``cookie`` if authentic, unexpired and not logged out."""
        try:
            body, issued, signature = cookie.split(".")
            if not hmac.compare_digest(signature, self._sign(f"{body}.{issued}")):
                return None
            age = self.clock() - int(issued)
            user_id, sid, pw = json.loads(_unb64(body))
        except (ValueError, binascii.Error, TypeError):
            return None
        if not 0 <= age <= self.max_age_s or not isinstance(user_id, int):
            return None
        with self._lock:
            if sid in self._revoked:
                return None
        return SessionData(user_id, str(sid), str(pw))

    def revoke(self, data: SessionData) -> None:
        """Log a session out (remembered until it would have expired anyway)."""
        now = self.clock()
        with self._lock:
            self._revoked = {s: t for s, t in self._revoked.items() if t > now}
            self._revoked[data.sid] = now + self.max_age_s

    def csrf_token(self, data: SessionData) -> str:
        """The CSRF token of a session."""
        return _b64(hmac.new(self._csrf_key, data.sid.encode(), hashlib.sha256).digest())

    def check_csrf(self, data: SessionData, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf_token(data))
