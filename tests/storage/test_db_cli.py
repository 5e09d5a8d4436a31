"""``shopguard db upgrade|current`` on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.cli import main
from shopguard.storage.db import current_revision, head_revision, make_engine


def test_upgrade_then_current(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--url", db_url]) == 0
    assert capsys.readouterr().out.endswith("revision none\n")
    assert main(["db", "upgrade", "--url", db_url]) == 0
    assert capsys.readouterr().out.endswith(f"revision {head_revision()}\n")
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_url_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOPGUARD_DB_URL", f"sqlite:///{tmp_path}/env.db")
    assert main(["db", "upgrade"]) == 0
    assert f"env.db: revision {head_revision()}" in capsys.readouterr().out


def test_unreachable_server_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--url", "postgresql://nobody@127.0.0.1:1/x"]) == 1
    assert "shopguard db: error:" in capsys.readouterr().err
