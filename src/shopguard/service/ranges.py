"""HTTP ``Range: bytes=…`` requests, so browsers can seek in evidence clips.

Example:
    >>> parse_range("bytes=0-99", 1000), parse_range("bytes=-100", 1000)
    ((0, 100), (900, 1000))
    >>> parse_range(None, 1000) is None
    True
"""

from __future__ import annotations

import re

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(ValueError):
    """A byte range that this object cannot serve (HTTP 416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``[start, end)`` bytes asked for, or ``None`` for the whole object.

    Only a single ``bytes`` range is served; other units and multiple ranges get the whole
    object (HTTP allows ignoring them). ``RangeNotSatisfiable`` for a malformed or
    out-of-bounds byte range.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    match = _SPEC.match(spec)
    if match is None or match.group(1) == match.group(2) == "":
        raise RangeNotSatisfiable(f"malformed range {header!r}")
    first, last = match.groups()
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(f"empty suffix range {header!r}")
        return max(0, size - length), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or (last != "" and int(last) < start):
        raise RangeNotSatisfiable(f"range {header!r} outside {size} bytes")
    return start, end
