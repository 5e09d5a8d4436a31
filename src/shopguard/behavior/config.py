"""Validated configuration of the behaviour stage: features, zones, cues and the scorer.

Config is data: every model here is a pydantic model, so a bad value raises a
``pydantic.ValidationError`` whose message names the offending field.

Example:
    >>> zone = ZoneConfig(name="A", kind="shelf", polygon=[(0, 0), (100, 0), (100, 50)])
    >>> ScorerConfig(stride_s=0.25).weights.model
    1.0
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ZoneKind = Literal["shelf", "checkout", "exit"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureConfig(_Strict):
    """How a track's pose history becomes one model input window.

    The same settings are used at training and inference: they are embedded in the
    exported ONNX model and read back by the runtime.
    """

    rate_hz: float = Field(default=10.0, gt=0, le=60, description="fixed model sampling rate")
    window_s: float = Field(default=3.0, gt=0, le=30, description="window length in seconds")
    min_conf: float = Field(default=0.3, ge=0, le=1, description="joints below this are missing")
    max_gap_s: float = Field(default=0.6, gt=0, description="interpolate across gaps up to this")
    hold_s: float = Field(
        default=0.1, ge=0, description="extend a joint this far past its last sighting"
    )
    min_valid_fraction: float = Field(
        default=0.3, gt=0, le=1, description="fraction of window steps that must have a body centre"
    )
    head_fallback: bool = Field(
        default=False,
        description="place and scale the body from the head when no shoulders are seen "
        "(a person hidden behind a shelf still gets a window)",
    )
    steady_sides: bool = Field(
        default=False,
        description="swap a frame's left and right joints back when the pose model mirrors "
        "them from one frame to the next (shopguard.behavior.sides)",
    )

    @property
    def steps(self) -> int:
        """Number of time steps in a window."""
        return max(2, round(self.window_s * self.rate_hz))


class ZoneConfig(_Strict):
    """A polygon in frame pixels of one camera, with a kind.

    ``shelf`` zones are where merchandise is, ``checkout`` where people pay, ``exit``
    where they leave the store.
    """

    name: str = Field(min_length=1)
    kind: ZoneKind
    polygon: list[tuple[float, float]] = Field(min_length=3)

    @field_validator("polygon")
    @classmethod
    def _non_degenerate(cls, polygon: list[tuple[float, float]]) -> list[tuple[float, float]]:
        area2 = sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True)
        )
        if abs(area2) < 1e-6:
            raise ValueError("polygon has zero area")
        return polygon


class CueConfig(_Strict):
    """Thresholds of the explainable zone cues (see ``shopguard.behavior.cues``)."""

    min_joint_conf: float = Field(default=0.3, ge=0, le=1)
    conceal_within_s: float = Field(
        default=8.0, gt=0, description="shelf reach → concealment limit"
    )
    conceal_min_dwell_s: float = Field(default=1.0, gt=0, description="hand must stay this long")
    look_window_s: float = Field(default=8.0, gt=0, description="window for counting head turns")
    look_min_turns: int = Field(
        default=4, ge=2, description="head turns that count as looking around"
    )
    look_yaw: float = Field(
        default=0.5, gt=0, lt=1, description="|yaw| (−1…1) that counts as turned"
    )
    hold_s: float = Field(
        default=4.0, ge=0, description="a cue keeps counting this long after it ends"
    )


class CueWeights(_Strict):
    """Weight of each evidence source in the noisy-OR fusion (each in [0, 1])."""

    model: float = Field(default=1.0, ge=0, le=1)
    conceal_after_shelf: float = Field(default=0.6, ge=0, le=1)
    skipped_checkout: float = Field(default=0.7, ge=0, le=1)
    looking_around: float = Field(default=0.15, ge=0, le=1)


class RemoteScorerConfig(_Strict):
    """Score windows on a remote endpoint with the WML v4 ``predictions`` contract (an IBM
    Watson Machine Learning online deployment, or another ShopGuard service's
    ``/ml/v4/deployments/<id>/predictions``); the local model answers whenever it fails."""

    url: str = Field(min_length=8, description="scoring URL (…/predictions?version=…)")
    api_key_env: str = Field(default="SHOPGUARD_SCORER_API_KEY",
                             description="environment variable with the API key")
    iam_url: str = Field(default="https://iam.cloud.ibm.com/identity/token",
                         description="IAM token endpoint; empty: send the key itself as the "
                         "bearer token (a ShopGuard API token)")
    timeout_s: float = Field(default=0.5, gt=0, description="per request")
    retry_after_s: float = Field(default=30.0, ge=0, description="after a failure, score "
                                 "locally this long before trying the remote again")
    max_batch: int = Field(default=64, ge=1, description="windows per request")
    ca_file: str | None = Field(default=None, description="CA certificate to trust")


class ScorerConfig(_Strict):
    """Scheduling and fusion settings of ``shopguard.behavior.scorer.Scorer``.

    Alerting (score above a threshold in N of the last M windows) is the event manager's
    job (``shopguard.events.EventConfig``); the behaviour model recommends a threshold
    in its metadata (``SequenceModel.threshold``).
    """

    stride_s: float = Field(default=0.25, gt=0, description="score a track this often")
    min_history_s: float = Field(default=1.0, ge=0, description="score a track after this long")
    forget_after_s: float = Field(default=5.0, gt=0, description="drop tracks unseen this long")
    max_fps: float = Field(default=60.0, gt=0, description="bounds the per-track history length")
    model_reason_min_p: float = Field(
        default=0.5, ge=0, le=1, description="state the model as a reason"
    )
    weights: CueWeights = CueWeights()
    cues: CueConfig = CueConfig()
    remote: RemoteScorerConfig | None = Field(default=None, description="score on a remote "
                                              "endpoint, locally when it fails")
