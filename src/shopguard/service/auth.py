"""Who is calling and what they may do: session cookies, API tokens, roles, cameras.

Every request to a route declared with ``api_route`` passes ``check_request`` first:
the caller is identified by the ``sg_session`` cookie or by ``Authorization: Bearer
sg_…`` (an API token, stored as a SHA-256 hash), the route's ``access`` level is
checked against the role (admin ⊃ reviewer ⊃ viewer), and writes authenticated by a
cookie must carry the session's CSRF token in ``X-CSRF-Token``. A user limited to some
cameras gets 404 for anything of another camera, as if it did not exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopguard.service.accounts import ensure_first_admin, password_fingerprint
from shopguard.service.context import ServiceContext
from shopguard.service.errors import ApiError
from shopguard.service.routes import Access, operation_of
from shopguard.service.sessions import COOKIE_NAME, CSRF_HEADER, SessionCodec, SessionData
from shopguard.storage.models import ApiToken, Role, User, utcnow

__all__ = ["Principal", "check_request", "current", "ensure_first_admin", "identify"]

TOKEN_PREFIX = "sg_"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RANK = {Role.VIEWER: 1, Role.REVIEWER: 2, Role.ADMIN: 3}
_NEEDED = {"view": 1, "review": 2, "admin": 3}
#: ``last_used_at`` of a token is written at most this often.
TOKEN_TOUCH = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller; ``cameras`` is ``None`` when not restricted."""

    user_id: int
    username: str
    role: Role
    cameras: frozenset[str] | None
    session: SessionData | None = None
    token_id: int | None = None

    def allows(self, access: Access) -> bool:
        return access == "public" or _RANK[self.role] >= _NEEDED[access]

    def sees(self, camera_id: str) -> bool:
        return self.cameras is None or camera_id in self.cameras


def ctx() -> ServiceContext:
    """The ``ServiceContext`` of the current app."""
    context: ServiceContext = current_app.extensions["shopguard"]
    return context


def codec() -> SessionCodec:
    result: SessionCodec = current_app.extensions["shopguard.sessions"]
    return result


def db() -> Session:
    """The request's database session (closed when the request ends)."""
    if "db" not in g:
        g.db = ctx().sessions()
    session: Session = g.db
    return session


def new_token() -> tuple[str, str]:
    """A new API token and its stored hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _principal(user: User, **kw: Any) -> Principal:
    cameras = frozenset(user.cameras) if user.cameras is not None else None
    return Principal(user.id, user.username, user.role, cameras, **kw)


def _from_token(session: Session, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise ApiError(401, "malformed Authorization header (expected Bearer sg_…)")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip())))
    if row is None or row.user.disabled:
        raise ApiError(401, "invalid or revoked API token")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH:
        row.last_used_at = now
        session.commit()
    return _principal(row.user, token_id=row.id)


def _from_cookie(session: Session, cookie: str) -> Principal | None:
    data = codec().verify(cookie)
    if data is None:
        return None
    user = session.get(User, data.user_id)
    if user is None or user.disabled or password_fingerprint(user.password_hash) != data.pw:
        return None
    return _principal(user, session=data)


def identify() -> Principal | None:
    """The caller of this request, or ``None``; a bad token is a 401 (never anonymous)."""
    if "principal" in g:
        principal: Principal | None = g.principal
        return principal
    header = request.headers.get("Authorization")
    cookie = request.cookies.get(COOKIE_NAME)
    if header:
        found: Principal | None = _from_token(db(), header)
    else:
        found = _from_cookie(db(), cookie) if cookie else None
    g.principal = found
    return found


def check_request() -> None:
    """``before_request``: authenticate, authorise and check CSRF for the matched route."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return  # routing error (404/405) or a static file: answered by Flask
    op = operation_of(view)
    access: Access = op.access if op is not None else "public" if getattr(
        view, "public", False) else "admin"
    if access == "public":
        return
    principal = identify()
    if principal is None:
        raise ApiError(401, "sign in first")
    if not principal.allows(access):
        raise ApiError(403, f"this needs the {access} permission; you are {principal.role}")
    if (
        request.method in WRITE_METHODS
        and principal.session is not None
        and not codec().check_csrf(principal.session, request.headers.get(CSRF_HEADER))
    ):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header", code="csrf")


def current() -> Principal:
    """The authenticated caller (only inside routes that need sign-in)."""
    principal = identify()
    if principal is None:
        raise ApiError(401, "sign in first")
    return principal


def visible_cameras() -> list[str] | None:
    """Camera ids the caller may see, or ``None`` for all."""
    cameras = current().cameras
    return sorted(cameras) if cameras is not None else None


def require_camera(camera_id: str, what: str = "camera") -> None:
    """404 unless the caller may see ``camera_id``."""
    if not current().sees(camera_id):
        raise ApiError(404, f"no {what} {camera_id!r}")
