"""``shopguard`` command line: one sub-command per module in ``shopguard.commands``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

#: Sub-command modules; each defines ``register(subparsers)`` which adds its parser and
#: sets ``func`` (``Callable[[argparse.Namespace], int]``) as the parser default.
COMMAND_MODULES: tuple[str, ...] = (
    "analyze",
    "serve",
    "demo",
    "synth",
    "train", "evaluate", "export",
    "dataset", "models", "deploy",
    "alerts", "db",
    "users", "privacy",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="shopguard",
        description="ShopGuard: real-time shoplifting detection for retail CCTV.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"shopguard.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shopguard`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
