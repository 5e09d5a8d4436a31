"""The ``EvidenceStore`` interface, key rules and the errors every store raises."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shopguard.storage.models import StoreKind

CHUNK = 256 * 1024
MAX_KEY_LENGTH = 512
_PART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class EvidenceError(Exception):
    """Base class of evidence store errors."""


class InvalidKey(EvidenceError, ValueError):
    """A key that could escape the store (absolute, ``..``, odd characters, symlink)."""


class EvidenceNotFound(EvidenceError, LookupError):
    """No object under that key."""


class UploadError(EvidenceError):
    """An upload failed or could not be verified; the local copy must be kept."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a store knows about one object; ``sha256`` is ``None`` where it is not recorded."""

    key: str
    size: int
    sha256: str | None


def validate_key(key: str) -> str:
    """``key`` if it is a relative POSIX path of safe parts, else raise ``InvalidKey``.

    Each ``/``-separated part starts with a letter or digit and holds only letters, digits,
    ``.``, ``_`` and ``-``; so no absolute paths, no ``..``, no hidden temp files.

    Example:
        >>> validate_key("door-1/2024/05/01/abc/clip.mp4")
        'door-1/2024/05/01/abc/clip.mp4'
    """
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"evidence key must be 1–{MAX_KEY_LENGTH} characters: {key!r}")
    for part in key.split("/"):
        if not _PART_RE.match(part):
            raise InvalidKey(f"unsafe evidence key {key!r} (part {part!r})")
    return key


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and hex sha256 of a file."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def check_range(size: int, start: int, end: int | None) -> tuple[int, int]:
    """The byte range ``[start, end)`` clamped to ``size``; ``ValueError`` if unsatisfiable."""
    stop = size if end is None else min(end, size)
    if start < 0 or start > size or stop < start:
        raise ValueError(f"byte range [{start}, {end}) not satisfiable for {size} bytes")
    return start, stop


class EvidenceStore(ABC):
    """Where evidence bytes live. Keys are checked with ``validate_key``.

    Ranges are ``[start, end)`` in bytes (an HTTP ``Range: bytes=a-b`` is ``[a, b + 1)``).
    """

    kind: StoreKind

    @abstractmethod
    def put(self, key: str, path: Path) -> ObjectInfo:
        """Store the file at ``path`` under ``key`` (replacing it) and verify the copy."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Size (and sha256 if known) of ``key``; ``EvidenceNotFound`` if absent."""

    @abstractmethod
    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK
    ) -> Iterator[bytes]:
        """The bytes ``[start, end)`` of ``key`` in chunks (``end=None``: to the end).

        ``EvidenceNotFound`` and ``ValueError`` (range) are raised by the call itself, before
        any chunk is produced, so an HTTP handler can answer 404/416 first.
        """

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key`` (never under an unsafe key)."""
        try:
            self.stat(key)
        except (EvidenceNotFound, InvalidKey):
            return False
        return True

    def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """The bytes ``[start, end)`` of ``key`` at once (for small objects)."""
        return b"".join(self.iter_range(key, start, end))

    def url(self, key: str, expires_s: int = 3600) -> str | None:
        """A time-limited URL a browser can fetch directly, if the store offers one."""
        validate_key(key)
        return None
