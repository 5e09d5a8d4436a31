"""Evidence in a directory on the local disk."""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from shopguard.storage.evidence.base import (
    CHUNK,
    EvidenceNotFound,
    EvidenceStore,
    InvalidKey,
    ObjectInfo,
    check_range,
    file_digest,
    validate_key,
)
from shopguard.storage.models import StoreKind


class LocalEvidenceStore(EvidenceStore):
    """Objects as files under ``root``; writes are atomic (temp file + rename).

    Keys never leave ``root``: they are validated, and a symlink anywhere on the path is
    refused, so a link planted in the store cannot expose or overwrite other files.

    Example:
        >>> store = LocalEvidenceStore(tmp_path)  # doctest: +SKIP
        >>> store.put("cam/e1/clip.mp4", Path("clip.mp4")).size  # doctest: +SKIP
        10240
    """

    kind = StoreKind.LOCAL

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file of ``key`` (which may not exist yet); ``InvalidKey`` if unsafe."""
        link = self._first_link(key)
        if link is not None:
            raise InvalidKey(f"evidence key {key!r} goes through a symlink ({link})")
        return self.root / key

    def _first_link(self, key: str) -> Path | None:
        """The first symlink on the path of ``key`` (validated) under ``root``, if any."""
        current = self.root
        for part in validate_key(key).split("/"):
            current = current / part
            if current.is_symlink():
                return current
        return None

    def put(self, key: str, path: Path) -> ObjectInfo:
        target = self.path(key)
        source = Path(path)
        if source.resolve() == target:
            size, sha = file_digest(target)
            return ObjectInfo(key, size, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path(key)  # the directories just made may not be links either
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            with source.open("rb") as src, tmp.open("xb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
                dst.flush()
                os.fsync(dst.fileno())
            size, sha = file_digest(tmp)
            if size != source.stat().st_size:
                raise OSError(f"copy of {source} is {size} bytes, source changed while copying")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return ObjectInfo(key, size, sha)

    def stat(self, key: str) -> ObjectInfo:
        try:
            st = self.path(key).lstat()
        except FileNotFoundError:
            raise EvidenceNotFound(key) from None
        if not stat.S_ISREG(st.st_mode):
            raise EvidenceNotFound(f"{key} is not a regular file")
        return ObjectInfo(key, st.st_size, None)

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK
    ) -> Iterator[bytes]:
        path = self.path(key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise EvidenceNotFound(key) from None
        f = os.fdopen(fd, "rb")
        try:
            start, stop = check_range(os.fstat(fd).st_size, start, end)
        except ValueError:
            f.close()
            raise
        return _chunks(f, start, stop, chunk_size)

    def delete(self, key: str) -> None:
        """Remove ``key``; a symlink planted on its path is removed itself, never what it
        points to (so retention deletes the row and goes on)."""
        path = self._first_link(key) or self.path(key)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _chunks(f: BinaryIO, start: int, stop: int, chunk_size: int) -> Iterator[bytes]:
    with f:
        f.seek(start)
        remaining = stop - start
        while remaining > 0 and (chunk := f.read(min(chunk_size, remaining))):
            remaining -= len(chunk)
            yield chunk
