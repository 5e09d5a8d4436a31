"""``shopguard users``: accounts from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from shopguard.cli import main
from shopguard.service.accounts import verify_password
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.models import User


def _users(url: str) -> dict[str, User]:
    with session_factory(init_db(url))() as s:
        return {u.username: u for u in s.scalars(select(User))}


def test_create_list_and_passwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["users", "create", "--url", url, "--username", "alice", "--role", "admin",
                 "--password-stdin"]) == 0
    alice = _users(url)["alice"]
    assert alice.role == "admin" and alice.cameras is None
    assert verify_password(alice.password_hash, "a long enough password")

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: generated, shown once
    assert main(["users", "create", "--url", url, "--username", "carol", "--role", "viewer",
                 "--cameras", "door-1,till-2"]) == 0
    shown = capsys.readouterr().out.split("(shown once): ")[1].strip()
    carol = _users(url)["carol"]
    assert carol.cameras == ["door-1", "till-2"] and verify_password(carol.password_hash, shown)

    assert main(["users", "list", "--url", url]) == 0
    assert capsys.readouterr().out.splitlines() == ["alice\tadmin\t*",
                                                    "carol\tviewer\tdoor-1,till-2"]
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["users", "passwd", "--url", url, "--username", "carol",
                 "--password-stdin"]) == 0
    assert verify_password(_users(url)["carol"].password_hash, "another long password")


def test_refuses_duplicates_short_passwords_and_unknown_users(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    for stdin, argv, code in (
        ("short\n", ["create", "--username", "bob"], 2),
        ("a long enough password\n", ["create", "--username", "bob"], 0),
        ("a long enough password\n", ["create", "--username", "bob"], 2),
        ("a long enough password\n", ["passwd", "--username", "nobody"], 2),
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        assert main(["users", *argv, "--url", url, "--password-stdin"]) == code
    err = capsys.readouterr().err
    assert "password must be" in err and "user 'bob' exists" in err and "no user 'nobody'" in err
    assert list(_users(url)) == ["bob"]
