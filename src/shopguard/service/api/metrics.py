"""``/metrics``: Prometheus text format (frames, inference time, queues, alerts, streams).

Camera series come from the workers' health reports (see ``LiveHub.set_health``); the
alert totals and stream gauges are read when scraped. Scrapers sign in with an API token.
"""

from __future__ import annotations

from flask import Blueprint, Response

from shopguard.service.auth import ctx
from shopguard.service.routes import api_route

bp = Blueprint("metrics", __name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ALERT_RESULTS = {"sent": "Alerts delivered.", "failed": "Alert attempts that failed "
                 "(retried later).", "dead": "Alerts given up on (dead letters)."}


@api_route(bp, "/metrics", "GET", "Prometheus metrics", access="view", produces=CONTENT_TYPE)
def metrics() -> Response:
    context = ctx()
    registry = context.hub.metrics
    if context.outbox is not None:
        counts = dict(context.outbox.counts)
        for result, help_text in ALERT_RESULTS.items():
            registry.counter(f"shopguard_alerts_{result}_total", help_text).set(
                counts.get(result, 0))
    registry.gauge("shopguard_stream_subscribers", "Open live-stream connections.").set(
        context.hub.subscriber_count)
    return Response(registry.render(), mimetype=None, content_type=CONTENT_TYPE)
