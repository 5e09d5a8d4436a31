"""Retention by age and by free disk space, on real files and a fake free-space function."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import EvidenceKind, EvidenceObject, ReviewStatus
from shopguard.storage.repository import add_review, close_event, create_event
from shopguard.storage.retention import (
    RetentionPolicy,
    RetentionWorker,
    apply_retention,
)
from shopguard.storage.testing import MotoS3

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CLIP = 1000
CAPACITY = 10_000


def _used(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def fake_free(root: Path) -> int:
    """A 10 kB disk: free space is what the files under ``root`` leave."""
    return CAPACITY - _used(root)


@pytest.fixture
def archive(tmp_path: Path) -> EvidenceArchive:
    return EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))


def _event(
    sessions: sessionmaker[Session],
    archive: EvidenceArchive,
    tmp_path: Path,
    age_days: float,
    review: ReviewStatus = ReviewStatus.NEW,
    closed: bool = True,
) -> int:
    """An event with one 1000-byte clip created ``age_days`` before ``T0``."""
    clip = tmp_path / f"{uuid.uuid4().hex}.mp4"
    clip.write_bytes(b"x" * CLIP)
    created = T0 - timedelta(days=age_days)
    with sessions.begin() as s:
        event = create_event(s, camera_id="cam", track_id=1, started_at=created)
        row = archive.add(s, event, EvidenceKind.CLIP, clip)
        row.created_at = created
        if closed:
            close_event(s, event, created)
        if review is not ReviewStatus.NEW:
            add_review(s, event_id=event.id, decision=review)
        evidence_id = row.id
    clip.unlink()
    return evidence_id


def _remaining(sessions: sessionmaker[Session]) -> set[int]:
    with sessions() as s:
        return set(s.scalars(select(EvidenceObject.id)))


def test_old_evidence_goes_unless_confirmed_or_escalated(
    db_sessions: sessionmaker[Session], archive: EvidenceArchive, tmp_path: Path
) -> None:
    old_new = _event(db_sessions, archive, tmp_path, 40)
    old_dismissed = _event(db_sessions, archive, tmp_path, 35, ReviewStatus.DISMISSED)
    old_confirmed = _event(db_sessions, archive, tmp_path, 90, ReviewStatus.CONFIRMED)
    old_escalated = _event(db_sessions, archive, tmp_path, 60, ReviewStatus.ESCALATED)
    recent = _event(db_sessions, archive, tmp_path, 5)

    report = apply_retention(db_sessions, archive, RetentionPolicy(max_age_days=30), now=T0)

    assert {r.evidence_id for r in report.deleted} == {old_new, old_dismissed}
    assert {r.why for r in report.removed} == {"age"}
    assert report.freed_bytes == 2 * CLIP
    assert _remaining(db_sessions) == {old_confirmed, old_escalated, recent}
    assert _used(archive.local.root) == 3 * CLIP
    again = apply_retention(db_sessions, archive, RetentionPolicy(max_age_days=30), now=T0)
    assert again.removed == []


def test_disk_floor_deletes_oldest_unconfirmed_first_and_stops_above_it(
    sqlite_sessions: sessionmaker[Session], archive: EvidenceArchive, tmp_path: Path
) -> None:
    confirmed = _event(sqlite_sessions, archive, tmp_path, 9, ReviewStatus.CONFIRMED)
    ids = [_event(sqlite_sessions, archive, tmp_path, age) for age in (8, 7, 6, 5, 4, 3)]
    assert fake_free(archive.local.root) == 3000
    policy = RetentionPolicy(max_age_days=None, min_free_bytes=4500)

    report = apply_retention(sqlite_sessions, archive, policy, free_bytes=fake_free)

    assert [r.evidence_id for r in report.removed] == ids[:2]
    assert {r.why for r in report.removed} == {"disk"}
    assert not report.below_floor
    assert fake_free(archive.local.root) == 5000
    assert _remaining(sqlite_sessions) == {confirmed, *ids[2:]}


def test_disk_floor_never_touches_protected_or_open_events(
    sqlite_sessions: sessionmaker[Session], archive: EvidenceArchive, tmp_path: Path
) -> None:
    kept = {
        _event(sqlite_sessions, archive, tmp_path, 9, ReviewStatus.CONFIRMED),
        _event(sqlite_sessions, archive, tmp_path, 8, ReviewStatus.ESCALATED),
        _event(sqlite_sessions, archive, tmp_path, 7, closed=False),
    }
    policy = RetentionPolicy(max_age_days=None, min_free_bytes=CAPACITY)

    report = apply_retention(sqlite_sessions, archive, policy, free_bytes=fake_free)

    assert report.removed == [] and report.below_floor
    assert _remaining(sqlite_sessions) == kept


def test_disk_floor_drops_uploaded_local_copies_before_deleting_anything(
    sqlite_sessions: sessionmaker[Session], moto_s3: MotoS3, tmp_path: Path
) -> None:
    remote = moto_s3.store(f"evidence-{uuid.uuid4().hex[:8]}")
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"), remote, keep_local=True)
    confirmed = _event(sqlite_sessions, archive, tmp_path, 9, ReviewStatus.CONFIRMED)
    unconfirmed = _event(sqlite_sessions, archive, tmp_path, 8)
    assert archive.upload_pending(sqlite_sessions).uploaded == [confirmed, unconfirmed]
    policy = RetentionPolicy(max_age_days=None, min_free_bytes=CAPACITY - CLIP)

    report = apply_retention(sqlite_sessions, archive, policy, free_bytes=fake_free)

    assert [(r.evidence_id, r.why) for r in report.removed] == [(confirmed, "disk-local-copy")]
    assert report.deleted == []
    assert _remaining(sqlite_sessions) == {confirmed, unconfirmed}
    with sqlite_sessions() as s:
        row = s.get_one(EvidenceObject, confirmed)
        assert remote.read(row.key) == b"x" * CLIP  # the evidence is still there


def test_worker_runs_retention_in_the_background(
    sqlite_sessions: sessionmaker[Session], archive: EvidenceArchive, tmp_path: Path
) -> None:
    old = _event(sqlite_sessions, archive, tmp_path, 400)
    worker = RetentionWorker(sqlite_sessions, archive, RetentionPolicy(max_age_days=30))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not worker.last_report.removed and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert [r.evidence_id for r in worker.last_report.removed] == [old]


@pytest.mark.parametrize(
    "kwargs", [{"max_age_days": 0}, {"max_age_days": -1}, {"min_free_bytes": -5}]
)
def test_bad_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetentionPolicy(**kwargs)  # type: ignore[arg-type]
