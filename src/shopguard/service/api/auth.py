"""``/api/auth``: sign in (session cookie + CSRF token), sign out, who am I."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from shopguard.privacy.audit import AuditAction
from shopguard.service.accounts import find_user, password_fingerprint, verify_password
from shopguard.service.api.users import UserOut
from shopguard.service.audit import audit, client_actor
from shopguard.service.auth import codec, ctx, current, db
from shopguard.service.errors import ApiError
from shopguard.service.ratelimit import AttemptLimiter
from shopguard.service.routes import api_route
from shopguard.service.sessions import COOKIE_NAME, SessionData
from shopguard.storage.models import User

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    """The signed-in user and the CSRF token to send in ``X-CSRF-Token`` on writes
    (``null`` when authenticated by an API token, which needs none)."""

    user: UserOut
    csrf_token: str | None


def limiter() -> AttemptLimiter:
    result: AttemptLimiter = current_app.extensions["shopguard.login_limiter"]
    return result


def _throttle(keys: list[str]) -> None:
    wait = max(limiter().retry_after(k) for k in keys)
    if wait:
        raise ApiError(429, f"too many failed sign-ins; try again in {wait} s",
                       headers={"Retry-After": str(wait)})


@api_route(bp, "/login", "POST", "Sign in", access="public", body=LoginIn, response=LoginOut,
           errors=(401, 429))
def login(body: LoginIn) -> object:
    """Failed attempts are limited per client address and per username (429 + Retry-After)."""
    keys = [f"ip:{request.remote_addr}", f"user:{body.username.lower()}"]
    _throttle(keys)
    user: User | None = find_user(db(), body.username)
    hash_ = user.password_hash if user is not None and not user.disabled else None
    if user is None or not verify_password(hash_, body.password):
        for key in keys:
            limiter().record(key)
        audit(AuditAction.LOGIN_FAILED, target_type="user", target_id=body.username,
              actor=client_actor(None, ""))
        raise ApiError(401, "wrong username or password")
    limiter().reset(keys[1])
    audit(AuditAction.LOGIN, target_type="user", target_id=str(user.id),
          actor=client_actor(user.id, user.username))
    session = SessionData.new(user.id, password_fingerprint(user.password_hash))
    out = LoginOut(user=UserOut.of(user), csrf_token=codec().csrf_token(session))
    response = jsonify(out.model_dump(mode="json"))
    settings = ctx().settings
    response.set_cookie(
        COOKIE_NAME,
        codec().issue(session),
        max_age=settings.session_max_age_s,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="Lax",
        path="/",
    )
    return response


@api_route(bp, "/logout", "POST", "Sign out", access="view", status=204)
def logout() -> object:
    principal = current()
    if principal.session is not None:
        codec().revoke(principal.session)
    response = current_app.response_class(status=204)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="Lax",
                           secure=ctx().settings.secure_cookies)
    return response


@api_route(bp, "/me", "GET", "The signed-in user", access="view", response=LoginOut)
def me() -> LoginOut:
    principal = current()
    user = db().get(User, principal.user_id)
    assert user is not None  # identify() just loaded it
    token = codec().csrf_token(principal.session) if principal.session is not None else None
    return LoginOut(user=UserOut.of(user), csrf_token=token)
