"""A small thread-safe registry of counters and gauges, rendered in Prometheus text format.

Workers report cumulative values (their health reports carry ``frames_in`` etc.), so a
counter can be ``set`` as well as ``inc``-remented; a worker restart resets it to zero,
which Prometheus handles as a counter reset.

Example:
    >>> m = Metrics()
    >>> frames = m.counter("shopguard_frames_in_total", "Frames read from the source.")
    >>> frames.inc(3, camera="door-1")
    >>> print(m.render().splitlines()[2])
    shopguard_frames_in_total{camera="door-1"} 3
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Literal

MetricType = Literal["counter", "gauge"]
LabelKey = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Metric:
    """One metric family: a value per label set."""

    def __init__(self, name: str, help_text: str, kind: MetricType, lock: threading.Lock):
        self.name, self.help, self.kind = name, help_text, kind
        self._values: dict[LabelKey, float] = {}
        self._lock = lock

    def inc(self, value: float = 1.0, **labels: str) -> None:
        """Add ``value`` (≥ 0 for counters) to the series of ``labels``."""
        if self.kind == "counter" and value < 0:
            raise ValueError(f"{self.name}: a counter cannot decrease")
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + value

    def set(self, value: float, **labels: str) -> None:
        """Set the series of ``labels`` to ``value``."""
        with self._lock:
            self._values[tuple(sorted(labels.items()))] = float(value)

    def value(self, **labels: str) -> float | None:
        """The current value of the series of ``labels`` (``None`` if never set)."""
        with self._lock:
            return self._values.get(tuple(sorted(labels.items())))

    def remove(self, **labels: str) -> None:
        """Drop every series whose labels include ``labels`` (e.g. a removed camera)."""
        wanted = set(labels.items())
        with self._lock:
            for key in [k for k in self._values if wanted <= set(k)]:
                del self._values[key]

    def render(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        lines = [f"# HELP {self.name} {_escape(self.help)}", f"# TYPE {self.name} {self.kind}"]
        for key, value in items:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key)
            lines.append(f"{self.name}{{{labels}}} {_number(value)}" if labels
                         else f"{self.name} {_number(value)}")
        return lines


class Metrics:
    """Named metric families; ``collect`` hooks refresh pulled values before rendering."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._families: dict[str, Metric] = {}
        self._hooks: list[Callable[[Metrics], None]] = []

    def _family(self, name: str, help_text: str, kind: MetricType) -> Metric:
        with self._lock:
            family = self._families.get(name)
            if family is None:
                family = self._families[name] = Metric(name, help_text, kind, threading.Lock())
            elif family.kind != kind:
                raise ValueError(f"{name} is already a {family.kind}")
            return family

    def counter(self, name: str, help_text: str) -> Metric:
        """The counter ``name`` (created on first use)."""
        return self._family(name, help_text, "counter")

    def gauge(self, name: str, help_text: str) -> Metric:
        """The gauge ``name`` (created on first use)."""
        return self._family(name, help_text, "gauge")

    def on_collect(self, hook: Callable[[Metrics], None]) -> None:
        """Call ``hook(self)`` before every render (to pull values such as outbox counts)."""
        with self._lock:
            self._hooks.append(hook)

    def remove_labels(self, **labels: str) -> None:
        """Drop the series with ``labels`` from every family."""
        with self._lock:
            families = list(self._families.values())
        for family in families:
            family.remove(**labels)

    def render(self) -> str:
        """All metrics in the Prometheus text exposition format (version 0.0.4)."""
        with self._lock:
            hooks = list(self._hooks)
        for hook in hooks:
            hook(self)
        with self._lock:
            families = sorted(self._families.values(), key=lambda f: f.name)
        return "".join(line + "\n" for family in families for line in family.render())
