"""``shopguard serve --config FILE``: run the service (workers, alerts, API, dashboard)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from shopguard.config import ConfigError, ServiceConfig, load_config
from shopguard.service.wiring import SetupError

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` sub-command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the service: camera workers, alerts, REST API and dashboard",
        description="Run ShopGuard as a service with the cameras and channels of a config file.",
    )
    parser.add_argument("--config", type=Path, required=True, help="YAML configuration file")
    parser.add_argument("--host", help="listen address (overrides server.host)")
    parser.add_argument("--port", type=int, help="listen port (overrides server.port)")
    parser.set_defaults(func=run)


def with_overrides(config: ServiceConfig, host: str | None, port: int | None) -> ServiceConfig:
    """The config with command-line overrides of the listen address applied."""
    server = config.server.model_copy(
        update={k: v for k, v in (("host", host), ("port", port)) if v is not None}
    )
    return config.model_copy(update={"server": server})


def run(args: argparse.Namespace) -> int:
    """Load the config, start the service and serve until SIGTERM."""
    try:
        config = with_overrides(load_config(args.config), args.host, args.port)
    except ConfigError as exc:
        print(f"shopguard serve: {exc}", file=sys.stderr)
        return 2
    return serve(config)


def serve(config: ServiceConfig, banner: str = "") -> int:
    """Start the service with ``config`` and block until it is stopped."""
    from shopguard.service.runtime import Service

    try:
        service = Service(config)
        service.start()
    except (SetupError, ConfigError, ValueError) as exc:
        print(f"shopguard serve: {exc}", file=sys.stderr)
        return 2
    url = f"http://{config.server.host}:{config.server.port}"
    print(f"ShopGuard {banner}listening on {url}", flush=True)
    if service.first_admin_password:
        print(f"First start: created user 'admin' with one-time password "
              f"{service.first_admin_password}", flush=True)
    service.serve()
    return 0
