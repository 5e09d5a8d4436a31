"""``shopguard db upgrade|current``: create or migrate the database schema."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from shopguard.storage.db import current_revision, default_url, make_engine, upgrade

EXIT_ERROR = 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``db`` sub-command."""
    parser = subparsers.add_parser(
        "db",
        help="create or migrate the database",
        description="Database schema management (Alembic migrations shipped in the package).",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    up = actions.add_parser(
        "upgrade", help="migrate the schema to the newest (or a given) revision"
    )
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    current = actions.add_parser("current", help="print the schema revision")
    for action in (up, current):
        action.add_argument(
            "--url",
            default=None,
            help="SQLAlchemy URL, e.g. sqlite:///var/shopguard.db or "
            "postgresql://user@host/db (default: $SHOPGUARD_DB_URL or sqlite:///shopguard.db)",
        )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the action; exit code 1 when the database cannot be reached or migrated."""
    engine = make_engine(args.url or default_url())
    try:
        if args.db_action == "upgrade":
            upgrade(engine, args.revision)
        print(f"{engine.url.render_as_string()}: revision {current_revision(engine) or 'none'}")
    except SQLAlchemyError as exc:
        print(f"shopguard db: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        engine.dispose()
    return 0
