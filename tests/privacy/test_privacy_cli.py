"""``shopguard privacy``: requests from the command line against a config's database."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from shopguard.cli import main
from shopguard.config import load_config
from shopguard.service.wiring import build_archive
from shopguard.storage.db import init_db, session_factory
from shopguard.storage.models import AuditEntry, EventStatus, EvidenceKind
from shopguard.storage.repository import create_event

WINDOW = ["--camera", "door-1", "--since", "2026-05-01T14:00", "--until", "2026-05-01T15:00"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "data_dir": str(tmp_path / "var"),
        "privacy": {"controller": "Corner Shop Ltd", "contact": "privacy@corner.example"},
        "storage": {"retention_days": 14},
        "feedback": {"track_log_hours": 6},
        "cameras": [{"id": "door-1", "name": "Front door", "url": "rtsp://cam/1",
                     "privacy": "blurred"}],
    }))
    return path


def _event(config: Path) -> str:
    cfg = load_config(config)
    engine = init_db(cfg.resolved_database_url)
    archive = build_archive(cfg)
    clip = config.parent / "clip.mp4"
    clip.write_bytes(b"clip" * 100)
    with session_factory(engine).begin() as s:
        event = create_event(s, camera_id="door-1", track_id=2,
                             started_at=datetime(2026, 5, 1, 14, 10, tzinfo=UTC))
        event.status = EventStatus.CLOSED
        archive.add(s, event, EvidenceKind.CLIP, clip)
        event_id = event.id
    engine.dispose()
    return event_id


def test_search_export_erase(config: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    event_id = _event(config)
    assert main(["privacy", "search", "--config", str(config), *WINDOW]) == 0
    assert capsys.readouterr().out.startswith(f"{event_id}\t2026-05-01T14:10:00+00:00\tclosed")
    out = tmp_path / "request.zip"
    assert main(["privacy", "export", "--config", str(config), *WINDOW, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        assert zf.read(f"events/{event_id}/clip.mp4") == b"clip" * 100
    assert main(["privacy", "erase", "--config", str(config), *WINDOW]) == 2  # no terminal
    assert main(["privacy", "erase", "--config", str(config), *WINDOW, "--yes"]) == 0
    assert "erased 1 events, 1 evidence objects, 400 bytes" in capsys.readouterr().out
    assert main(["privacy", "search", "--config", str(config), *WINDOW]) == 0
    assert capsys.readouterr().out == ""
    engine = init_db(load_config(config).resolved_database_url)
    with session_factory(engine)() as s:
        trail = [(a.username.split(":")[0], a.action, a.target_type)
                 for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    engine.dispose()
    assert trail == [("cli", "subject_search", "camera"), ("cli", "export", "camera"),
                     ("cli", "erase", "event"), ("cli", "erase", "subject_request"),
                     ("cli", "subject_search", "camera")]


def test_signage_from_the_config_file(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["privacy", "signage", "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert "**Controller:** Corner Shop Ltd" in text
    assert "| Front door | video clips of detected incidents; people are pixelated" in text
    assert "deleted after 14 days" in text
    assert "no images) of people in view are kept for 6 hours" in text
    assert not (config.parent / "var" / "shopguard.db").exists()  # nothing was created


def test_bad_window_and_bad_config(config: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    backwards = ["--camera", "door-1", "--since", "2026-05-02", "--until", "2026-05-01"]
    assert main(["privacy", "search", "--config", str(config), *backwards]) == 2
    assert "since must be before until" in capsys.readouterr().err
    missing = tmp_path / "nope.yaml"
    assert main(["privacy", "signage", "--config", str(missing)]) == 2
