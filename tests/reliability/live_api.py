"""The real service (database, supervisor, outbox) behind its real HTTP server (waitress on
loopback), with an admin signed in over HTTP: for hostile-input tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from argon2 import PasswordHasher

from shopguard.config import ServiceConfig
from shopguard.service.accounts import create_user, use_hasher
from shopguard.service.runtime import Service
from shopguard.service.server import make_server

ADMIN, PASSWORD = "root", "root-password-123"


@dataclass
class LiveApi:
    """``http`` is signed in as an admin and sends the CSRF token with every request."""

    service: Service
    base_url: str
    http: requests.Session

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.base_url}{path}", timeout=60, **kwargs)


def _serve(server: Any) -> None:
    """``server.run()`` until ``close()``, after which select() fails on the closed socket."""
    try:
        server.run()
    except OSError:
        if server.accepting:
            raise


@contextmanager
def live_api(config: ServiceConfig) -> Iterator[LiveApi]:
    """``config``'s service, served on ``config.server.port``; stopped afterwards."""
    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    service = Service(config)
    service.start()
    server = make_server(service.create_app(), "127.0.0.1", config.server.port, threads=4)
    thread = threading.Thread(target=_serve, args=(server,), daemon=True)
    thread.start()
    try:
        with service.sessions.begin() as s:
            create_user(s, ADMIN, PASSWORD, "admin", None)
        api = LiveApi(service, f"http://127.0.0.1:{config.server.port}", requests.Session())
        login = api.request("POST", "/api/auth/login",
                            json={"username": ADMIN, "password": PASSWORD})
        assert login.status_code == 200, login.text
        api.http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        yield api
    finally:
        server.close()
        thread.join(10)
        service.stop()
        use_hasher(previous)
