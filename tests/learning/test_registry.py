"""Model registry: register, promote (refused when worse unless forced), roll back."""

from __future__ import annotations

import math

import pytest
from registry_helpers import DOWN, LONG, UP, comparison, heldout
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shopguard.behavior.model import ModelLoadError
from shopguard.privacy.audit import Actor
from shopguard.registry.files import ModelFileError, ModelFiles
from shopguard.registry.policy import worse_reasons
from shopguard.registry.store import (
    PromotionRefused,
    RegistryError,
    active_version,
    camera_threshold,
    get_version,
    list_versions,
    promote,
    register,
    rollback,
    seed,
    set_thresholds,
)
from shopguard.storage.evidence import LocalEvidenceStore
from shopguard.storage.models import AuditEntry, ModelStatus


@pytest.fixture
def files(tmp_path):
    return ModelFiles(tmp_path / "data")


def test_register_stores_the_file_and_its_metadata(db_sessions, files, tmp_path):
    with db_sessions.begin() as s:
        row = register(s, files, UP, created_by="alice", training_data={"clips": 3})
        assert (row.version, row.status, row.kind) == ("v1", ModelStatus.CANDIDATE, "behavior")
        assert row.thresholds == {"default": 0.55, "cameras": {}}
        assert row.training_data == {"clips": 3, "description": "none (test model)"}
        assert register(s, files, DOWN).version == "v2"
        assert register(s, files, LONG, version="winter-2026").version == "winter-2026"
        with pytest.raises(RegistryError, match="already exists"):
            register(s, files, LONG, version="v2")
        with pytest.raises(RegistryError, match="letters, digits"):
            register(s, files, LONG, version="../x")
    stored = tmp_path / "data" / "models" / "v1.onnx"
    assert stored.read_bytes() == UP.read_bytes()
    assert files.path(row.file_key, row.sha256) == stored
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"nope")
    with db_sessions.begin() as s, pytest.raises(ModelLoadError):
        register(s, files, bad)
    with db_sessions() as s:
        assert [r.version for r in list_versions(s)] == ["winter-2026", "v2", "v1"]


def test_a_changed_file_is_refused_and_a_missing_one_comes_from_the_object_store(tmp_path):
    remote = LocalEvidenceStore(tmp_path / "bucket")  # any EvidenceStore: here a folder
    files = ModelFiles(tmp_path / "node-a", remote)
    info = files.put("models/v1.onnx", UP)
    other = ModelFiles(tmp_path / "node-b", remote)  # an edge node without the file
    assert other.path(info.key, info.sha256 or "").read_bytes() == UP.read_bytes()
    (tmp_path / "node-a" / "models" / "v1.onnx").write_bytes(b"tampered")
    with pytest.raises(ModelFileError, match="sha256"):
        files.path(info.key, info.sha256 or "")
    with pytest.raises(ModelFileError, match="not in"):
        ModelFiles(tmp_path / "node-c").path(info.key, info.sha256 or "")


def test_promotion_needs_a_comparison_or_a_reason(db_sessions, files):
    with db_sessions.begin() as s:
        register(s, files, UP)
        first = promote(s, "v1", by="alice")  # nothing active yet: nothing to compare with
        assert first.status == ModelStatus.ACTIVE and first.forced_reason is None
        register(s, files, DOWN)
        with pytest.raises(PromotionRefused, match="never compared"):
            promote(s, "v2", by="alice")
        with pytest.raises(PromotionRefused):
            promote(s, "v2", by="alice", force_reason="   ")
        forced = promote(s, "v2", by="bob", force_reason="night shift only, see ticket 12")
        assert forced.forced_reason == "night shift only, see ticket 12"
        assert forced.promoted_by == "bob" and forced.promoted_at is not None
        assert get_version(s, "v1").status == ModelStatus.RETIRED
        with pytest.raises(RegistryError, match="already active"):
            promote(s, "v2", by="bob")
    with db_sessions() as s:
        audit = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(a.action, a.target_id, a.username) for a in audit] == [
            ("model.register", "v1", "system"), ("model.promote", "v1", "alice"),
            ("model.register", "v2", "system"), ("model.promote", "v2", "bob")]
        assert audit[0].detail["sha256"] == get_version(s, "v1").sha256
        assert audit[3].detail["previous"] == "v1" and audit[3].detail["refusals"]


def test_a_worse_candidate_is_refused_and_a_better_one_promoted(db_sessions, files):
    with db_sessions.begin() as s:
        register(s, files, UP)
        promote(s, "v1", by="alice")
        register(s, files, DOWN, metrics=comparison("v1", heldout(0.60, 0.9, 1.0),
                                                    heldout(0.75, 0.9, 1.0)))
        with pytest.raises(PromotionRefused, match=r"PR-AUC 0\.600") as refused:
            promote(s, "v2", by="alice")
        assert len(refused.value.reasons) == 1
        register(s, files, LONG, metrics=comparison("v1", heldout(0.74, 0.9, 1.1),
                                                    heldout(0.75, 0.9, 1.0)))
        better = promote(s, "v3", by="alice")  # within tolerance on every metric
        assert better.status == ModelStatus.ACTIVE and better.forced_reason is None
        register(s, files, UP, version="v4",
                 metrics=comparison("v1", heldout(0.9, 0.9, 0.5), heldout(0.75, 0.9, 1.0)))
        with pytest.raises(PromotionRefused, match="v3 is active now"):
            promote(s, "v4", by="alice")  # compared with v1, but v3 is active


def test_rollback_walks_back_through_the_promotions(db_sessions, files):
    with db_sessions.begin() as s:
        for path in (UP, DOWN, LONG):
            row = register(s, files, path)
            promote(s, row.version, by="alice", force_reason="test")
        assert rollback(s, by="carol").version == "v2"
        withdrawn = get_version(s, "v3")
        assert withdrawn.status == ModelStatus.RETIRED and withdrawn.promoted_at is None
        assert rollback(s, by="carol").version == "v1"
        with pytest.raises(RegistryError, match="no earlier active model"):
            rollback(s, by="carol")
        assert active_version(s).version == "v1"


def test_the_database_allows_one_active_version(db_sessions, files):
    with db_sessions.begin() as s:
        register(s, files, UP)
        register(s, files, DOWN)
        promote(s, "v1", by="alice")
    with pytest.raises(IntegrityError), db_sessions.begin() as s:
        get_version(s, "v2").status = ModelStatus.ACTIVE


def test_thresholds_per_camera(db_sessions, files):
    carol = Actor(7, "carol", "10.0.0.9")
    with db_sessions.begin() as s:
        register(s, files, UP, created_by="alice")
        default = get_version(s, "v1").thresholds["default"]
        row = set_thresholds(s, "v1", {"default": 0.5, "cameras": {"door": 0.7},
                                       "max_false_per_hour": 0.5}, actor=carol)
        assert camera_threshold(row.thresholds, "door") == 0.7
        assert camera_threshold(row.thresholds, "till") == 0.5
        with pytest.raises(RegistryError, match="door"):
            set_thresholds(s, "v1", {"cameras": {"door": 1.5}}, actor=carol)
    assert camera_threshold({"cameras": {}}, "door") is None
    with db_sessions() as s:  # who changed what, from what, is in the audit log
        audit = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(a.action, a.username, a.ip) for a in audit] == [
            ("model.register", "alice", ""), ("model.thresholds", "carol", "10.0.0.9")]
        assert audit[1].detail == {"before": {"default": default, "cameras": {}},
                                   "after": {"default": 0.5, "cameras": {"door": 0.7}}}


def test_seed_registers_the_configured_model_once(db_sessions, files, tmp_path):
    with db_sessions.begin() as s:
        assert seed(s, files, tmp_path / "missing.onnx") is None
        assert seed(s, files, UP) == "v1"
        assert seed(s, files, DOWN) is None
        assert active_version(s).version == "v1"


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (heldout(0.745, 0.86, 1.2), []),
        (heldout(0.739, 0.9, 1.0), ["PR-AUC"]),
        (heldout(0.75, 0.849, 1.0), ["event recall"]),
        (heldout(0.75, 0.9, 1.21), ["false alerts"]),
        (heldout(0.5, 0.5, 9.0), ["PR-AUC", "event recall", "false alerts"]),
        (heldout(0.9, 0.9, 0.1, events=0), ["no theft event"]),
    ],
)
def test_worse_is_defined_metric_by_metric(candidate, expected):
    reasons = worse_reasons(candidate, heldout(0.75, 0.9, 1.0))
    assert len(reasons) == len(expected)
    assert all(word in reason for word, reason in zip(expected, reasons, strict=True))


def test_undefined_metrics_are_not_compared_but_a_missing_one_is_worse():
    both_nan = heldout(math.nan, 0.9, math.nan)
    assert worse_reasons(both_nan, both_nan) == []
    assert "false alerts" in worse_reasons(heldout(0.8, 0.9, math.nan),
                                           heldout(0.8, 0.9, 1.0))[0]
