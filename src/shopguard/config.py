"""ShopGuard's validated configuration: one YAML file, checked by pydantic.

Errors name the file and the field (``config.yaml: cameras.0.url: Field required``).

Example:
    >>> cfg = ServiceConfig.model_validate({"cameras": [{"id": "door", "url": "demo.mp4"}]})
    >>> cfg.cameras[0].analysis_fps
    5.0
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from shopguard.alerts.config import AlertsConfig
from shopguard.behavior.config import ScorerConfig, ZoneConfig
from shopguard.events.config import EventConfig
from shopguard.privacy.config import PRIVACY_MODE_DOC, PrivacyConfig, PrivacyMode
from shopguard.service.geometry import zone_problem

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
#: PyYAML's safe loader, in C where libyaml is there (5× faster on a large file).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file and each bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MotionConfig(_Strict):
    """Motion gate (see ``shopguard.vision.motion``)."""

    enabled: bool = True
    pixel_threshold: int = Field(default=18, ge=1, le=255)
    min_area: float = Field(default=0.002, gt=0, lt=1)
    max_idle_s: float = Field(default=1.0, gt=0)


def _usable_zone(zone: ZoneConfig) -> ZoneConfig:
    """``zone`` if its polygon passes the checks of a zone drawn in the dashboard."""
    problem = zone_problem(zone.polygon)
    if problem:
        raise ValueError(f"polygon: {problem}")
    return zone


#: A zone as the configuration accepts it: 3–256 finite points, simple (no crossing edges).
UsableZone = Annotated[ZoneConfig, AfterValidator(_usable_zone)]


class CameraConfig(_Strict):
    """One camera: where its video comes from and how it is analysed."""

    id: str = Field(pattern=SLUG_PATTERN, description="stable slug, used in URLs and topics")
    name: str = ""
    url: str = Field(min_length=1, description="RTSP/HTTP URL, file path or webcam:N")
    enabled: bool = True
    analysis_fps: float = Field(default=5.0, gt=0, le=30, description="pose model runs this often")
    record_fps: float = Field(default=10.0, gt=0, le=30, description="frames kept for evidence")
    loop: bool = Field(default=False, description="play a file as a live stream (demo cameras)")
    zones: list[UsableZone] = Field(default_factory=list)
    motion: MotionConfig = MotionConfig()
    events: EventConfig | None = Field(default=None, description="overrides the service default")
    privacy: PrivacyMode = Field(default="full", description=PRIVACY_MODE_DOC)

    @model_validator(mode="after")
    def _name_defaults_to_id(self) -> CameraConfig:
        if not self.name:
            self.name = self.id
        return self


class ServerConfig(_Strict):
    """HTTP service settings."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    threads: int = Field(default=32, ge=4, le=512, description="waitress worker threads")
    base_url: str = Field(default="", description="public URL used in alert links")
    secure_cookies: bool = Field(default=False, description="set when served over HTTPS")


class WorkerConfig(_Strict):
    """Camera worker processes and their supervision."""

    inference_threads: int = Field(default=2, ge=1, le=64)
    heartbeat_timeout_s: float = Field(default=20.0, gt=0)
    restart_backoff_s: float = Field(default=1.0, gt=0)
    restart_backoff_max_s: float = Field(default=60.0, gt=0)
    offline_alert_after_s: float = Field(default=15.0, ge=0)
    live_view_fps: float = Field(default=5.0, gt=0, le=30)


class S3Config(_Strict):
    """S3-compatible object storage for evidence (IBM Cloud Object Storage, AWS S3, MinIO).

    Keys come from the environment variables named here, or inline (not recommended).
    """

    bucket: str = Field(min_length=3)
    endpoint_url: str | None = Field(default=None, description="e.g. IBM COS regional URL")
    region: str | None = None
    prefix: str = ""
    access_key_env: str = "SHOPGUARD_S3_ACCESS_KEY"
    secret_key_env: str = "SHOPGUARD_S3_SECRET_KEY"
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None


class StorageConfig(_Strict):
    """Where evidence is kept and for how long."""

    s3: S3Config | None = Field(default=None, description="upload evidence here when set")
    keep_local: bool = Field(default=False, description="keep local copies after upload")
    retention_days: float | None = Field(default=30.0, gt=0, description="unconfirmed evidence")
    min_free_gb: float | None = Field(default=2.0, ge=0, description="disk floor for evidence")


class ModelsConfig(_Strict):
    """Model files; empty means the shipped defaults in ``models/``.

    The behaviour model the workers run is the model registry's active version
    (``shopguard models``); ``behavior`` is registered as its first version on the first
    start and used while no version is active.
    """

    pose: Path | None = None
    behavior: Path | None = None
    poll_s: float = Field(default=5.0, gt=0, description="workers look for a new active "
                          "behaviour model this often (seconds)")


class FeedbackConfig(_Strict):
    """What the workers keep so that reviews can become training data (poses, no pixels)."""

    event_poses: bool = Field(default=True, description="store each event's poses "
                              "(pre-roll to post-roll) as evidence")
    track_log_hours: float = Field(default=24.0, ge=0, description="keep every tracked pose "
                                   "this long for missed-theft reports (0: off)")


class ServiceConfig(_Strict):
    """The whole configuration file."""

    data_dir: Path = Path("var")
    database_url: str = Field(default="", description="empty: SQLite file in data_dir")
    server: ServerConfig = ServerConfig()
    worker: WorkerConfig = WorkerConfig()
    models: ModelsConfig = ModelsConfig()
    storage: StorageConfig = StorageConfig()
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    events: EventConfig = EventConfig()
    scorer: ScorerConfig = ScorerConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    feedback: FeedbackConfig = FeedbackConfig()
    cameras: list[CameraConfig] = Field(default_factory=list)

    @field_validator("cameras")
    @classmethod
    def _unique_ids(cls, cameras: list[CameraConfig]) -> list[CameraConfig]:
        ids = [c.id for c in cameras]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate camera ids: {', '.join(duplicates)}")
        return cameras

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'shopguard.db').resolve()}"

    def camera_events(self, camera: CameraConfig) -> EventConfig:
        """The event settings that apply to ``camera``."""
        return camera.events or self.events


#: Errors listed at most in one message (a hostile file or request can hold millions).
MAX_LISTED_ERRORS = 20


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One line per bad field: ``source: a.b.0: message`` (the first ``MAX_LISTED_ERRORS``,
    then how many more)."""
    errors = exc.errors(include_url=False, include_input=False)
    lines = []
    for err in errors[:MAX_LISTED_ERRORS]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{source}: {loc}: {err['msg']}")
    if len(errors) > MAX_LISTED_ERRORS:
        lines.append(f"{source}: … and {len(errors) - MAX_LISTED_ERRORS} more errors")
    return "\n".join(lines)


def parse_config(data: Any, source: str = "<config>") -> ServiceConfig:
    """Validate already-parsed configuration data."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping, got {type(data).__name__}")
    try:
        return ServiceConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc


def load_config(path: str | Path) -> ServiceConfig:
    """Read and validate a YAML configuration file.

    Raises:
        ConfigError: unreadable file, malformed YAML or an invalid field (message names it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {exc}") from exc
    return parse_config(data, str(path))
