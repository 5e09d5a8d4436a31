"""Sign-in, sessions, CSRF, API tokens, login rate limit, first admin, secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from api_helpers import PASSWORD, Api, Clock, add_user, signed_in
from flask import Flask
from sqlalchemy import select

from shopguard.service.accounts import ensure_first_admin, verify_password
from shopguard.service.context import ServiceContext
from shopguard.service.secret import load_secret_key
from shopguard.service.sessions import COOKIE_NAME, SessionCodec, SessionData
from shopguard.storage.models import ApiToken, User


def _session_cookie(api: Api) -> str:
    cookie = api.client.get_cookie(COOKIE_NAME)
    assert cookie is not None
    return cookie.value


def _token(api: Api, name: str = "ci") -> str:
    response = api.post("/api/tokens", json={"name": name})
    assert response.status_code == 201, response.json
    token: str = response.json["token"]
    return token


def test_login_sets_a_safe_cookie_and_me_returns_the_csrf_token(app: Flask,
                                                                 ctx: ServiceContext) -> None:
    add_user(ctx, "alice", "admin")
    api = Api(app)
    response = api.login("alice")
    assert response.status_code == 200
    assert response.json["user"]["username"] == "alice"
    assert "password_hash" not in response.json["user"]
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    me = api.get("/api/auth/me")
    assert me.json["csrf_token"] == api.csrf and me.json["user"]["role"] == "admin"


def test_secure_cookie_when_configured(ctx: ServiceContext) -> None:
    from dataclasses import replace

    from shopguard.service.app import create_app

    ctx.settings = replace(ctx.settings, secure_cookies=True)
    add_user(ctx, "alice", "admin")
    response = Api(create_app(ctx)).login("alice")
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_unknown_user_and_disabled_user_are_401(app: Flask,
                                                               ctx: ServiceContext) -> None:
    add_user(ctx, "alice", "admin")
    add_user(ctx, "dora", "viewer")
    with ctx.sessions.begin() as s:
        s.scalars(select(User).where(User.username == "dora")).one().disabled = True
    api = Api(app)
    for username, password in (("alice", "wrong password"), ("nobody", PASSWORD),
                               ("dora", PASSWORD)):
        response = api.login(username, password)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
    assert api.get("/api/auth/me").status_code == 401


def test_no_default_credentials(app: Flask) -> None:
    for username, password in (("admin", "admin"), ("admin", "password"), ("admin", "")):
        assert Api(app).login(username, password).status_code in (401, 422)


def test_cookie_writes_need_the_csrf_header(admin: Api) -> None:
    body = {"username": "bob", "password": PASSWORD, "role": "viewer"}
    missing = admin.client.post("/api/users", json=body)
    assert missing.status_code == 403 and missing.json["error"]["code"] == "csrf"
    wrong = admin.client.post("/api/users", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert admin.post("/api/users", json=body).status_code == 201
    # reads need no token
    assert admin.client.get("/api/users").status_code == 200


def test_csrf_token_of_another_session_is_refused(app: Flask, ctx: ServiceContext) -> None:
    first = signed_in(app, ctx, "alice", "admin")
    second = Api(app)
    second.login("alice")
    assert first.csrf != second.csrf
    first.csrf = second.csrf
    assert first.post("/api/tokens", json={"name": "x"}).status_code == 403


def test_bearer_tokens_need_no_csrf_and_act_as_their_user(app: Flask, admin: Api) -> None:
    token = _token(admin)
    assert token.startswith("sg_")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=auth).json["user"]["username"] == "alice"
    assert client.get("/api/auth/me", headers=auth).json["csrf_token"] is None
    created = client.post("/api/users", headers=auth,
                          json={"username": "bob", "password": PASSWORD})
    assert created.status_code == 201
    # a token cannot mint more tokens
    assert client.post("/api/tokens", headers=auth, json={"name": "y"}).status_code == 403


def test_tokens_are_stored_hashed_listed_without_secret_and_revocable(
        app: Flask, admin: Api, ctx: ServiceContext) -> None:
    token = _token(admin)
    with ctx.sessions() as s:
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert stored and token not in stored and all(len(h) == 64 for h in stored)
    listed = admin.get("/api/tokens").json
    assert listed["total"] == 1 and "token" not in listed["items"][0]
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/events", headers=auth).status_code == 200
    assert admin.get("/api/tokens").json["items"][0]["last_used_at"] is not None
    assert admin.delete(f"/api/tokens/{listed['items'][0]['id']}").status_code == 204
    assert app.test_client().get("/api/events", headers=auth).status_code == 401


def test_users_see_and_revoke_only_their_own_tokens(app: Flask, admin: Api,
                                                     ctx: ServiceContext) -> None:
    viewer = signed_in(app, ctx, "victor", "viewer")
    _token(admin, "admin-token")
    _token(viewer, "viewer-token")
    assert [t["name"] for t in viewer.get("/api/tokens").json["items"]] == ["viewer-token"]
    admin_token_id = admin.get("/api/tokens").json["items"][0]["id"]
    assert viewer.delete(f"/api/tokens/{admin_token_id}").status_code == 404
    assert admin.get("/api/tokens").json["total"] == 2


@pytest.mark.parametrize("header", [
    "Bearer sg_forged-token",
    "Bearer not-a-shopguard-token",
    "Basic YWxpY2U6cGFzcw==",
    "Bearer",
])
def test_forged_or_malformed_tokens_are_401(app: Flask, admin: Api, header: str) -> None:
    _token(admin)
    response = app.test_client().get("/api/events", headers={"Authorization": header})
    assert response.status_code == 401
    # a bad token is never silently anonymous, even next to a valid cookie
    assert admin.get("/api/events", headers={"Authorization": header}).status_code == 401


def test_token_of_a_disabled_user_is_refused(app: Flask, admin: Api,
                                              ctx: ServiceContext) -> None:
    viewer = signed_in(app, ctx, "victor", "viewer")
    token = _token(viewer)
    assert admin.patch("/api/users/victor", json={"disabled": True}).status_code == 200
    response = app.test_client().get("/api/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert viewer.get("/api/events").status_code == 401  # the session ends too


def test_expired_session_is_refused(app: Flask, ctx: ServiceContext, clock: Clock) -> None:
    api = signed_in(app, ctx, "alice", "admin")
    clock.t += ctx.settings.session_max_age_s - 5
    assert api.get("/api/auth/me").status_code == 200
    clock.t += 10
    assert api.get("/api/auth/me").status_code == 401


def test_forged_cookies_are_refused(app: Flask, ctx: ServiceContext, clock: Clock) -> None:
    api = signed_in(app, ctx, "alice", "admin")
    cookie = _session_cookie(api)
    body, issued, signature = cookie.split(".")
    other_key = SessionCodec(b"o" * 32, 3600, clock=clock).issue(SessionData(1, "sid", "pw"))
    forged = [
        f"{body}.{issued}.{signature[:-2]}AA",  # bad signature
        f"{body}.{int(issued) + 100}.{signature}",  # timestamp changed
        other_key,  # signed with another key
        "garbage",
        "",
    ]
    for value in forged:
        client = app.test_client()
        client.set_cookie(COOKIE_NAME, value)
        assert client.get("/api/auth/me").status_code == 401, value


def test_logout_revokes_the_session_cookie(app: Flask, ctx: ServiceContext) -> None:
    api = signed_in(app, ctx, "alice", "admin")
    cookie = _session_cookie(api)
    assert api.post("/api/auth/logout").status_code == 204
    replay = app.test_client()
    replay.set_cookie(COOKIE_NAME, cookie)
    assert replay.get("/api/auth/me").status_code == 401


def test_password_change_ends_other_sessions(app: Flask, admin: Api,
                                             ctx: ServiceContext) -> None:
    viewer = signed_in(app, ctx, "victor", "viewer")
    assert admin.patch("/api/users/victor",
                       json={"password": "another long password"}).status_code == 200
    assert viewer.get("/api/auth/me").status_code == 401
    assert Api(app).login("victor", "another long password").status_code == 200


def test_login_rate_limit_per_username(app: Flask, ctx: ServiceContext, clock: Clock) -> None:
    add_user(ctx, "alice", "admin")
    for i in range(ctx.settings.login_attempts):
        client = Api(app)
        client.client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i}"  # a different address each
        assert client.login("alice", "wrong password").status_code == 401
    blocked = Api(app)
    blocked.client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    response = blocked.login("alice")  # even the right password waits
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    clock.t += ctx.settings.login_window_s + 1
    assert blocked.login("alice").status_code == 200


def test_login_rate_limit_per_address(app: Flask, ctx: ServiceContext, clock: Clock) -> None:
    add_user(ctx, "alice", "admin")
    api = Api(app)
    for i in range(ctx.settings.login_attempts):
        assert api.login(f"guess{i}", "wrong password").status_code == 401
    assert api.login("alice").status_code == 429
    other = Api(app)
    other.client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other.login("alice").status_code == 200
    clock.t += 61
    assert api.login("alice").status_code == 200


def test_successful_login_does_not_count(app: Flask, ctx: ServiceContext) -> None:
    add_user(ctx, "alice", "admin")
    for _ in range(ctx.settings.login_attempts + 2):
        assert Api(app).login("alice").status_code == 200


def test_first_admin_is_created_once_with_a_random_password(ctx: ServiceContext,
                                                            app: Flask) -> None:
    with ctx.sessions.begin() as s:
        password = ensure_first_admin(s)
    assert password is not None and len(password) >= 20
    with ctx.sessions.begin() as s:
        assert ensure_first_admin(s) is None
        admin = s.scalars(select(User)).one()
        assert admin.username == "admin" and admin.role == "admin"
        assert verify_password(admin.password_hash, password)
        assert password not in admin.password_hash
    assert Api(app).login("admin", password).status_code == 200


def test_passwords_are_stored_as_argon2id(ctx: ServiceContext) -> None:
    add_user(ctx, "alice", "admin")
    with ctx.sessions() as s:
        stored = s.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_secret_key_is_random_private_and_kept(tmp_path: Path) -> None:
    key = load_secret_key(tmp_path)
    path = tmp_path / "secret.key"
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(tmp_path) == key
    assert load_secret_key(tmp_path / "other") != key
    path.write_text("abcd\n")
    with pytest.raises(ValueError):
        load_secret_key(tmp_path)


def test_short_secret_key_is_rejected() -> None:
    from shopguard.service.context import ApiSettings

    with pytest.raises(ValueError):
        ApiSettings(secret_key=b"short")
