"""``shopguard users create|list|passwd``: dashboard accounts from the command line.

Example:
    $ echo "$PASSWORD" | shopguard users create --config config.yaml --username alice \\
          --role admin --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from shopguard.config import ConfigError, load_config
from shopguard.service.accounts import (
    AccountError,
    check_password,
    create_user,
    find_user,
    hash_password,
)
from shopguard.storage.db import default_url, init_db, session_factory
from shopguard.storage.models import Role, User

EXIT_ERROR = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``users`` sub-command."""
    parser = subparsers.add_parser(
        "users", help="create and list dashboard users",
        description="Manage dashboard accounts (roles: admin, reviewer, viewer).",
    )
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="add a user")
    create.add_argument("--username", required=True)
    create.add_argument("--role", choices=[r.value for r in Role], default=Role.VIEWER.value)
    create.add_argument("--cameras", help="comma-separated camera ids this user may see "
                        "(default: all)")
    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("--username", required=True)
    listing = actions.add_parser("list", help="list users")
    for action in (create, passwd):
        action.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of stdin (otherwise "
                            "prompted, or generated and printed once without a terminal)")
    for action in (create, passwd, listing):
        source = action.add_mutually_exclusive_group()
        source.add_argument("--config", help="service configuration file (its database)")
        source.add_argument("--url", help="SQLAlchemy database URL (default: "
                            "$SHOPGUARD_DB_URL or sqlite:///shopguard.db)")
    parser.set_defaults(func=run)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The new password and whether it was generated (then it must be shown)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            raise AccountError("password", "the passwords differ")
        return first, False
    return secrets.token_urlsafe(18), True


def _url(args: argparse.Namespace) -> str:
    if args.config:
        return load_config(args.config).resolved_database_url
    return str(args.url or default_url())


def run(args: argparse.Namespace) -> int:
    """Run the action; 2 for bad input, 1 when the database fails."""
    try:
        engine = init_db(_url(args))
    except (ConfigError, SQLAlchemyError) as exc:
        print(f"shopguard users: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_ERROR
    sessions = session_factory(engine)
    try:
        with sessions.begin() as session:
            if args.users_action == "list":
                for user in session.scalars(select(User).order_by(User.username)):
                    cameras = ",".join(user.cameras) if user.cameras is not None else "*"
                    state = " (disabled)" if user.disabled else ""
                    print(f"{user.username}\t{user.role.value}\t{cameras}{state}")
                return 0
            password, generated = _password(args)
            if args.users_action == "create":
                allowed = [c for c in args.cameras.split(",") if c] if args.cameras else None
                create_user(session, args.username, password, args.role, allowed)
            else:
                found = find_user(session, args.username)
                if found is None:
                    raise AccountError("username", f"no user {args.username!r}")
                found.password_hash = hash_password(check_password(password))
    except AccountError as exc:
        print(f"shopguard users: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        print(f"shopguard users: database error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        engine.dispose()
    print(f"user {args.username!r}: password set")
    if generated:
        print(f"generated password (shown once): {password}")
    return 0
