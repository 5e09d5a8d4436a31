"""``/api/events/<id>/clip``, ``/snapshot`` and ``/poses``: evidence bytes, with HTTP Range
support. Every request that is granted writes an audit row before any byte is sent; one
refused because a symlink was planted in the local store (or the row's key is unsafe)
writes an ``evidence_refused`` row and a warning, and gets the same 404 as missing evidence.

The object is found through the event's evidence row (never a path from the URL), read
from the local spool or the remote store, and streamed in chunks; ``Range`` requests get
206 with ``Content-Range`` so a browser's video player can seek.
"""

from __future__ import annotations

import logging
import mimetypes

from flask import Blueprint, Response, request

from shopguard.privacy.audit import AuditAction
from shopguard.service.api.events import load_event
from shopguard.service.audit import audit_event
from shopguard.service.auth import ctx, current
from shopguard.service.errors import ApiError
from shopguard.service.ranges import RangeNotSatisfiable, parse_range
from shopguard.service.routes import api_route
from shopguard.storage.evidence import EvidenceError, InvalidKey
from shopguard.storage.models import EvidenceKind

bp = Blueprint("evidence", __name__, url_prefix="/api/events")
log = logging.getLogger(__name__)

DEFAULT_TYPES = {EvidenceKind.CLIP: "video/mp4", EvidenceKind.SNAPSHOT: "image/jpeg",
                 EvidenceKind.POSES: "application/json"}
ACTIONS = {EvidenceKind.CLIP: AuditAction.VIEW_CLIP,
           EvidenceKind.SNAPSHOT: AuditAction.DOWNLOAD_SNAPSHOT,
           EvidenceKind.POSES: AuditAction.VIEW_POSES}


def _unavailable(event_id: str, kind: EvidenceKind) -> ApiError:
    return ApiError(404, f"the {kind.value} of event {event_id!r} is not available")


def _serve(event_id: str, kind: EvidenceKind) -> Response:
    event = load_event(event_id)
    row = next((e for e in reversed(event.evidence) if e.kind == kind), None)
    if row is None:
        raise ApiError(404, f"event {event_id!r} has no {kind.value}")
    archive = ctx().evidence
    try:
        size = archive.stat(row).size
        span = parse_range(request.headers.get("Range"), size)
        start, end = span if span is not None else (0, size)
        chunks = archive.iter_range(row, start, end)
    except RangeNotSatisfiable as exc:
        raise ApiError(416, str(exc), headers={"Content-Range": f"bytes */{size}",
                                               "Accept-Ranges": "bytes"}) from None
    except InvalidKey as exc:  # a symlink planted in the store: audited, never followed
        log.warning("evidence refused to %s: %s", current().username, exc)
        audit_event(AuditAction.EVIDENCE_REFUSED, event, kind=kind.value, reason=str(exc))
        raise _unavailable(event_id, kind) from None
    except (EvidenceError, ValueError):  # missing, store not configured
        raise _unavailable(event_id, kind) from None
    audit_event(ACTIONS[kind], event, range=request.headers.get("Range"), bytes=end - start)
    mimetype = mimetypes.guess_type(row.key)[0] or DEFAULT_TYPES[kind]
    response = Response(chunks, status=206 if span is not None else 200, mimetype=mimetype,
                        direct_passthrough=True)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["Content-Length"] = str(end - start)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = (
        f'inline; filename="{event.id}-{kind.value}{mimetypes.guess_extension(mimetype) or ""}"'
    )
    if span is not None:
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return response


@api_route(bp, "/<event_id>/clip", "GET", "The event's video clip (Range supported)",
           access="view", produces="video/mp4", errors=(404, 416))
def clip(event_id: str) -> Response:
    return _serve(event_id, EvidenceKind.CLIP)


@api_route(bp, "/<event_id>/snapshot", "GET", "The event's snapshot at its peak",
           access="view", produces="image/jpeg", errors=(404, 416))
def snapshot(event_id: str) -> Response:
    return _serve(event_id, EvidenceKind.SNAPSHOT)


@api_route(bp, "/<event_id>/poses", "GET", "The skeleton sequence of a pose_only clip (JSON)",
           access="view", produces="application/json", errors=(404, 416))
def poses(event_id: str) -> Response:
    """Recorded for cameras in the ``pose_only`` privacy mode: one ``tracks.jsonl`` record
    per analysed frame of the clip (format ``shopguard.poses/1``)."""
    return _serve(event_id, EvidenceKind.POSES)
