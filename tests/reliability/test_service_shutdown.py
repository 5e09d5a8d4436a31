"""SIGTERM stops the service promptly and cleanly while clients hold connections open:
an idle keep-alive connection and a client busy with requests must not keep it alive."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
import requests
from service_harness import service_config
from service_process import ServiceProcess

from shopguard.storage.testing import free_port

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _keep_alive_connection(port: int) -> socket.socket:
    """A connection that made one request and now sits idle, as browsers leave them."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    return conn


def test_sigterm_with_open_connections_exits_cleanly(tmp_path: Path, alarm_model: Path) -> None:
    config = service_config(tmp_path, [], None, alarm_model, server={"port": free_port()})
    service = ServiceProcess(config, tmp_path)
    service.start()
    service.wait_ready()
    idle = _keep_alive_connection(config.server.port)
    stop_polling = threading.Event()

    def poll() -> None:  # keeps the server's main loop busy outside select()
        with requests.Session() as http:
            while not stop_polling.is_set():
                try:
                    http.get(f"{service.base_url}/api/health", timeout=2)
                except requests.RequestException:
                    return
    pollers = [threading.Thread(target=poll, daemon=True) for _ in range(4)]
    for p in pollers:
        p.start()
    try:
        exit_code = service.stop(timeout=30)
    finally:
        stop_polling.set()
        idle.close()
    assert exit_code == 0, service.log()[-3000:]
    assert "shutting down" in service.log()
