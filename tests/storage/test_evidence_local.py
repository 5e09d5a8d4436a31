"""LocalEvidenceStore on a real directory: round trips, ranges, key safety."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shopguard.storage.evidence import (
    EvidenceNotFound,
    InvalidKey,
    LocalEvidenceStore,
    validate_key,
)
from shopguard.storage.evidence.base import file_digest

KEY = "door-1/2024/05/01/e1/clip.mp4"


@pytest.fixture
def store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "evidence")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def test_put_stat_read_delete(store: LocalEvidenceStore, clip: Path) -> None:
    info = store.put(KEY, clip)
    assert (info.key, info.size, info.sha256) == (KEY, 10240, file_digest(clip)[1])
    assert store.stat(KEY).size == 10240
    assert store.exists(KEY)
    assert store.read(KEY) == clip.read_bytes()
    assert store.url(KEY) is None
    store.delete(KEY)
    assert not store.exists(KEY)
    assert list(store.root.iterdir()) == []  # empty key directories are removed
    store.delete(KEY)  # deleting again is fine


def test_ranges(store: LocalEvidenceStore, clip: Path) -> None:
    store.put(KEY, clip)
    data = clip.read_bytes()
    assert store.read(KEY, 10, 20) == data[10:20]
    assert store.read(KEY, 10240) == b""
    assert store.read(KEY, 10000, 99999) == data[10000:]
    assert b"".join(store.iter_range(KEY, 5, 9000, chunk_size=1000)) == data[5:9000]
    with pytest.raises(ValueError, match="not satisfiable"):
        store.iter_range(KEY, 10241)
    with pytest.raises(ValueError):
        store.iter_range(KEY, 20, 10)
    with pytest.raises(EvidenceNotFound):
        store.iter_range("door-1/missing.mp4")  # raised before iteration starts
    with pytest.raises(EvidenceNotFound):
        store.stat("door-1/missing.mp4")


def test_put_replaces_atomically_and_leaves_no_temp_files(
    store: LocalEvidenceStore, clip: Path, tmp_path: Path
) -> None:
    store.put(KEY, clip)
    other = tmp_path / "other.mp4"
    other.write_bytes(b"new")
    assert store.put(KEY, other).size == 3
    assert store.read(KEY) == b"new"
    assert [p.name for p in store.path(KEY).parent.iterdir()] == ["clip.mp4"]


def test_put_of_a_file_already_in_place_only_hashes(store: LocalEvidenceStore) -> None:
    target = store.path("cam/snap.jpg")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"jpeg")
    assert store.put("cam/snap.jpg", target).size == 4
    assert target.read_bytes() == b"jpeg"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        "a//b",
        "a/",
        ".hidden",
        "a\\b",
        "a/b c",
        "a\x00b",
        "é/x",
        "a/" + "b" * 200,
        "x" * 513,
    ],
)
def test_unsafe_keys_are_refused(store: LocalEvidenceStore, clip: Path, key: str) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)
    with pytest.raises(InvalidKey):
        store.put(key, clip)
    with pytest.raises(InvalidKey):
        store.stat(key)


def test_symlinked_directory_is_refused(
    store: LocalEvidenceStore, clip: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, store.root / "cam")
    with pytest.raises(InvalidKey, match="symlink"):
        store.read("cam/secret.txt")
    with pytest.raises(InvalidKey, match="symlink"):
        store.put("cam/clip.mp4", clip)
    assert not store.exists("cam/secret.txt")
    store.delete("cam/secret.txt")  # removes the planted link, never what it points to
    assert not (store.root / "cam").is_symlink()
    assert (outside / "secret.txt").read_text() == "secret"
    assert not (outside / "clip.mp4").exists()


def test_symlinked_file_is_refused(store: LocalEvidenceStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (store.root / "cam").mkdir()
    os.symlink(secret, store.root / "cam" / "clip.mp4")
    with pytest.raises(InvalidKey):
        store.read("cam/clip.mp4")
    assert not store.exists("cam/nothing.mp4")
