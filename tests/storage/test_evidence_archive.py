"""EvidenceArchive and EvidenceUploader: local spool first, verified upload, outages."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.evidence import (
    EvidenceArchive,
    EvidenceUploader,
    LocalEvidenceStore,
    S3EvidenceStore,
)
from shopguard.storage.models import EvidenceKind, EvidenceObject, StoreKind
from shopguard.storage.repository import create_event
from shopguard.storage.testing import MotoS3

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"clip-bytes" * 100)
    return path


@pytest.fixture
def local(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "spool")


@pytest.fixture
def remote(moto_s3: MotoS3) -> S3EvidenceStore:
    return moto_s3.store(f"evidence-{uuid.uuid4().hex[:8]}")


def _add(sessions: sessionmaker[Session], archive: EvidenceArchive, clip: Path) -> int:
    with sessions.begin() as s:
        event = create_event(s, camera_id="door-1", track_id=1, started_at=T0)
        return archive.add(s, event, EvidenceKind.CLIP, clip).id


def _row(sessions: sessionmaker[Session], evidence_id: int) -> EvidenceObject:
    with sessions() as s:
        return s.get_one(EvidenceObject, evidence_id)


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_local_only_rows_are_final_at_once(
    sqlite_sessions: sessionmaker[Session], local: LocalEvidenceStore, clip: Path
) -> None:
    archive = EvidenceArchive(local)
    row = _row(sqlite_sessions, _add(sqlite_sessions, archive, clip))
    assert row.store is StoreKind.LOCAL and row.uploaded
    assert row.key.startswith("door-1/2024/05/01/") and row.key.endswith("/clip.mp4")
    assert row.size == 1000 and len(row.sha256) == 64
    assert b"".join(archive.iter_range(row, 0, 4)) == b"clip"
    assert archive.upload_pending(sqlite_sessions).uploaded == []
    with sqlite_sessions.begin() as s:
        archive.delete(s, s.get_one(EvidenceObject, row.id))
    assert not local.exists(row.key)
    with sqlite_sessions() as s:
        assert s.get(EvidenceObject, row.id) is None


def test_upload_moves_the_object_to_the_remote_store(
    sqlite_sessions: sessionmaker[Session],
    local: LocalEvidenceStore,
    remote: S3EvidenceStore,
    clip: Path,
) -> None:
    archive = EvidenceArchive(local, remote)
    evidence_id = _add(sqlite_sessions, archive, clip)
    row = _row(sqlite_sessions, evidence_id)
    assert row.store is StoreKind.S3 and not row.uploaded
    assert archive.store_for(row) is local  # readable before the upload

    report = archive.upload_pending(sqlite_sessions)
    assert (report.uploaded, report.failed) == ([evidence_id], [])
    row = _row(sqlite_sessions, evidence_id)
    assert row.uploaded
    assert not local.exists(row.key)
    assert remote.stat(row.key).sha256 == row.sha256
    assert archive.store_for(row) is remote
    assert b"".join(archive.iter_range(row, 996)) == b"ytes"
    assert archive.url(row) is not None
    with sqlite_sessions.begin() as s:
        archive.delete(s, s.get_one(EvidenceObject, evidence_id))
    assert not remote.exists(row.key)


def test_outage_keeps_the_clip_local_until_the_store_is_back(
    sqlite_sessions: sessionmaker[Session],
    local: LocalEvidenceStore,
    remote: S3EvidenceStore,
    moto_s3: MotoS3,
    clip: Path,
) -> None:
    archive = EvidenceArchive(local, remote)
    moto_s3.stop()
    evidence_id = _add(sqlite_sessions, archive, clip)
    report = archive.upload_pending(sqlite_sessions)
    assert (report.uploaded, report.failed) == ([], [evidence_id])
    row = _row(sqlite_sessions, evidence_id)
    assert not row.uploaded
    assert local.read(row.key) == clip.read_bytes()
    assert b"".join(archive.iter_range(row)) == clip.read_bytes()  # still served

    moto_s3.start()
    assert archive.upload_pending(sqlite_sessions).uploaded == [evidence_id]
    assert _row(sqlite_sessions, evidence_id).uploaded
    assert remote.read(row.key) == clip.read_bytes()


def test_background_uploader_retries_until_the_store_returns(
    sqlite_sessions: sessionmaker[Session],
    local: LocalEvidenceStore,
    remote: S3EvidenceStore,
    moto_s3: MotoS3,
    clip: Path,
) -> None:
    archive = EvidenceArchive(local, remote)
    uploader = EvidenceUploader(archive, sqlite_sessions, retry_s=0.2)
    moto_s3.stop()
    uploader.start()
    try:
        evidence_id = _add(sqlite_sessions, archive, clip)
        uploader.wake()
        assert _until(lambda: uploader.last_report.failed == [evidence_id])
        assert not _row(sqlite_sessions, evidence_id).uploaded
        moto_s3.start()
        assert _until(lambda: _row(sqlite_sessions, evidence_id).uploaded)
    finally:
        uploader.stop()
    assert not local.exists(_row(sqlite_sessions, evidence_id).key)


def test_keep_local_keeps_both_copies_until_dropped(
    sqlite_sessions: sessionmaker[Session],
    local: LocalEvidenceStore,
    remote: S3EvidenceStore,
    clip: Path,
) -> None:
    archive = EvidenceArchive(local, remote, keep_local=True)
    evidence_id = _add(sqlite_sessions, archive, clip)
    archive.upload_pending(sqlite_sessions)
    row = _row(sqlite_sessions, evidence_id)
    assert local.exists(row.key) and remote.exists(row.key)
    assert archive.store_for(row) is local
    assert archive.drop_local_copy(row)
    assert not local.exists(row.key)
    assert archive.store_for(row) is remote
