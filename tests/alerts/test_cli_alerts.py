"""``shopguard alerts test|dead|retry`` against a real webhook receiver and database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.cli import main
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.models import AlertDelivery, DeliveryStatus


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "shopguard.yaml"
    path.write_text(
        f"alerts:\n  channels:\n    - {{type: webhook, name: ops, url: '{url}', secret: s3cret}}\n"
    )
    return path


def test_test_sends_a_probe(
    tmp_path: Path, http_recorder: HttpRecorder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["alerts", "test", "ops", "--config", str(_config(tmp_path, http_recorder.url))]) == 0
    )
    assert "test alert sent on ops" in capsys.readouterr().out
    [request] = http_recorder.requests
    assert request.json()["kind"] == "test"
    assert request.headers["Idempotency-Key"].startswith("test.ops.")


def test_test_reports_failures(
    tmp_path: Path, http_recorder: HttpRecorder, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, http_recorder.url)
    http_recorder.default = Reply(401, b"who are you")
    assert main(["alerts", "test", "ops", "--config", str(config)]) == 1
    assert "ops: failed (permanent): HTTP 401: who are you" in capsys.readouterr().err
    assert main(["alerts", "test", "sms", "--config", str(config)]) == 2
    assert "no channel 'sms'; configured: ['ops']" in capsys.readouterr().err


def test_test_names_the_bad_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("alerts:\n  channels:\n    - {type: webhook, url: nope, secret: s}\n")
    assert main(["alerts", "test", "webhook", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: alerts: invalid alert configuration" in err
    assert "channels.0.webhook.url" in err
    assert "s3cret" not in err


def test_dead_and_retry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'sg.db'}"
    sessions: sessionmaker[Session] = session_factory(init_db(url))
    with sessions.begin() as s:
        row = AlertDelivery(
            channel="ops",
            idempotency_key="e1.ops",
            status=DeliveryStatus.DEAD,
            attempts=10,
            last_error="HTTP 500",
        )
        s.add(row)
    assert main(["alerts", "dead", "--url", url]) == 0
    assert f"{row.id}\tops\te1.ops\t10 tries\tHTTP 500" in capsys.readouterr().out
    assert main(["alerts", "retry", str(row.id), "--url", url]) == 0
    with sessions() as s:
        again = s.get_one(AlertDelivery, row.id)
        assert (again.status, again.attempts) == (DeliveryStatus.PENDING, 0)
    assert main(["alerts", "retry", "999", "--url", url]) == 2
    assert "no alert delivery 999" in capsys.readouterr().err
