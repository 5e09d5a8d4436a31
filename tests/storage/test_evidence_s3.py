"""S3EvidenceStore against moto's S3 server over real HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from shopguard.storage.evidence import (
    EvidenceNotFound,
    InvalidKey,
    S3EvidenceStore,
    UploadError,
)
from shopguard.storage.evidence.base import file_digest
from shopguard.storage.testing import MotoS3

KEY = "door-1/2024/05/01/e1/clip.mp4"


def _bucket() -> str:
    return f"evidence-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def test_put_is_verified_and_readable(moto_s3: MotoS3, clip: Path) -> None:
    store = moto_s3.store(_bucket(), prefix="/shop-7/")
    info = store.put(KEY, clip)
    assert (info.size, info.sha256) == file_digest(clip)
    head = store.client.head_object(Bucket=store.bucket, Key=f"shop-7/{KEY}")
    assert head["Metadata"]["sha256"] == info.sha256
    assert head["ContentType"] == "video/mp4"
    assert store.stat(KEY) == info
    data = clip.read_bytes()
    assert store.read(KEY) == data
    assert store.read(KEY, 100, 200) == data[100:200]
    assert store.read(KEY, 10240) == b""
    assert b"".join(store.iter_range(KEY, 1, None, chunk_size=999)) == data[1:]
    with pytest.raises(ValueError):
        store.iter_range(KEY, 20000)


def test_presigned_url_serves_the_object(moto_s3: MotoS3, clip: Path) -> None:
    store = moto_s3.store(_bucket())
    store.put(KEY, clip)
    url = store.url(KEY, expires_s=60)
    assert url is not None and "X-Amz-Signature" in url
    response = requests.get(url, headers={"Range": "bytes=0-9"}, timeout=5)
    assert response.status_code == 206
    assert response.content == clip.read_bytes()[:10]


def test_missing_object_and_delete(moto_s3: MotoS3, clip: Path) -> None:
    store = moto_s3.store(_bucket())
    with pytest.raises(EvidenceNotFound):
        store.stat(KEY)
    with pytest.raises(EvidenceNotFound):
        store.iter_range(KEY)
    assert not store.exists(KEY)
    store.put(KEY, clip)
    assert store.exists(KEY)
    store.delete(KEY)
    store.delete(KEY)
    assert not store.exists(KEY)


def test_multipart_upload_is_verified_by_sha256(moto_s3: MotoS3, tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x01" * (5 * 1024 * 1024) + b"\x02" * 1024)
    store = moto_s3.store(_bucket(), multipart_threshold=5 * 1024 * 1024)
    info = store.put("cam/big.mp4", big)
    head = store.client.head_object(Bucket=store.bucket, Key="cam/big.mp4")
    assert head["ETag"].strip('"').endswith("-2")  # really multipart
    assert info.size == big.stat().st_size
    assert store.read("cam/big.mp4", info.size - 3) == b"\x02" * 3


def test_failed_upload_retries_with_growing_backoff(moto_s3: MotoS3, clip: Path) -> None:
    waits: list[float] = []
    store = moto_s3.store(_bucket(), attempts=4, backoff_s=1.0, sleep=waits.append)
    store.bucket = "no-such-bucket"
    with pytest.raises(UploadError, match="after 4 tries"):
        store.put(KEY, clip)
    assert len(waits) == 3
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 2.0 <= waits[2] <= 4.0


def test_unsafe_keys_never_reach_the_server(moto_s3: MotoS3, clip: Path) -> None:
    store = moto_s3.store(_bucket())
    for key in ("../x", "/abs", "a/../../b"):
        with pytest.raises(InvalidKey):
            store.put(key, clip)
    assert store.client.list_objects_v2(Bucket=store.bucket).get("KeyCount") == 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="attempts"):
        S3EvidenceStore("b", attempts=0)
