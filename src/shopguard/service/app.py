"""The Flask app: REST API under ``/api``, ``/metrics``, and the dashboard's files.

Example (a test):
    >>> ctx = ServiceContext(sessions=..., evidence=..., hub=LiveHub(),
    ...                      settings=ApiSettings(secret_key=os.urandom(32)))  # doctest: +SKIP
    >>> client = create_app(ctx).test_client()  # doctest: +SKIP
    >>> client.get("/api/health").json["status"]  # doctest: +SKIP
    'ok'
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g

from shopguard.service import auth
from shopguard.service.api import (
    audit,
    cameras,
    channels,
    deliveries,
    events,
    evidence,
    feedback,
    health,
    live,
    metrics,
    models,
    privacy,
    registry,
    reviews,
    scoring,
    stream,
    subjects,
    tokens,
    users,
    zones,
)
from shopguard.service.api import (
    auth as auth_api,
)
from shopguard.service.context import ServiceContext
from shopguard.service.errors import install_error_handlers
from shopguard.service.ratelimit import AttemptLimiter
from shopguard.service.sessions import SessionCodec
from shopguard.service.static_ui import static_blueprint
from shopguard.service.streaming import StreamSlots

BLUEPRINTS = (auth_api, users, tokens, cameras, zones, live, events, evidence, reviews,
              channels, deliveries, registry, models, health, metrics, stream, audit, subjects,
              privacy, feedback, scoring)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _close_db(_exc: BaseException | None) -> None:
    session: Any = g.pop("db", None)
    if session is not None:
        session.close()


def create_app(ctx: ServiceContext) -> Flask:
    """The app serving ``ctx``: every route needs a signed-in user or an API token except
    ``/api/health``, ``/api/auth/login`` and the dashboard's files."""
    from shopguard.service.openapi import bp as openapi_bp

    settings = ctx.settings
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    app.extensions["shopguard"] = ctx
    app.extensions["shopguard.sessions"] = SessionCodec(
        settings.secret_key, settings.session_max_age_s, clock=ctx.clock
    )
    app.extensions["shopguard.login_limiter"] = AttemptLimiter(
        settings.login_attempts, settings.login_window_s, clock=ctx.clock
    )
    app.extensions["shopguard.streams"] = StreamSlots(settings.max_streams)
    install_error_handlers(app)
    app.before_request(auth.check_request)
    app.after_request(_security_headers)
    app.teardown_appcontext(_close_db)
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(static_blueprint(settings.static_dir))
    return app
