"""Real receivers for alert tests: an HTTP recorder (webhooks, Twilio's API), an SMTP
server (aiosmtpd) and a Mosquitto broker, each on a free port and each able to go down
and come back on the same port (an outage).

Import the fixtures into a ``conftest.py`` and list them in ``__all__``. ``mosquitto``
skips its test when the ``mosquitto`` binary is not installed; ``smtp_server`` needs
``aiosmtpd`` (a dev dependency).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from shopguard.storage.testing import free_port


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request the HTTP recorder received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(slots=True)
class Reply:
    """How the recorder answers: status, body, and a delay before answering."""

    status: int = 200
    body: bytes = b"{}"
    delay_s: float = 0.0
    content_type: str = "application/json"


class HttpRecorder:
    """An HTTP server that records every request and answers from a script of replies.

    With an ``ssl_context`` it serves HTTPS (``url`` starts with ``https://``).

    ``script(reply, times)`` queues replies; when the queue is empty ``default`` answers.
    """

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.port = free_port()
        self.ssl_context = ssl_context
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self.requests: list[Recorded] = []
        self.default = Reply()
        self._script: deque[Reply] = deque()
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    def script(self, reply: Reply, times: int = 1) -> None:
        with self._lock:
            self._script.extend([reply] * times)

    def _next_reply(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()
            return self._script.popleft() if self._script else self.default

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Whether ``count`` requests arrived within ``timeout`` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.requests) >= count, timeout)

    def start(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Recorded(self.command, self.path, dict(self.headers.items()), body)
                reply = recorder._next_reply(request)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        if self.ssl_context is not None:  # HTTPS (clients that insist on https://)
            self._server.socket = self.ssl_context.wrap_socket(self._server.socket,
                                                               server_side=True)
        server = self._server
        threading.Thread(target=lambda: server.serve_forever(0.02), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@dataclass(slots=True)
class SmtpState:
    """What the SMTP server received, and how it answers (``None``: accept)."""

    messages: list[Any] = field(default_factory=list)
    data_reply: str | None = None
    rcpt_reply: str | None = None


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that stores envelopes; optional login."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.state = SmtpState()
        self.credentials = credentials
        self._controller: Any = None
        self._received = threading.Condition()

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self._received:
            return self._received.wait_for(lambda: len(self.state.messages) >= count, timeout)

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        server = self

        class Handler:
            async def handle_RCPT(
                self, _srv: Any, session: Any, envelope: Any, address: str, _options: Any
            ) -> str:
                if server.state.rcpt_reply:
                    return server.state.rcpt_reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, _srv: Any, _session: Any, envelope: Any) -> str:
                if server.state.data_reply:
                    return server.state.data_reply
                with server._received:
                    server.state.messages.append(envelope)
                    server._received.notify_all()
                return "250 Message accepted"

        def authenticate(_srv: Any, _session: Any, _env: Any, _mechanism: str, data: Any) -> Any:
            ok = (
                isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == server.credentials
            )
            return AuthResult(success=ok, handled=False)

        kwargs: dict[str, Any] = {}
        if self.credentials:
            # plain-text login on loopback only, so no TLS is required
            kwargs = {"authenticator": authenticate, "auth_require_tls": False}
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class MosquittoBroker:
    """A ``mosquitto`` process of the test's own; optional password file."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        binary = shutil.which("mosquitto") or (
            "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
        )
        if binary is None:
            pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self.port = free_port()
        self.credentials = credentials
        self._dir = tempfile.TemporaryDirectory(prefix="shopguard-mqtt-")
        self._process: subprocess.Popen[bytes] | None = None

    def _config(self) -> Path:
        root = Path(self._dir.name)
        root.chmod(0o755)  # mosquitto started as root drops to its own user
        lines = [f"listener {self.port} 127.0.0.1", "persistence false"]
        if self.credentials:
            passwords = root / "passwd"
            user, password = self.credentials
            passwords.write_text(f"{user}:{password}\n")
            passwd_tool = shutil.which("mosquitto_passwd")
            if passwd_tool is None:
                pytest.skip("mosquitto_passwd is not installed")
            subprocess.run([passwd_tool, "-U", str(passwords)], check=True)
            passwords.chmod(0o644)
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        else:
            lines.append("allow_anonymous true")
        config = root / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.binary, "-c", str(self._config())],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def accepting() -> bool:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return True
            return False

        if not _wait_until(accepting, 10):
            self.stop()
            raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


@dataclass(frozen=True, slots=True)
class MqttMessage:
    topic: str
    payload: bytes
    retain: bool
    user_properties: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.payload)


@contextlib.contextmanager
def mqtt_subscriber(
    port: int, topic: str = "#", credentials: tuple[str, str] | None = None
) -> Iterator[list[MqttMessage]]:
    """Collects the messages published on ``topic`` while the block runs (MQTT 5)."""
    received: list[MqttMessage] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
    if credentials:
        client.username_pw_set(*credentials)

    def on_message(_c: Any, _u: Any, message: Any) -> None:
        props = getattr(message.properties, "UserProperty", None) or []
        received.append(
            MqttMessage(message.topic, message.payload, bool(message.retain), dict(props))
        )

    client.on_message = on_message
    client.on_subscribe = lambda *_args: subscribed.set()
    client.on_connect = lambda c, *_args: c.subscribe(topic, qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        if not subscribed.wait(10):
            raise RuntimeError("test subscriber could not subscribe")
        yield received
    finally:
        client.disconnect()
        client.loop_stop()


def wait_for_messages(received: list[MqttMessage], count: int, timeout: float = 10.0) -> bool:
    return _wait_until(lambda: len(received) >= count, timeout)


@pytest.fixture
def http_recorder() -> Iterator[HttpRecorder]:
    """A running HTTP recorder (webhook receiver / fake Twilio API)."""
    recorder = HttpRecorder()
    recorder.start()
    yield recorder
    recorder.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server without login."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mosquitto() -> Iterator[MosquittoBroker]:
    """A running Mosquitto broker of the test's own (anonymous access)."""
    broker = MosquittoBroker()
    broker.start()
    yield broker
    broker.close()
