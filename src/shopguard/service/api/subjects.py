"""``/api/subject-requests``: a data subject's request for one camera and a time window —
search the events, export them as one ZIP archive, or erase them everywhere. Admin only;
every call is recorded in the audit trail (see ``shopguard.privacy.subjects``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Literal

from flask import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shopguard.privacy.subjects import (
    LocalFiles,
    SubjectQuery,
    erase,
    event_record,
    export_zip,
    search,
)
from shopguard.service.audit import request_actor
from shopguard.service.auth import ctx, db
from shopguard.service.errors import ApiError
from shopguard.service.routes import api_route
from shopguard.storage.models import Camera

bp = Blueprint("subjects", __name__, url_prefix="/api/subject-requests")

CHUNK = 256 * 1024


class SubjectRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera: str = Field(min_length=1, max_length=64, description="camera id")
    since: datetime = Field(description="start of the window (ISO-8601; no zone: UTC)")
    until: datetime = Field(description="end of the window, exclusive")

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @model_validator(mode="after")
    def _ordered(self) -> SubjectRequestIn:
        if self.since >= self.until:
            raise ValueError("since must be before until")
        return self

    def query(self) -> SubjectQuery:
        if db().get(Camera, self.camera) is None:
            raise ApiError(404, f"no camera {self.camera!r}", fields={"camera": "unknown"})
        return SubjectQuery(self.camera, self.since, self.until)


class ErasureIn(SubjectRequestIn):
    confirm: Literal[True] = Field(description="must be true: erasure cannot be undone")


class SubjectEvidenceOut(BaseModel):
    kind: str
    size: int


class SubjectEventOut(BaseModel):
    id: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    review_status: str
    peak_score: float
    evidence: list[SubjectEvidenceOut]
    reviews: int


class SubjectSearchOut(BaseModel):
    events: list[SubjectEventOut]
    evidence_objects: int
    bytes: int


class ErasureOut(BaseModel):
    erased: list[str] = Field(description="ids of the events erased")
    skipped_open: list[str] = Field(description="events still recording; ask again later")
    objects: dict[str, int] = Field(description="evidence objects deleted, by kind")
    bytes: int
    deliveries: int = Field(description="alert deliveries of these events removed")
    reviews: int
    spool_files: int
    missed_reports: int = Field(description="missed-theft reports of the window removed")
    track_log_segments: int = Field(description="track-log minutes of the window removed")


@api_route(bp, "/search", "POST", "Find a data subject's events", access="admin",
           body=SubjectRequestIn, response=SubjectSearchOut, errors=(404, 422))
def search_(body: SubjectRequestIn) -> SubjectSearchOut:
    """Events of the camera overlapping the window, oldest first."""
    events = search(ctx().sessions, body.query(), request_actor())
    out = []
    for e in events:
        r = event_record(e)
        out.append(SubjectEventOut(
            id=e.id, started_at=e.started_at, ended_at=e.ended_at, status=r["status"],
            review_status=r["review_status"], peak_score=e.peak_score, reviews=len(e.reviews),
            evidence=[SubjectEvidenceOut(kind=x["kind"], size=x["size"]) for x in r["evidence"]]))
    sizes = [x.size for e in out for x in e.evidence]
    return SubjectSearchOut(events=out, evidence_objects=len(sizes), bytes=sum(sizes))


@api_route(bp, "/export", "POST", "Export a data subject's events (ZIP)", access="admin",
           body=SubjectRequestIn, produces="application/zip", errors=(404, 422))
def export(body: SubjectRequestIn) -> Response:
    """One ZIP archive: ``request.json``, per event ``event.json`` with its clip, snapshot
    and pose data, the window's missed-theft reports and track-log poses."""
    query = body.query()
    out: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the stream)
    try:
        c = ctx()
        export_zip(c.sessions, c.evidence, query, out, request_actor(),
                   LocalFiles.of(c.config, query.camera_id))
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise

    def stream() -> Iterator[bytes]:
        try:
            while chunk := out.read(CHUNK):
                yield chunk
        finally:
            out.close()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    response = Response(stream(), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="shopguard-{query.camera_id}-{stamp}.zip"')
    response.headers["Cache-Control"] = "no-store"
    return response


@api_route(bp, "/erase", "POST", "Erase a data subject's events everywhere", access="admin",
           body=ErasureIn, response=ErasureOut, errors=(404, 422))
def erase_(body: ErasureIn) -> ErasureOut:
    """Deletes the closed events of the window: evidence in every store (local and object
    storage), pose data, reviews and alert deliveries; and the window's missed-theft
    reports and track-log minutes. Irreversible; audited without the erased content."""
    query = body.query()
    c = ctx()
    report = erase(c.sessions, c.evidence, query, request_actor(),
                   LocalFiles.of(c.config, query.camera_id))
    if report.erased:
        c.hub.publish("events.erased", {"camera_id": query.camera_id, "ids": report.erased})
    return ErasureOut(erased=report.erased, skipped_open=report.skipped_open,
                      objects=dict(report.objects), bytes=report.bytes,
                      deliveries=report.deliveries, reviews=report.reviews,
                      spool_files=report.spool_files, missed_reports=report.missed_reports,
                      track_log_segments=report.track_log_segments)
