"""Evidence in an S3-compatible bucket (AWS S3, IBM Cloud Object Storage, MinIO) via boto3."""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shopguard.storage.evidence.base import (
    CHUNK,
    EvidenceNotFound,
    EvidenceStore,
    ObjectInfo,
    UploadError,
    check_range,
    file_digest,
    validate_key,
)
from shopguard.storage.models import StoreKind

log = logging.getLogger(__name__)

SHA256_META = "sha256"
MULTIPART_THRESHOLD = 64 * 1024 * 1024
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3EvidenceStore(EvidenceStore):
    """Objects in ``bucket`` under ``prefix``, authenticated with HMAC keys.

    Every upload is verified with a HEAD request: the length must match, the ``sha256``
    metadata must match the file's, and for single-part uploads the ETag must equal the
    MD5. Failed uploads are retried ``attempts`` times with exponential backoff and jitter,
    then raise ``UploadError``. Non-AWS endpoints use path-style addressing.

    Example:
        >>> store = S3EvidenceStore("evidence", endpoint_url="https://s3.eu-de.cloud-object-"
        ...     "storage.appdomain.cloud", access_key="…", secret_key="…")  # doctest: +SKIP
    """

    kind = StoreKind.S3

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        prefix: str = "",
        *,
        attempts: int = 3,
        backoff_s: float = 0.5,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if attempts < 1:
            raise ValueError("attempts must be ≥ 1")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._attempts, self._backoff_s, self._sleep = attempts, backoff_s, sleep
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=multipart_threshold
        )
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            connect_timeout=connect_timeout_s,
            read_timeout=read_timeout_s,
            retries={"total_max_attempts": 1},
            # S3-compatible stores (IBM COS, older MinIO) reject the newer default checksums.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=config,
        )

    def _key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def put(self, key: str, path: Path) -> ObjectInfo:
        size, sha = file_digest(Path(path))
        last: Exception | None = None
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
            try:
                self._upload(key, Path(path), size, sha)
                return ObjectInfo(key, size, sha)
            except (BotoCoreError, ClientError, UploadError, OSError) as exc:
                log.warning(
                    "upload of %s failed (try %d/%d): %s", key, attempt + 1, self._attempts, exc
                )
                last = exc
        raise UploadError(f"upload of {key} failed after {self._attempts} tries: {last}") from last

    def _upload(self, key: str, path: Path, size: int, sha: str) -> None:
        full_key = self._key(key)
        extra = {"Metadata": {SHA256_META: sha}, "ContentType": _content_type(key)}
        md5: str | None = None
        if size < self._transfer.multipart_threshold:
            digest = _md5(path)
            md5 = digest.hexdigest()
            with path.open("rb") as body:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=full_key,
                    Body=body,
                    ContentLength=size,
                    ContentMD5=base64.b64encode(digest.digest()).decode(),
                    **extra,
                )
        else:
            self.client.upload_file(
                str(path), self.bucket, full_key, ExtraArgs=extra, Config=self._transfer
            )
        head = self.client.head_object(Bucket=self.bucket, Key=full_key)
        if head["ContentLength"] != size:
            raise UploadError(f"{key}: stored {head['ContentLength']} bytes, sent {size}")
        if head.get("Metadata", {}).get(SHA256_META) != sha:
            raise UploadError(f"{key}: stored sha256 metadata does not match the file")
        if md5 is not None and head.get("ETag", "").strip('"') != md5:
            raise UploadError(f"{key}: ETag {head.get('ETag')} is not the file's MD5 {md5}")

    def stat(self, key: str) -> ObjectInfo:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _is_not_found(exc):
                raise EvidenceNotFound(key) from None
            raise
        return ObjectInfo(key, head["ContentLength"], head.get("Metadata", {}).get(SHA256_META))

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK
    ) -> Iterator[bytes]:
        start, stop = check_range(self.stat(key).size, start, end)
        if start == stop:
            return iter(())
        try:
            body = self.client.get_object(
                Bucket=self.bucket, Key=self._key(key), Range=f"bytes={start}-{stop - 1}"
            )["Body"]
        except ClientError as exc:
            if _is_not_found(exc):
                raise EvidenceNotFound(key) from None
            raise
        return _chunks(body, chunk_size)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url(self, key: str, expires_s: int = 3600) -> str | None:
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self._key(key)},
                ExpiresIn=expires_s,
            )
        )


def _chunks(body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    finally:
        body.close()


def _md5(path: Path) -> Any:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest


def _is_not_found(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    return str(error.get("Code")) in _NOT_FOUND


def _content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"
