"""Audit rows for API requests: one helper every evidence, event, review and privacy route
calls once access has been granted and before anything is disclosed.

A view that changes data passes its own session (``session=db()``), so the change and its
audit row commit together; a read is recorded in a transaction of its own, committed
before the response is sent. If the row cannot be written the request fails and nothing
is disclosed.
"""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy.orm import Session

from shopguard.privacy.audit import Actor, AuditAction, record
from shopguard.service.auth import ctx, current
from shopguard.storage.models import Event


def client_actor(user_id: int | None, username: str) -> Actor:
    """``username`` acting from this request's address and user agent."""
    return Actor(user_id, username, request.remote_addr or "",
                 request.headers.get("User-Agent", ""))


def request_actor() -> Actor:
    """The signed-in caller of this request."""
    who = current()
    return client_actor(who.user_id, who.username)


def audit(
    action: AuditAction,
    *,
    target_type: str = "",
    target_id: str = "",
    camera_id: str | None = None,
    detail: dict[str, Any] | None = None,
    session: Session | None = None,
    actor: Actor | None = None,
) -> None:
    """Record ``action`` by the caller of this request."""
    who = actor or request_actor()
    fields: dict[str, Any] = dict(target_type=target_type, target_id=target_id,
                                  camera_id=camera_id, detail=detail)
    if session is not None:
        record(session, who, action, **fields)
        return
    with ctx().sessions.begin() as own:
        record(own, who, action, **fields)


def audit_event(action: AuditAction, event: Event, *, session: Session | None = None,
                **detail: Any) -> None:
    """Record ``action`` on ``event`` (its id and camera are the target)."""
    audit(action, target_type="event", target_id=event.id, camera_id=event.camera_id,
          detail=detail or None, session=session)
