"""Checks on zone polygons (drawn in the dashboard or written in the configuration): a
bounded number of finite points, simple (no self-intersection), not flat.

Example:
    >>> polygon_problem([(0, 0), (10, 0), (10, 10), (0, 10)]) is None
    True
    >>> polygon_problem([(0, 0), (10, 10), (10, 0), (0, 10)])  # a bow tie
    'edges 0 and 2 cross'
    >>> zone_problem([(0, 0), (1e308, 0), (0, 10)])
    'point 1 is not a number in [0, 100000]'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Points = Sequence[tuple[float, float]] | Sequence[Sequence[float]]

#: Most points a zone may have: a store draws a handful, and ``polygon_problem`` compares
#: every edge with every other.
MAX_POINTS = 256
#: Largest coordinate in frame pixels (far beyond any camera's resolution).
MAX_COORDINATE = 100_000


def _orient(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64],
            c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Sign of the turn a → b → c (positive: counter-clockwise), row-wise."""
    cross = (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (
        c[..., 0] - a[..., 0]
    )
    return np.sign(cross)


def _on_segment(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64],
                p: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whether collinear point ``p`` lies within the bounding box of segment a–b."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return np.all((lo <= p) & (p <= hi), axis=-1)


def polygon_problem(points: Points) -> str | None:
    """What is wrong with the closed polygon ``points``, or ``None`` if it is simple.

    Rejects repeated consecutive points, zero area and any two edges that cross or touch
    other than neighbours at their shared corner (a neighbour folding back counts).
    """
    p = np.asarray(points, dtype=np.float64)
    n = len(p)
    q = np.roll(p, -1, axis=0)  # edge i runs p[i] → q[i]
    if np.any(np.all(p == q, axis=1)):
        return f"point {int(np.argmax(np.all(p == q, axis=1)))} repeats the next one"
    for i in range(n):
        nxt = (i + 1) % n  # neighbour sharing q[i]: folds back if collinear and behind
        if _orient(p[i], q[i], q[nxt]) == 0 and np.dot(p[i] - q[i], q[nxt] - q[i]) > 0:
            return f"edges {i} and {nxt} overlap"
        j = np.arange(i + 2, n if i > 0 else n - 1)
        if len(j) == 0:
            continue
        a, b = p[i], q[i]
        c, d = p[j], q[j]
        o1, o2 = _orient(a, b, c), _orient(a, b, d)
        o3, o4 = _orient(c, d, a), _orient(c, d, b)
        cross = (o1 * o2 < 0) & (o3 * o4 < 0)
        touch = (
            ((o1 == 0) & _on_segment(a, b, c))
            | ((o2 == 0) & _on_segment(a, b, d))
            | ((o3 == 0) & _on_segment(c, d, a[None]))
            | ((o4 == 0) & _on_segment(c, d, b[None]))
        )
        hit = np.flatnonzero(cross | touch)
        if len(hit):
            return f"edges {i} and {int(j[hit[0]])} cross"
    area2 = float(np.sum(p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1]))
    return "polygon has zero area" if abs(area2) < 1e-9 else None


def zone_problem(points: Points) -> str | None:
    """What makes ``points`` unusable as a zone polygon, or ``None``: fewer than 3 or more
    than ``MAX_POINTS`` points, a coordinate that is not a finite number in
    [0, ``MAX_COORDINATE``], or ``polygon_problem``."""
    if not 3 <= len(points) <= MAX_POINTS:
        return f"has {len(points)} points (3 to {MAX_POINTS} allowed)"
    p = np.asarray(points, dtype=np.float64)
    bad = ~np.all(np.isfinite(p) & (p >= 0) & (p <= MAX_COORDINATE), axis=1)
    if np.any(bad):
        return f"point {int(np.argmax(bad))} is not a number in [0, {MAX_COORDINATE}]"
    return polygon_problem(points)
