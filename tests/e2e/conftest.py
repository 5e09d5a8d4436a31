"""End-to-end fixtures: a recording HTTP receiver for webhooks."""

from shopguard.alerts.testing import http_recorder

__all__ = ["http_recorder"]
