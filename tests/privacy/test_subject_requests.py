"""Data-subject requests on a real database with evidence in a local spool and in S3
(moto): search, export as ZIP, erase everywhere, each audited."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.core import Poses, Tracks
from shopguard.feedback.track_log import TrackLog
from shopguard.privacy.audit import Actor, AuditFilter, select_entries
from shopguard.privacy.subjects import LocalFiles, SubjectQuery, erase, export_zip, search
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import (
    AlertDelivery,
    AuditEntry,
    Event,
    EventStatus,
    EvidenceKind,
    EvidenceObject,
    MissedReport,
    Review,
    ReviewStatus,
)
from shopguard.storage.repository import add_review, create_event
from shopguard.storage.testing import MotoS3

DAY = datetime(2026, 5, 1, tzinfo=UTC)
ADMIN = Actor(1, "alice", "10.0.0.5", "test")
WINDOW = SubjectQuery("door-1", DAY + timedelta(hours=14), DAY + timedelta(hours=14, minutes=30))
REASON = "right hand at waistband for 2.1 s after reaching into shelf zone A"


@dataclass
class Shop:
    sessions: sessionmaker[Session]
    archive: EvidenceArchive
    ids: dict[str, str]
    files: LocalFiles


def _someone(x: float) -> Tracks:
    kps = np.full((1, 17, 3), 0.9, np.float32)
    poses = Poses(np.asarray([[x, 10, x + 40, 120]], np.float32), np.ones(1, np.float32), kps)
    return Tracks(poses, np.asarray([3]))


def _track_log(root: Path) -> None:
    """Poses at 13:59:30, 14:10:00 and 14:10:20 (one minute segment), and 15:00:00."""
    log = TrackLog(root, "door-1", keep_hours=10_000)
    for minutes in (13 * 60 + 59.5, 14 * 60 + 10, 14 * 60 + 10 + 1 / 3, 15 * 60):
        log.append((DAY + timedelta(minutes=minutes)).timestamp(), _someone(minutes))
    log.close()


def _event(s: Session, archive: EvidenceArchive, tmp: Path, camera: str, hour: float,
           closed: bool = True) -> Event:
    start = DAY + timedelta(hours=hour)
    event = create_event(s, camera_id=camera, track_id=3, started_at=start, peak_score=0.9,
                         reasons=[{"code": "conceal", "text": REASON, "t_start": 1.0,
                                   "t_end": 3.1, "weight": 0.6}])
    if closed:
        event.status, event.ended_at = EventStatus.CLOSED, start + timedelta(seconds=40)
    for kind, suffix, data in ((EvidenceKind.CLIP, ".mp4", b"clip-" + event.id.encode() * 50),
                               (EvidenceKind.SNAPSHOT, ".jpg", b"jpeg-" + event.id.encode()),
                               (EvidenceKind.POSES, ".json", b'{"frames": []}')):
        path = tmp / f"{event.id}-{kind.value}{suffix}"
        path.write_bytes(data)
        archive.add(s, event, kind, path)
    s.add(AlertDelivery(event_id=event.id, channel="sms", idempotency_key=f"{event.id}:sms",
                        payload={"event_id": event.id, "reason": REASON}))
    return event


@pytest.fixture
def shop(db_sessions: sessionmaker[Session], moto_s3: MotoS3, tmp_path: Path) -> Shop:
    remote = moto_s3.store(f"evidence-{uuid.uuid4().hex[:8]}")
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"), remote)
    ids = {}
    with db_sessions.begin() as s:
        ids["uploaded"] = _event(s, archive, tmp_path, "door-1", 14.1).id
    assert len(archive.upload_pending(db_sessions).uploaded) == 3  # now only in S3
    with db_sessions.begin() as s:
        confirmed = _event(s, archive, tmp_path, "door-1", 14.3)  # stays in the local spool
        add_review(s, event_id=confirmed.id, decision=ReviewStatus.CONFIRMED, user_id=None,
                   note="man in red jacket")
        ids["confirmed"] = confirmed.id
        ids["open"] = _event(s, archive, tmp_path, "door-1", 14.45, closed=False).id
        ids["later"] = _event(s, archive, tmp_path, "door-1", 16.0).id
        ids["other_camera"] = _event(s, archive, tmp_path, "till", 14.2).id
        for start, end in ((14.2, 14.25), (17.0, 17.1)):
            s.add(MissedReport(camera_id="door-1", since=DAY + timedelta(hours=start),
                               until=DAY + timedelta(hours=end), note=f"missed at {start}"))
    files = LocalFiles(tmp_path / "spool" / "door-1", tmp_path / "tracklog")
    assert files.spool_dir is not None
    files.spool_dir.mkdir(parents=True)
    (files.spool_dir / f"{ids['confirmed']}.jpg").write_bytes(b"pending snapshot")
    _track_log(tmp_path / "tracklog")
    return Shop(db_sessions, archive, ids, files)


def test_search_finds_the_window_of_one_camera(shop: Shop) -> None:
    found = search(shop.sessions, WINDOW, ADMIN)
    assert [e.id for e in found] == [shop.ids[k] for k in ("uploaded", "confirmed", "open")]
    with shop.sessions() as s:
        entry = s.scalars(select_entries(AuditFilter(action="subject_search"))).one()
    assert entry.username == "alice" and entry.detail["events"] == 3


def test_export_zip_holds_evidence_from_every_store(shop: Shop) -> None:
    out = io.BytesIO()
    report = export_zip(shop.sessions, shop.archive, WINDOW, out, ADMIN, shop.files)
    assert report.files == 9 and not report.missing
    assert (report.missed_reports, report.track_log_frames) == (1, 2)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        names = set(zf.namelist())
        uploaded = shop.ids["uploaded"]
        assert {"README.txt", "request.json", f"events/{uploaded}/event.json",
                f"events/{uploaded}/clip.mp4", f"events/{uploaded}/snapshot.jpg",
                f"events/{uploaded}/poses.json"} <= names
        assert zf.read(f"events/{uploaded}/clip.mp4") == b"clip-" + uploaded.encode() * 50
        record = json.loads(zf.read(f"events/{shop.ids['confirmed']}/event.json"))
        assert record["reasons"][0]["text"] == REASON
        assert record["reviews"] == [{"decision": "confirmed", "at": record["reviews"][0]["at"],
                                      "note": "man in red jacket"}]
        assert json.loads(zf.read("request.json"))["camera"] == "door-1"
        missed = json.loads(zf.read("missed_reports.json"))
        assert [m["note"] for m in missed] == ["missed at 14.2"]
        frames = [json.loads(line) for line in zf.read("track_log.jsonl").splitlines()]
        assert [f["t"] for f in frames] == [
            round((DAY + timedelta(minutes=m)).timestamp(), 4) for m in (850, 850 + 1 / 3)]
        assert not any(shop.ids[k] in n for n in names for k in ("later", "other_camera"))
    with shop.sessions() as s:
        entry = s.scalars(select_entries(AuditFilter(action="export"))).one()
    assert entry.detail["events"] == report.events and entry.detail["files"] == 9


def _objects(shop: Shop, event_id: str) -> list[EvidenceObject]:
    with shop.sessions() as s:
        return list(s.scalars(select(EvidenceObject).where(EvidenceObject.event_id == event_id)))


def test_erase_removes_everything_everywhere_and_keeps_only_ids_in_the_audit(
        shop: Shop) -> None:
    gone = [shop.ids["uploaded"], shop.ids["confirmed"]]
    keys = {e: [(r.key, r.uploaded) for r in _objects(shop, e)] for e in gone}
    remote, local = shop.archive.remote, shop.archive.local
    assert remote is not None
    assert all(remote.exists(k) for k, up in keys[gone[0]])  # only in S3 before
    assert all(local.exists(k) for k, up in keys[gone[1]])

    segments_before = sorted(p.name for p in (shop.files.track_log_root or Path())
                             .rglob("*.jsonl.gz"))
    assert segments_before == ["135900.jsonl.gz", "141000.jsonl.gz", "150000.jsonl.gz"]
    report = erase(shop.sessions, shop.archive, WINDOW, ADMIN, shop.files)

    assert report.erased == gone and report.skipped_open == [shop.ids["open"]]
    assert dict(report.objects) == {"clip": 2, "snapshot": 2, "poses": 2}
    assert report.deliveries == 2 and report.reviews == 1 and report.spool_files == 1
    assert (report.missed_reports, report.track_log_segments) == (1, 1)
    assert sorted(p.name for p in (shop.files.track_log_root or Path()).rglob("*.jsonl.gz")) \
        == ["135900.jsonl.gz", "150000.jsonl.gz"]
    for event_id in gone:
        for key, _ in keys[event_id]:
            assert not remote.exists(key) and not local.exists(key)
    assert shop.files.spool_dir is not None and not list(shop.files.spool_dir.iterdir())
    with shop.sessions() as s:
        for model, column in ((Event, Event.id), (EvidenceObject, EvidenceObject.event_id),
                              (Review, Review.event_id),
                              (AlertDelivery, AlertDelivery.event_id)):
            left = s.scalar(select(func.count()).select_from(model).where(column.in_(gone)))
            assert left == 0, model.__name__
        kept = s.scalars(select(Event.id).order_by(Event.started_at)).all()
        assert s.scalars(select(MissedReport.note)).all() == ["missed at 17.0"]
        assert set(kept) == {shop.ids[k] for k in ("open", "later", "other_camera")}
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")
                                 .order_by(AuditEntry.id)))
    assert [(e.target_type, e.target_id) for e in entries] == [
        ("event", gone[0]), ("event", gone[1]), ("subject_request", "door-1")]
    assert all(e.username == "alice" for e in entries)
    assert entries[0].detail["objects"] == {"clip": 1, "snapshot": 1, "poses": 1}
    assert entries[2].detail["events"] == gone
    text = json.dumps([e.detail for e in entries])
    for personal in (REASON, "man in red jacket", "0.9", "clip-", "missed at"):
        assert personal not in text
    # the open event and the other events still have their evidence
    assert len(_objects(shop, shop.ids["open"])) == 3
    assert len(_objects(shop, shop.ids["other_camera"])) == 3


def test_query_is_checked() -> None:
    with pytest.raises(ValueError, match="before"):
        SubjectQuery("door-1", DAY, DAY)
    with pytest.raises(ValueError, match="zone"):
        SubjectQuery("door-1", datetime(2026, 1, 1), datetime(2026, 1, 2))
