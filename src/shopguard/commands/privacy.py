"""``shopguard privacy search|export|erase|signage``: data-subject requests and the notice.

Example:
    $ shopguard privacy search --config config.yaml --camera door-1 \\
          --since 2026-05-01T14:00 --until 2026-05-01T14:30
    $ shopguard privacy export ... --out request-42.zip
    $ shopguard privacy erase ... --yes
    $ shopguard privacy signage --config config.yaml > entrance.md

Times without a zone are UTC. Every request is recorded in the audit trail as
``cli:<login name>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from shopguard.config import CameraConfig, ConfigError, ServiceConfig, load_config
from shopguard.privacy.audit import Actor
from shopguard.privacy.signage import signage_markdown
from shopguard.privacy.subjects import LocalFiles, SubjectQuery, erase, export_zip, search

EXIT_ERROR = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``privacy`` sub-command."""
    parser = subparsers.add_parser(
        "privacy", help="data-subject requests (search, export, erase) and the signage text",
        description="Find, export or erase the events of one camera in a time window, or "
                    "print the entrance notice. Requests are audited.",
    )
    actions = parser.add_subparsers(dest="privacy_action", metavar="ACTION", required=True)
    search_ = actions.add_parser("search", help="list the events of a camera and window")
    export = actions.add_parser("export", help="write the events as one ZIP archive")
    export.add_argument("--out", type=Path, required=True, help="ZIP file to write")
    erase_ = actions.add_parser("erase", help="delete the events everywhere (irreversible)")
    erase_.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for action in (search_, export, erase_):
        action.add_argument("--config", type=Path, required=True, help="YAML configuration")
        action.add_argument("--camera", required=True, help="camera id")
        action.add_argument("--since", type=_time, required=True, help="ISO-8601 start")
        action.add_argument("--until", type=_time, required=True, help="ISO-8601 end")
    signage = actions.add_parser("signage", help="print the entrance notice (Markdown)")
    signage.add_argument("--config", type=Path, required=True, help="YAML configuration")
    signage.add_argument("--out", type=Path, help="write to this file instead of stdout")
    parser.set_defaults(func=run)


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _actor() -> Actor:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Actor(None, f"cli:{login}", "local", "shopguard-cli")


def known_cameras(config: ServiceConfig) -> list[CameraConfig]:
    """The database's cameras (the API may have changed them) plus the config file's
    cameras not yet in it; the config file's alone when there is no database yet."""
    from shopguard.service.camera_store import load_cameras
    from shopguard.storage.db import make_engine, session_factory

    url = make_url(config.resolved_database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return list(config.cameras)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with session_factory(engine)() as session:
            stored = load_cameras(session)
    except SQLAlchemyError:
        stored = []
    finally:
        engine.dispose()
    ids = {c.id for c in stored}
    return stored + [c for c in config.cameras if c.id not in ids]


def run(args: argparse.Namespace) -> int:
    """Run the action; 2 for bad input, 1 when the database or a store fails."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"shopguard privacy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.privacy_action == "signage":
        text = signage_markdown(config, known_cameras(config))
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    try:
        query = SubjectQuery(args.camera, args.since, args.until)
    except ValueError as exc:
        print(f"shopguard privacy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _request(args, config, query)


def _request(args: argparse.Namespace, config: ServiceConfig, query: SubjectQuery) -> int:
    from shopguard.service.wiring import SetupError, build_archive, open_database

    try:
        sessions, archive = open_database(config, migrate=True), build_archive(config)
    except (SetupError, SQLAlchemyError) as exc:
        print(f"shopguard privacy: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, SetupError) else EXIT_ERROR
    actor, files = _actor(), LocalFiles.of(config, query.camera_id)
    try:
        if args.privacy_action == "search":
            for e in search(sessions, query, actor):
                kinds = ",".join(sorted(x.kind.value for x in e.evidence)) or "-"
                print(f"{e.id}\t{e.started_at.isoformat()}\t{e.status.value}\t"
                      f"{e.review_status.value}\t{e.peak_score:.2f}\t{kinds}")
        elif args.privacy_action == "export":
            with args.out.open("wb") as out:
                report = export_zip(sessions, archive, query, out, actor, files)
            print(f"{args.out}: {len(report.events)} events, {report.files} files, "
                  f"{report.bytes} bytes" + (f", {len(report.missing)} missing"
                                             if report.missing else ""))
        else:
            if not args.yes and not _confirm(query):
                print("nothing erased", file=sys.stderr)
                return EXIT_USAGE
            done = erase(sessions, archive, query, actor, files)
            objects = sum(done.objects.values())
            print(f"erased {len(done.erased)} events, {objects} evidence objects, "
                  f"{done.bytes} bytes")
            if done.skipped_open:
                print(f"still recording, not erased (run again later): "
                      f"{', '.join(done.skipped_open)}")
    except (SQLAlchemyError, OSError) as exc:
        print(f"shopguard privacy: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _confirm(query: SubjectQuery) -> bool:
    if not sys.stdin.isatty():
        print("shopguard privacy: add --yes to erase without a terminal", file=sys.stderr)
        return False
    answer = input(f"Erase every event of {query.camera_id} from {query.since.isoformat()} "
                   f"to {query.until.isoformat()}? This cannot be undone. [y/N] ")
    return answer.strip().lower() in ("y", "yes")
