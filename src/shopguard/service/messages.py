"""Messages from camera worker processes to the service process (over one queue).

Plain dicts keep them picklable and cheap; these helpers give them one shape.
"""

from __future__ import annotations

import queue
from typing import Any, Literal

MessageKind = Literal["health", "frame", "event", "evidence"]


def message(kind: MessageKind, camera_id: str, **data: Any) -> dict[str, Any]:
    """A worker → service message."""
    return {"kind": kind, "camera_id": camera_id, **data}


def put_latest(q: Any, item: dict[str, Any]) -> bool:
    """Put without blocking; a full queue drops the item (live frames and health are
    superseded by the next one). Returns whether it was queued."""
    try:
        q.put_nowait(item)
    except queue.Full:
        return False
    return True
