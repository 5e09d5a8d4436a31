"""``shopguard demo``: the service on the bundled (simulated) demo camera.

The demo camera loops ``data/demo/store_demo.mp4``, a rendered store scene with shoppers
(some of whom conceal items) — simulated footage, labelled as such in the picture. The
zones come from the scene's ground truth. Each start prints the URL and a fresh password
for the demo's ``admin`` user (the demo only; a real service prints one once).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

from shopguard.commands.serve import serve
from shopguard.config import CameraConfig, ServiceConfig
from shopguard.paths import package_data_dir

DEMO_CAMERA = "demo"


def demo_video() -> Path:
    """The bundled demo video."""
    return package_data_dir() / "demo" / "store_demo.mp4"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="run the service on the bundled simulated demo camera",
        description="Start ShopGuard with one demo camera that loops a simulated store video.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address")
    parser.add_argument("--port", type=int, default=8080, help="listen port")
    parser.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="state directory")
    parser.add_argument("--video", type=Path, default=None, help="another video to loop")
    parser.set_defaults(func=run)


def demo_config(data_dir: Path, video: Path, host: str, port: int) -> ServiceConfig:
    """The demo's configuration: one looping camera with the scene's zones, alerting at the
    shipped model's own operating point (no threshold of its own)."""
    truth = video.with_suffix(".json")
    zones: list[dict[str, Any]] = json.loads(truth.read_text())["zones"] if truth.exists() else []
    camera = CameraConfig.model_validate(
        {"id": DEMO_CAMERA, "name": "Demo store (simulated)", "url": str(video), "loop": True,
         "zones": zones}
    )
    return ServiceConfig.model_validate(
        {"data_dir": data_dir, "server": {"host": host, "port": port},
         "cameras": [camera]}
    )


def reset_demo_admin(config: ServiceConfig) -> str:
    """Give the demo's ``admin`` a fresh random password (creating the user if needed)."""
    from shopguard.service.accounts import create_user, find_user, hash_password
    from shopguard.service.wiring import open_database
    from shopguard.storage.models import Role

    password = secrets.token_urlsafe(12)
    with open_database(config, migrate=True).begin() as session:
        user = find_user(session, "admin")
        if user is None:
            create_user(session, "admin", password, Role.ADMIN)
        else:
            user.password_hash = hash_password(password)
    return password


def run(args: argparse.Namespace) -> int:
    """Start the demo service and block until stopped."""
    video = args.video or demo_video()
    if not video.is_file():
        print(f"shopguard demo: demo video not found: {video}", file=sys.stderr)
        return 2
    config = demo_config(args.data_dir, video, args.host, args.port)
    password = reset_demo_admin(config)
    print(f"\n  ShopGuard demo: http://{args.host}:{args.port}\n"
          f"  log in as admin / {password}\n"
          f"  (the demo camera shows SIMULATED footage)\n", flush=True)
    return serve(config, banner="demo ")
