"""An event's evidence across the local spool and an optional remote store.

Clips and snapshots are always written to the local store first, so an alert never
waits for an upload and a network outage loses nothing. With a remote store the row
keeps ``uploaded=False`` until a verified upload; then the local copy is dropped
(unless ``keep_local``). ``EvidenceUploader`` retries pending uploads in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shopguard.storage.background import WakeableLoop
from shopguard.storage.evidence.base import (
    CHUNK,
    EvidenceError,
    EvidenceStore,
    ObjectInfo,
    UploadError,
    validate_key,
)
from shopguard.storage.evidence.local import LocalEvidenceStore
from shopguard.storage.models import Event, EvidenceKind, EvidenceObject
from shopguard.storage.repository import add_evidence

log = logging.getLogger(__name__)


def evidence_key(event: Event, kind: EvidenceKind, suffix: str) -> str:
    """``<camera>/<YYYY>/<MM>/<DD>/<event id>/<kind><suffix>``, e.g. ``…/clip.mp4``."""
    day = event.started_at.strftime("%Y/%m/%d")
    return validate_key(f"{event.camera_id}/{day}/{event.id}/{EvidenceKind(kind).value}{suffix}")


@dataclass(slots=True)
class UploadReport:
    """Ids of the evidence rows uploaded and of those that failed (kept local for later)."""

    uploaded: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class EvidenceArchive:
    """Adds, reads, uploads and deletes an event's evidence objects.

    Example:
        >>> archive = EvidenceArchive(LocalEvidenceStore("var/evidence"))  # doctest: +SKIP
        >>> with sessions.begin() as s:  # doctest: +SKIP
        ...     row = archive.add(s, event, EvidenceKind.CLIP, Path("/tmp/clip.mp4"))
    """

    def __init__(
        self,
        local: LocalEvidenceStore,
        remote: EvidenceStore | None = None,
        *,
        keep_local: bool = False,
    ):
        self.local, self.remote, self.keep_local = local, remote, keep_local

    def add(
        self,
        session: Session,
        event: Event,
        kind: EvidenceKind,
        path: Path,
        *,
        key: str | None = None,
    ) -> EvidenceObject:
        """Copy ``path`` into the local store and record it (``uploaded=False`` if remote)."""
        key = key or evidence_key(event, kind, Path(path).suffix.lower())
        info = self.local.put(key, Path(path))
        return add_evidence(
            session,
            event_id=event.id,
            kind=kind,
            store=(self.remote or self.local).kind,
            key=key,
            size=info.size,
            sha256=info.sha256 or "",
            uploaded=self.remote is None,
        )

    def has_local_copy(self, row: EvidenceObject) -> bool:
        return self.local.exists(row.key)

    def store_for(self, row: EvidenceObject) -> EvidenceStore:
        """The store to read ``row`` from: the local copy while there is one."""
        if row.store == self.local.kind or not row.uploaded or self.has_local_copy(row):
            return self.local
        if self.remote is None or row.store != self.remote.kind:
            raise UploadError(f"evidence {row.id} is in {row.store}, which is not configured")
        return self.remote

    def stat(self, row: EvidenceObject) -> ObjectInfo:
        return self.store_for(row).stat(row.key)

    def iter_range(
        self, row: EvidenceObject, start: int = 0, end: int | None = None, chunk_size: int = CHUNK
    ) -> Iterator[bytes]:
        """Bytes ``[start, end)`` of the object, from wherever it is."""
        return self.store_for(row).iter_range(row.key, start, end, chunk_size)

    def read_key(self, key: str) -> bytes:
        """The whole object under ``key``: the local copy if any, else the remote one.

        For small objects such as the snapshot an e-mail alert attaches.
        """
        if self.remote is None or self.local.exists(key):
            return self.local.read(key)
        return self.remote.read(key)

    def url(self, row: EvidenceObject, expires_s: int = 3600) -> str | None:
        """A presigned URL when the object is served by the remote store."""
        return self.store_for(row).url(row.key, expires_s)

    def _upload(self, row: EvidenceObject) -> bool:
        """Upload one pending row and mark it uploaded; ``False`` (copy kept) on failure."""
        if self.remote is None or row.store != self.remote.kind:
            raise UploadError(f"evidence {row.id} targets {row.store}, which is not configured")
        try:
            info = self.remote.put(row.key, self.local.path(row.key))
            if (info.size, info.sha256) != (row.size, row.sha256):
                raise UploadError(f"local copy of {row.key} no longer matches its record")
        except (EvidenceError, OSError) as exc:  # store down, copy changed, planted symlink
            log.warning("evidence %s stays local for now: %s", row.key, exc)
            return False
        row.uploaded = True
        return True

    def upload_pending(self, sessions: sessionmaker[Session], limit: int = 50) -> UploadReport:
        """Upload up to ``limit`` pending rows, oldest first, each in its own transaction.

        The local copy is deleted (unless ``keep_local``) only after ``uploaded=True`` is
        committed; a failed upload leaves both the row and the file as they were.
        """
        report = UploadReport()
        if self.remote is None:
            return report
        with sessions() as s:
            ids = s.scalars(
                select(EvidenceObject.id)
                .where(EvidenceObject.store == self.remote.kind, ~EvidenceObject.uploaded)
                .order_by(EvidenceObject.id)
                .limit(limit)
            ).all()
        for evidence_id in ids:
            with sessions.begin() as s:
                row = s.get(EvidenceObject, evidence_id)
                ok = row is not None and self._upload(row)
                key = row.key if row is not None else ""
            if not ok:
                report.failed.append(evidence_id)
                continue
            report.uploaded.append(evidence_id)
            if not self.keep_local:
                self.local.delete(key)
        return report

    def drop_local_copy(self, row: EvidenceObject) -> bool:
        """Delete the local copy of an uploaded object; ``False`` if it is the only copy."""
        if row.store == self.local.kind or not row.uploaded:
            return False
        self.local.delete(row.key)
        return True

    def delete(self, session: Session, row: EvidenceObject) -> None:
        """Delete the row (flushed first, so a database error leaves the files) and the
        object from every store."""
        session.delete(row)
        session.flush()
        if self.remote is not None and row.store == self.remote.kind:
            self.remote.delete(row.key)
        self.local.delete(row.key)


class EvidenceUploader:
    """Uploads pending evidence in a background thread: at once when woken, and again
    every ``retry_s`` while uploads fail (e.g. the object store is down).

    ``last_report`` is the outcome of the latest round (for health and metrics).
    """

    def __init__(
        self,
        archive: EvidenceArchive,
        sessions: sessionmaker[Session],
        *,
        retry_s: float = 30.0,
        batch: int = 50,
    ):
        self.archive, self.sessions, self.retry_s, self.batch = archive, sessions, retry_s, batch
        self.last_report = UploadReport()
        self._loop = WakeableLoop("evidence-uploader", self._step, idle_s=retry_s)

    def _step(self) -> float | None:
        report = self.last_report = self.archive.upload_pending(self.sessions, self.batch)
        if report.failed:
            return self.retry_s
        return 0 if len(report.uploaded) == self.batch else None

    def start(self) -> None:
        self._loop.start()

    def wake(self) -> None:
        self._loop.wake()

    def stop(self) -> None:
        self._loop.stop()
