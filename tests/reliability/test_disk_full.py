"""Evidence disk almost full (a real 24 MB tmpfs, mounted as root): the alert still goes
out without its clip, the condition shows in health and metrics, retention is run at once
and frees space by deleting old unprotected evidence, and the service stays up."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_harness import (
    CAMERA_LIVE_S,
    received_keys,
    running_service,
    service_config,
    wait_until,
)
from sqlalchemy import select

from shopguard.alerts.testing import HttpRecorder
from shopguard.service.wiring import build_archive, open_database
from shopguard.storage.models import Event, EventStatus, EvidenceKind, EvidenceObject, utcnow
from shopguard.storage.repository import create_event

pytestmark = [pytest.mark.slow, pytest.mark.integration]

MB = 1 << 20


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_degrades_evidence_not_alerts(
    tmp_path: Path, small_disk: Path, people_mp4: Path, alarm_model: Path,
    http_recorder: HttpRecorder,
) -> None:
    config = service_config(
        tmp_path, [{"id": "aisle", "url": str(people_mp4), "loop": True}],
        f"{http_recorder.url}/hook", alarm_model,
        data_dir=str(small_disk / "var"),  # spool and evidence on the small disk
        database_url=f"sqlite:///{tmp_path / 'db' / 'shopguard.db'}",  # the database is not
        storage={"min_free_gb": 4 * MB / (1 << 30), "retention_days": 30},
    )
    sessions, archive = open_database(config, migrate=True), build_archive(config)
    with running_service(config) as service:
        wait_until(lambda: service.hub.health().get("aisle", {}).get("state") == "live",
                   CAMERA_LIVE_S, "the camera")
        # then the disk fills up: old evidence of a closed event, and something else
        old_clip = tmp_path / "old.mp4"
        old_clip.write_bytes(os.urandom(8 * MB))
        with sessions.begin() as s:
            old = create_event(s, camera_id="old-cam", track_id=1, started_at=utcnow())
            old.status, old.ended_at = EventStatus.CLOSED, utcnow()
            archive.add(s, old, EvidenceKind.CLIP, old_clip)
            old_id = old.id
        with sessions() as s:
            before = set(s.scalars(select(Event.id)))
        free = shutil.disk_usage(small_disk).free
        (small_disk / "filler").write_bytes(b"\0" * (free - 64 * 1024))  # no clip fits

        def new_event() -> str | None:
            with service.sessions() as s:
                return next((i for i in s.scalars(select(Event.id)) if i not in before), None)

        event_id = wait_until(new_event, 120, "an event")
        wait_until(lambda: received_keys(http_recorder)[f"{event_id}.desk"] == 1, 30,
                   "its alert, without evidence")

        def warned() -> bool:
            health = service.hub.health().get("aisle", {})
            return "evidence_disk_full" in health.get("warnings", [])

        wait_until(warned, 90, "the disk-full warning in the camera's health")
        metrics = service.hub.metrics.render()
        assert 'shopguard_evidence_disk_full_total{camera="aisle"}' in metrics

        def old_evidence_gone() -> bool:
            with service.sessions() as s:
                return s.scalar(select(EvidenceObject.id).where(
                    EvidenceObject.event_id == old_id)) is None
        wait_until(old_evidence_gone, 30, "retention to delete the old evidence")
        report = service.retention.last_report
        assert [r.event_id for r in report.deleted] == [old_id]
        assert all(r.why == "disk" for r in report.deleted)
        assert shutil.disk_usage(small_disk).free > 4 * MB
        assert service.supervisor.health()["aisle"]["state"] == "live"  # still up
        assert service.supervisor.health()["aisle"]["restarts"] == 0
