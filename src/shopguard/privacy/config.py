"""Privacy settings: the per-camera mode and the data controller named on the signage.

Example:
    >>> PrivacyConfig(controller="Corner Shop Ltd").legal_basis[:20]
    'legitimate interest '
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: ``full``: clips with faces blurred; ``blurred``: whole bodies pixelated except hands
#: and what they hold; ``pose_only``: no camera pixels of people, skeletons over an
#: empty-scene background plate.
PrivacyMode = Literal["full", "blurred", "pose_only"]
PRIVACY_MODES: tuple[PrivacyMode, ...] = ("full", "blurred", "pose_only")
PRIVACY_MODE_DOC = (
    "what leaves the camera worker: full = video with faces blurred; blurred = bodies "
    "pixelated except hands and the item they hold; pose_only = skeletons over an empty-"
    "scene background, no camera pixels of people"
)

DEFAULT_LEGAL_BASIS = (
    "legitimate interest (GDPR Art. 6(1)(f)): protecting goods, staff and customers "
    "against theft"
)


class PrivacyConfig(BaseModel):
    """Who is responsible for the processing (shown on the entrance signage)."""

    model_config = ConfigDict(extra="forbid")

    controller: str = Field(default="", description="name of the data controller (the retailer)")
    contact: str = Field(default="", description="postal or e-mail address for requests")
    dpo_contact: str = Field(default="", description="data protection officer, if any")
    legal_basis: str = Field(default=DEFAULT_LEGAL_BASIS, min_length=1)
