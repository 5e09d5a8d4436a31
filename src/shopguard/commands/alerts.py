"""``shopguard alerts test|dead|retry``: try a channel, list and requeue dead letters."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from shopguard.alerts.channels import Delivery, DeliveryError, build_channel
from shopguard.alerts.config import AlertsConfigError, load_alerts_config
from shopguard.alerts.message import MessageFormat, probe_payload
from shopguard.alerts.outbox import retry
from shopguard.storage.db import default_url, make_engine, session_factory
from shopguard.storage.models import AlertDelivery, DeliveryStatus

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``alerts`` sub-command."""
    parser = subparsers.add_parser(
        "alerts",
        help="test alert channels, inspect and retry failed alerts",
        description="Alert channels (Twilio SMS, webhook, e-mail, MQTT) and the alert outbox.",
    )
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test alert through one channel")
    test.add_argument("channel", help="channel name (its 'name', or its type if unnamed)")
    test.add_argument("--config", required=True, type=Path, help="YAML file with 'alerts:'")
    dead = actions.add_parser("dead", help="list alerts that gave up (dead letters)")
    again = actions.add_parser("retry", help="requeue a dead alert for sending")
    again.add_argument("delivery_id", type=int, help="id shown by 'shopguard alerts dead'")
    for action in (dead, again):
        action.add_argument("--url", default=None, help="database URL (default: $SHOPGUARD_DB_URL)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the action; 1 when sending fails, 2 for bad configuration or unknown ids."""
    if args.alerts_action == "test":
        return _test(args.channel, args.config)
    engine = make_engine(args.url or default_url())
    sessions = session_factory(engine)
    try:
        with sessions.begin() as s:
            if args.alerts_action == "dead":
                rows = s.scalars(
                    select(AlertDelivery)
                    .where(AlertDelivery.status == DeliveryStatus.DEAD)
                    .order_by(AlertDelivery.id)
                )
                for row in rows:
                    print(
                        f"{row.id}\t{row.channel}\t{row.idempotency_key}\t"
                        f"{row.attempts} tries\t{row.last_error}"
                    )
                return 0
            try:
                row = retry(s, args.delivery_id)
            except (LookupError, ValueError) as exc:
                print(f"shopguard alerts retry: error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
            print(f"alert {row.id} ({row.channel}) queued again; a running service sends it")
            return 0
    finally:
        engine.dispose()


def _test(name: str, config_path: Path) -> int:
    try:
        config = load_alerts_config(config_path)
        channel = build_channel(
            config.channel(name), MessageFormat(str(config.base_url), config.timezone)
        )
    except (AlertsConfigError, KeyError) as exc:
        print(f"shopguard alerts test: error: {exc.args[0]}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stamp = datetime.now(UTC)
    delivery = Delivery(
        0, name, f"test.{name}.{int(stamp.timestamp())}", probe_payload(name, stamp)
    )
    try:
        channel.send(delivery)
    except DeliveryError as exc:
        kind = "retryable" if exc.retryable else "permanent"
        print(f"shopguard alerts test: {name}: failed ({kind}): {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"test alert sent on {name}")
    return 0
