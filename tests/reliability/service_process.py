"""``shopguard serve`` as a real process for crash tests: start, SIGKILL, start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import requests
import yaml

from shopguard.config import ServiceConfig


class ServiceProcess:
    """The service process for ``config`` (written as YAML beside its data directory)."""

    def __init__(self, config: ServiceConfig, workdir: Path):
        self.base_url = f"http://127.0.0.1:{config.server.port}"
        self.config_path = workdir / "shopguard.yaml"
        self.config_path.write_text(yaml.safe_dump(config.model_dump(mode="json")))
        self.log_path = workdir / "service.log"
        self.process: subprocess.Popen[Any] | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "shopguard.cli", "serve", "--config",
                 str(self.config_path)],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until the API answers (signal handlers are installed by then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log()[-3000:]
            try:
                if requests.get(f"{self.base_url}/api/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the service did not answer in {timeout:.0f} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def workers(self) -> list[psutil.Process]:
        """The camera worker processes (children running ``worker_main``)."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [c for c in children if _is_worker(c)]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 60) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _is_worker(process: psutil.Process) -> bool:
    try:
        return "multiprocessing" in " ".join(process.cmdline())
    except psutil.Error:
        return False
