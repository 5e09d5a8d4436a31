"""User accounts: argon2 password hashes, creation rules and the first administrator.

There are no default credentials. On a first start with no users the service creates
``admin`` with a random one-time password that is printed once (``ensure_first_admin``);
``shopguard users create`` makes accounts from the command line.

Example:
    >>> h = hash_password("correct horse battery")
    >>> verify_password(h, "correct horse battery"), verify_password(h, "wrong")
    (True, False)
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopguard.storage.models import Role, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
FIRST_ADMIN = "admin"

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so timing does not reveal which exist.
_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash new passwords with ``hasher`` (argon2 cost parameters); returns the previous.

    Existing hashes keep verifying: each records its own parameters.
    """
    global _hasher, _dummy_hash
    previous, _hasher, _dummy_hash = _hasher, hasher, None
    return previous


class AccountError(ValueError):
    """A username, password or role that is not acceptable; ``field`` names which."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class UserExists(AccountError):
    """The username is taken."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a ``None`` hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _dummy(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the hash: sessions carry it, so a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def check_password(password: str) -> str:
    """``password`` if long enough, else ``AccountError``."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            "password", f"password must be {MIN_PASSWORD}–{MAX_PASSWORD} characters"
        )
    return password


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username):
        raise AccountError(
            "username", "username must be 1–100 letters, digits or _ . @ - (starting with "
            "a letter or digit)"
        )
    return username


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role | str = Role.VIEWER,
    cameras: Sequence[str] | None = None,
) -> User:
    """Add a user (flushed); ``AccountError`` for a bad or taken username or a short password."""
    check_username(username)
    check_password(password)
    if find_user(session, username) is not None:
        raise UserExists("username", f"user {username!r} exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=Role(role),
        cameras=list(cameras) if cameras is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def active_admins(session: Session) -> int:
    """How many enabled administrators there are."""
    return session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.disabled.is_(False))
    ) or 0


def ensure_first_admin(session: Session) -> str | None:
    """With no users at all, create ``admin`` with a random password and return it (to
    print once); otherwise ``None``. The caller commits."""
    if session.scalar(select(func.count(User.id))):
        return None
    password = secrets.token_urlsafe(18)
    create_user(session, FIRST_ADMIN, password, Role.ADMIN)
    return password
