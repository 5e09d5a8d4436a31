"""Property-based fuzzing of the real Flask app from its own OpenAPI document
(schemathesis): for every operation, generated requests signed in as an admin get no
5xx and responses that match the documented schemas. Examples are few per operation to
keep CI fast; the streams (SSE, MJPEG), which never end, are left out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from flask import Flask  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from shopguard.service.accounts import create_user  # noqa: E402
from shopguard.service.app import create_app  # noqa: E402
from shopguard.service.context import ApiSettings, ServiceContext  # noqa: E402
from shopguard.service.hub import LiveHub  # noqa: E402
from shopguard.service.openapi import build_document  # noqa: E402
from shopguard.storage.db import init_db, session_factory  # noqa: E402
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore  # noqa: E402

pytestmark = [pytest.mark.slow]
PASSWORD = "fuzz-password-123456"
#: Streams never end.
EXCLUDED = r"/(stream|live|mjpeg)"


def _fuzz_app(tmp: Path) -> tuple[Flask, dict[str, str]]:
    sessions = session_factory(init_db(f"sqlite:///{tmp / 'shopguard.db'}"))
    ctx = ServiceContext(
        sessions=sessions,
        evidence=EvidenceArchive(LocalEvidenceStore(tmp / "evidence")),
        hub=LiveHub(),
        settings=ApiSettings(secret_key=os.urandom(32), static_dir=tmp / "static"),
        cameras_changed=lambda: None,
        test_connection=lambda url: {"ok": False, "error": "not in tests"},
        version="fuzz",
    )
    with sessions.begin() as s:
        create_user(s, "root", PASSWORD, "admin", None)
    app = create_app(ctx)
    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    assert login.status_code == 200, login.get_data(as_text=True)
    csrf = login.get_json().get("csrf_token") or ""
    made = client.post("/api/tokens", json={"name": "fuzz"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code in (200, 201), made.get_data(as_text=True)
    return app, {"Authorization": f"Bearer {made.get_json()['token']}"}


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    from argon2 import PasswordHasher

    from shopguard.service.accounts import use_hasher

    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    app, headers = _fuzz_app(tmp_path_factory.mktemp("fuzz"))
    schema = schemathesis.openapi.from_dict(build_document(app))
    schema.app = app
    yield schema.exclude(path_regex=EXCLUDED), headers
    use_hasher(previous)


def test_every_operation_survives_generated_requests(
    fuzz_target: tuple[Any, dict[str, str]],
) -> None:
    schema, headers = fuzz_target
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers,
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # collect all, then report
            failures.append(f"{operation.method.upper()} {operation.path}: "
                            f"{str(exc).splitlines()[0:8]}")
    assert operations > 30
    assert not failures, "\n".join(failures)
