"""Database tables as typed SQLAlchemy 2 ORM models.

Every timestamp is a timezone-aware UTC ``datetime`` (see :class:`UTCDateTime`); every
status column is a short string with a CHECK constraint, read back as a ``StrEnum``.
The schema itself is created by the Alembic migrations in ``storage/migrations``.

Example:
    >>> event = Event(camera_id="door-1", track_id=7, started_at=utcnow(), peak_score=0.9)
    >>> event.status is None  # defaults are applied when the row is flushed
    True
"""

from __future__ import annotations

import enum
import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

#: JSON everywhere, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A new random UUID as a string (event ids)."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that accepts only aware datetimes and always returns aware UTC.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text, which sorts correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: ShopGuard stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.StrEnum], name: str) -> SAEnum:
    """A VARCHAR column with a CHECK constraint holding a ``StrEnum`` value."""
    return SAEnum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ZoneKind(enum.StrEnum):
    SHELF = "shelf"
    CHECKOUT = "checkout"
    EXIT = "exit"


class EventStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewStatus(enum.StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class EvidenceKind(enum.StrEnum):
    CLIP = "clip"
    SNAPSHOT = "snapshot"
    POSES = "poses"  # the skeleton sequence of an event's clip (JSON, joints only)


class StoreKind(enum.StrEnum):
    LOCAL = "local"
    S3 = "s3"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class Role(enum.StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations get stable names."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class Camera(Base):
    """A camera: ``id`` is a slug (``[a-z0-9][a-z0-9_-]*``) used in keys, topics and URLs."""

    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    zones: Mapped[list[Zone]] = relationship(
        back_populates="camera", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("id")
    def _check_slug(self, _key: str, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError(f"camera id {value!r} is not a slug ([a-z0-9][a-z0-9_-]*, ≤ 64)")
        return value


class Zone(Base):
    """A named polygon on one camera's image (pixel coordinates ``[[x, y], ...]``)."""

    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("camera_id", "name", name="uq_zones_camera_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ZoneKind] = mapped_column(_enum(ZoneKind, "zone_kind"))
    polygon: Mapped[list[list[float]]] = mapped_column(JSONType)

    camera: Mapped[Camera] = relationship(back_populates="zones")


class Event(Base):
    """One suspicious episode of one track; what the dashboard lists and alerts carry.

    ``peak_t`` is on the stream clock (``Frame.t``); the ``*_at`` columns are wall-clock UTC.
    ``reasons`` is a list of ``{code, text, t_start, t_end, weight}`` dicts;
    ``score_timeline`` a list of ``[t, score]`` pairs (stream clock) and ``clip_t0`` the
    stream time of the clip's first frame.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_camera_started", "camera_id", "started_at"),
        Index("ix_events_started", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id"))
    track_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "event_status"), default=EventStatus.OPEN, index=True
    )
    review_status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.NEW, index=True
    )
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    peak_score: Mapped[float] = mapped_column(Float, default=0.0)
    peak_t: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    score_timeline: Mapped[list[list[float]]] = mapped_column(JSONType, default=list)
    clip_t0: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    camera: Mapped[Camera] = relationship()
    evidence: Mapped[list[EvidenceObject]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EvidenceObject.id",
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Review.id",
    )


class EvidenceObject(Base):
    """A clip or snapshot of an event, kept in the ``store`` under ``key``.

    ``uploaded`` is true once the object is verified (size and sha256) in ``store``; a row
    for a remote store with ``uploaded=False`` still has its only copy in the local spool.
    """

    __tablename__ = "evidence_objects"
    __table_args__ = (UniqueConstraint("store", "key", name="uq_evidence_objects_store_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind, "evidence_kind"))
    store: Mapped[StoreKind] = mapped_column(_enum(StoreKind, "store_kind"))
    key: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    event: Mapped[Event] = relationship(back_populates="evidence")


class Review(Base):
    """A reviewer's decision on an event; the latest one sets ``Event.review_status``."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_decision"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="reviews")
    user: Mapped[User | None] = relationship()


class AlertDelivery(Base):
    """One alert to one channel: the durable outbox row.

    ``event_id`` is null for camera-health notices. ``idempotency_key`` is deterministic
    (event id + channel) and is passed to the receiver so it can drop duplicates.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DeliveryAttempt.id",
    )


class DeliveryAttempt(Base):
    """One try at sending an ``AlertDelivery``, successful or not."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float] = mapped_column(Float)

    delivery: Mapped[AlertDelivery] = relationship(back_populates="attempt_log")


class User(Base):
    """A dashboard user; ``cameras`` limits which cameras they see (null: all)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), default=Role.VIEWER)
    cameras: Mapped[list[str] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class ApiToken(Base):
    """An API token; only a hash of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class AuditEntry(Base):
    """Who viewed, exported, reviewed or erased what, when and from where.

    Append-only: triggers make the database refuse UPDATE and DELETE on this table
    (migration 0002). No foreign keys, so rows outlive the users and events they name;
    ``username`` is a snapshot taken when the row is written.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    camera_id: Mapped[str | None] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ModelStatus(enum.StrEnum):
    CANDIDATE = "candidate"
    ACTIVE = "active"
    RETIRED = "retired"


class ModelVersion(Base):
    """A registered behaviour model file: its metrics, data, thresholds and promotion state.

    At most one version per ``kind`` is ``active`` (a partial unique index enforces it).
    ``thresholds`` is ``{"default": float | None, "cameras": {camera id: float}, ...}``;
    ``forced_reason`` is set when a promotion overrode the comparison with the active model.
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        Index(
            "uq_model_versions_one_active",
            "kind",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="behavior")
    status: Mapped[ModelStatus] = mapped_column(
        _enum(ModelStatus, "model_status"), default=ModelStatus.CANDIDATE, index=True
    )
    file_key: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    checkpoint_key: Mapped[str | None] = mapped_column(String(512))
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    training_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    promoted_at: Mapped[datetime | None]
    promoted_by: Mapped[str | None] = mapped_column(String(100))
    forced_reason: Mapped[str | None] = mapped_column(Text)


class MissedReport(Base):
    """A reviewer's report that a camera should have alerted between ``since`` and ``until``
    (a theft the system missed); ``track_id`` names the person when the reviewer knows it."""

    __tablename__ = "missed_reports"
    __table_args__ = (Index("ix_missed_reports_camera_since", "camera_id", "since"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    since: Mapped[datetime]
    until: Mapped[datetime]
    track_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
