"""Reviewed events and missed-theft reports become labelled pose clips."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from tracks_factory import T0, frames

from shopguard.feedback.track_log import TrackLog
from shopguard.storage.evidence import EvidenceArchive, LocalEvidenceStore
from shopguard.storage.models import EvidenceKind, MissedReport, ReviewStatus, User, Zone
from shopguard.storage.repository import add_review, create_event, ensure_camera
from shopguard.training.datasets import read_clip, read_native_dir
from shopguard.training.feedback import collect, write_zip
from shopguard.vision.tracks_jsonl import frame_record


def at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def poses_document(event_id: str, track_id: int, t0: float, seconds: float) -> dict:
    """A ``poses`` evidence file as the evidence recorder writes it (two people)."""
    return {"format": "shopguard.poses/1", "event_id": event_id, "camera_id": "door",
            "track_id": track_id,
            "frames": [frame_record(i, t, tr)
                       for i, (t, tr) in enumerate(frames([track_id, 9], t0, seconds))]}


@pytest.fixture
def store(sqlite_sessions, tmp_path):
    archive = EvidenceArchive(LocalEvidenceStore(tmp_path / "evidence"))
    with sqlite_sessions.begin() as s:
        ensure_camera(s, "door")
        ensure_camera(s, "aisle")
        s.flush()
        s.add(Zone(camera_id="door", name="A", kind="shelf",
                   polygon=[[0, 0], [100, 0], [100, 100]]))
        s.add(User(username="rita", password_hash="x", role="reviewer"))
    return sqlite_sessions, archive


def add_reviewed_event(sessions, archive, tmp_path, decision, start, poses=True) -> str:
    with sessions.begin() as s:
        event = create_event(s, camera_id="door", track_id=3, started_at=at(start),
                             peak_score=0.9, model_version="behavior=v2")
        event.ended_at = at(start + 4)
        if poses:
            path = tmp_path / f"{event.id}.poses.json"
            path.write_text(json.dumps(poses_document(event.id, 3, start - 5, 14)))
            archive.add(s, event, EvidenceKind.POSES, path)
        user = s.query(User).filter_by(username="rita").one()
        add_review(s, event_id=event.id, decision=decision, user_id=user.id,
                   note="red coat, aisle 3")
        return event.id


def test_confirmed_and_dismissed_events_are_labelled_by_the_review(store, tmp_path):
    sessions, archive = store
    confirmed = add_reviewed_event(sessions, archive, tmp_path, ReviewStatus.CONFIRMED, T0)
    dismissed = add_reviewed_event(sessions, archive, tmp_path, ReviewStatus.DISMISSED, T0 + 60)
    add_reviewed_event(sessions, archive, tmp_path, ReviewStatus.ESCALATED, T0 + 120)
    add_reviewed_event(sessions, archive, tmp_path, ReviewStatus.CONFIRMED, T0 + 180,
                       poses=False)
    with sessions() as s:
        result = collect(s, archive, None)
    clips = {c.clip_id: c for c in result.clips}
    assert set(clips) == {f"review-{confirmed}", f"review-{dismissed}"}
    assert result.skipped == {"event without poses": 1}  # escalated is not a label
    good = clips[f"review-{confirmed}"]
    assert len(good) == 70  # 14 s at 5 fps, only the event's track (3), not person 9
    inside = (good.timestamps >= T0) & (good.timestamps <= T0 + 4)
    assert good.labels[inside].all() and not good.labels[~inside].any()
    np.testing.assert_allclose(good.keypoints[:, 0, 0], 400.0 - 10)  # person 3 at x = 400
    assert good.meta["reviewer"] == "rita" and good.meta["label"] == "confirmed"
    assert good.meta["camera"] == "door" and good.meta["day"] == "2026-05-28"
    assert good.meta["zones"][0]["name"] == "A" and good.meta["fps"] == 5.0
    assert "red coat" not in json.dumps(good.meta)  # review notes never leave
    assert not clips[f"review-{dismissed}"].labels.any()


def test_missed_reports_use_the_track_log(store, tmp_path):
    sessions, archive = store
    log = TrackLog(tmp_path / "tracklog", "door", keep_hours=24)
    for t, tr in frames([5], T0, 20) + frames([5, 6], T0 + 100, 20) + frames([7], T0 + 200, 20):
        log.append(t, tr)
    log.close()
    with sessions.begin() as s:
        rita = s.query(User).filter_by(username="rita").one()
        for since, track in ((T0 + 5, None), (T0 + 105, None), (T0 + 105, 6), (T0 + 205, 8),
                             (T0 + 500, None)):
            s.add(MissedReport(camera_id="door", since=at(since), until=at(since + 5),
                               track_id=track, user_id=rita.id))
    with sessions() as s:
        result = collect(s, archive, tmp_path / "tracklog", margin_s=3)
    assert result.skipped == {"several people in the span and no track id": 1,
                              "track not in the track log": 1,
                              "no poses in the track log": 1}
    alone, named = sorted(result.clips, key=lambda c: c.timestamps[0])
    assert alone.meta["track_id"] == 5 and named.meta["track_id"] == 6
    assert alone.meta["label"] == "missed" and alone.meta["reviewer"] == "rita"
    assert alone.timestamps[0] == pytest.approx(T0 + 2, abs=1e-3)
    assert alone.duration == pytest.approx(11.0)
    inside = (alone.timestamps >= T0 + 5) & (alone.timestamps <= T0 + 10)
    assert alone.labels[inside].all() and not alone.labels[~inside].any()


def test_export_command_writes_native_clips_and_a_zip(store, tmp_path, capsys):
    from shopguard.cli import main

    sessions, archive = store
    add_reviewed_event(sessions, archive, tmp_path, ReviewStatus.CONFIRMED, T0)
    config = tmp_path / "config.yaml"
    db = sessions.kw["bind"].url.database
    config.write_text(f"data_dir: {tmp_path}\ndatabase_url: sqlite:///{db}\n")
    assert main(["dataset", "export-reviews", "--config", str(config),
                 "--out", str(tmp_path / "out")]) == 0
    assert "wrote 1 clips" in capsys.readouterr().out
    (clip,) = read_native_dir(tmp_path / "out")
    assert clip.meta["label"] == "confirmed"
    with sessions() as s:
        result = collect(s, archive, None, cameras=["aisle"])
    assert result.clips == []
    with sessions() as s:
        result = collect(s, archive, None)
    zipped = write_zip(tmp_path / "x.zip", result)
    with zipfile.ZipFile(zipped) as z:
        names = z.namelist()
        z.extractall(tmp_path / "unzipped")
    assert sorted(names) == sorted([f"{result.clips[0].clip_id}.npz", "summary.json"])
    again = read_clip(tmp_path / "unzipped" / names[0] if names[0].endswith(".npz")
                      else tmp_path / "unzipped" / names[1])
    assert len(again) == len(result.clips[0])
    assert json.loads((tmp_path / "unzipped" / "summary.json").read_text())["clips"] == 1


def test_wall_clock_of_a_report(store):
    sessions, _ = store
    with sessions.begin() as s:
        s.add(MissedReport(camera_id="door", since=at(T0), until=at(T0) + timedelta(seconds=3)))
    with sessions() as s:
        (row,) = s.query(MissedReport).all()
        assert row.since.tzinfo is not None and row.note == ""


def test_background_clips_cover_every_track_of_the_log(store, tmp_path):
    sessions, archive = store
    log = TrackLog(tmp_path / "tracklog", "door", keep_hours=24)
    # person 5 alone, then 5 and 6 together after a 20 s gap (a new clip for 5)
    for t, tr in frames([5], T0, 10) + frames([5, 6], T0 + 30, 10):
        log.append(t, tr)
    log.close()
    with sessions.begin() as s:
        s.add(MissedReport(camera_id="door", since=at(T0 + 32), until=at(T0 + 35), track_id=6))
    with sessions() as s:
        result = collect(s, archive, tmp_path / "tracklog", background_hours=1, now=T0 + 100)
        old = collect(s, archive, tmp_path / "tracklog", background_hours=1, now=T0 + 7200)
    background = sorted((c for c in result.clips if c.meta["source"] == "tracklog"),
                        key=lambda c: (c.meta["track_id"], c.timestamps[0]))
    assert [(c.meta["track_id"], len(c)) for c in background] == [(5, 50), (5, 50), (6, 50)]
    assert not background[0].labels.any() and not background[1].labels.any()
    six = background[2]
    inside = (six.timestamps >= T0 + 32) & (six.timestamps <= T0 + 35)
    assert (six.labels == inside).all()  # the reported span of that person is theft
    assert {c.meta["label"] for c in background} == {"background"}
    assert [c.meta["source"] for c in old.clips] == ["review"]  # only the missed report
