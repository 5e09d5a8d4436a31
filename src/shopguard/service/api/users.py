"""``/api/users``: accounts and roles (administrators only)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from shopguard.service.accounts import (
    AccountError,
    UserExists,
    active_admins,
    check_password,
    create_user,
    find_user,
    hash_password,
)
from shopguard.service.auth import current, db
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, offset_page
from shopguard.service.routes import api_route
from shopguard.storage.models import Role, User

bp = Blueprint("users", __name__, url_prefix="/api/users")

CameraList = list[str] | None


class UserOut(BaseModel):
    """An account as the API shows it (never the password hash)."""

    id: int
    username: str
    role: Role
    cameras: CameraList = Field(description="cameras this user may see; null: all")
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, role=user.role, cameras=user.cameras,
                   disabled=user.disabled, created_at=user.created_at)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)
    role: Role = Role.VIEWER
    cameras: CameraList = None


class UserPatch(BaseModel):
    """Fields to change; a new ``password`` ends the user's sessions."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=1024)
    role: Role | None = None
    cameras: CameraList = None
    disabled: bool | None = None


def _user(username: str) -> User:
    user = find_user(db(), username)
    if user is None:
        raise ApiError(404, f"no user {username!r}")
    return user


def _keep_an_admin(user: User, *, role: Role, disabled: bool) -> None:
    """409 if the change would leave no enabled administrator."""
    was_admin = user.role == Role.ADMIN and not user.disabled
    if was_admin and (role != Role.ADMIN or disabled) and active_admins(db()) <= 1:
        raise ApiError(409, "this is the last administrator")


@api_route(bp, "", "GET", "List users", access="admin", query=PageQuery, response=Page[UserOut])
def list_users(query: PageQuery) -> Page[UserOut]:
    rows, total, nxt = offset_page(db(), select(User).order_by(User.username), query)
    return Page[UserOut](items=[UserOut.of(u) for u in rows], total=total, next=nxt)


@api_route(bp, "", "POST", "Create a user", access="admin", body=UserIn, response=UserOut,
           status=201, errors=(409, 422))
def create(body: UserIn) -> UserOut:
    try:
        user = create_user(db(), body.username, body.password, body.role, body.cameras)
    except AccountError as exc:
        status = 409 if isinstance(exc, UserExists) else 422
        raise ApiError(status, str(exc), fields={exc.field: str(exc)}) from None
    db().commit()
    return UserOut.of(user)


@api_route(bp, "/<username>", "GET", "Get a user", access="admin", response=UserOut,
           errors=(404,))
def get(username: str) -> UserOut:
    return UserOut.of(_user(username))


@api_route(bp, "/<username>", "PATCH", "Change a user", access="admin", body=UserPatch,
           response=UserOut, errors=(404, 409, 422))
def update(username: str, body: UserPatch) -> UserOut:
    user = _user(username)
    given = body.model_fields_set
    _keep_an_admin(
        user,
        role=body.role if body.role is not None else user.role,
        disabled=body.disabled if body.disabled is not None else user.disabled,
    )
    if body.password is not None:
        try:
            check_password(body.password)
        except AccountError as exc:
            raise ApiError(422, str(exc), fields={exc.field: str(exc)}) from None
        user.password_hash = hash_password(body.password)
    if body.role is not None:
        user.role = body.role
    if "cameras" in given:
        user.cameras = body.cameras
    if body.disabled is not None:
        user.disabled = body.disabled
    db().commit()
    return UserOut.of(user)


@api_route(bp, "/<username>", "DELETE", "Delete a user", access="admin", status=204,
           errors=(404, 409))
def delete(username: str) -> None:
    user = _user(username)
    _keep_an_admin(user, role=Role.VIEWER, disabled=True)
    if user.id == current().user_id:
        raise ApiError(409, "you cannot delete your own account")
    db().delete(user)
    db().commit()
