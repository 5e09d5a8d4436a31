"""The notice a store shows at its entrance, written from the service's configuration.

It names the controller and contact, the purpose and legal basis, each camera with what
it keeps (its privacy mode), how long evidence is kept, that nobody is identified by
biometrics, and how to exercise one's rights. The text is Markdown, a template for the
store to check and print; it is not legal advice.

Example:
    >>> from shopguard.config import ServiceConfig
    >>> text = signage_markdown(ServiceConfig(), [])
    >>> text.splitlines()[0]
    '# Video surveillance with behaviour analysis'
"""

from __future__ import annotations

from collections.abc import Sequence

from shopguard.config import CameraConfig, ServiceConfig
from shopguard.privacy.config import PrivacyMode

MODE_TEXT: dict[PrivacyMode, str] = {
    "full": "video clips of detected incidents; faces are blurred",
    "blurred": "video clips of detected incidents; people are pixelated except their hands",
    "pose_only": "stick-figure body poses only; no image of any person is stored",
}
PLACEHOLDER = "[{what}: set privacy.{field} in the configuration]"


def _or_placeholder(value: str, what: str, field: str) -> str:
    return value.strip() or PLACEHOLDER.format(what=what, field=field)


def _days(days: float) -> str:
    return f"{days:g} day" + ("" if days == 1 else "s")


def signage_markdown(config: ServiceConfig, cameras: Sequence[CameraConfig]) -> str:
    """The entrance notice for ``config`` and its ``cameras`` (enabled ones are listed)."""
    p = config.privacy
    controller = _or_placeholder(p.controller, "controller name", "controller")
    contact = _or_placeholder(p.contact, "contact address", "contact")
    events = config.events
    lines = [
        "# Video surveillance with behaviour analysis",
        "",
        f"**Controller:** {controller}  ",
        f"**Contact:** {contact}  ",
    ]
    if p.dpo_contact.strip():
        lines.append(f"**Data protection officer:** {p.dpo_contact.strip()}  ")
    lines += [
        "",
        "## Why",
        "",
        "To prevent and detect theft. Software analyses the body movements seen by the "
        "cameras below and alerts staff when it sees possible concealment of goods; a "
        "person always reviews an alert before anything is done.",
        "",
        f"**Legal basis:** {p.legal_basis}",
        "",
        "## Cameras",
        "",
        "| Camera | What is kept when an incident is detected |",
        "|---|---|",
    ]
    enabled = [c for c in cameras if c.enabled]
    lines += [f"| {c.name} | {MODE_TEXT[c.privacy]} |" for c in enabled]
    if not enabled:
        lines.append("| (no cameras configured) | |")
    lines += [
        "",
        "No video is recorded while no incident is detected: the system holds only the last "
        "few seconds in memory. For an incident it keeps "
        f"{events.pre_roll_s:g} s before it to {events.post_roll_s:g} s after it.",
    ]
    hours = config.feedback.track_log_hours
    if hours:
        lines.append(f"Body poses (stick figures: joint positions, no images) of people in "
                     f"view are kept for {hours:g} hours to improve detection, then deleted.")
    lines += [
        "",
        "## No biometric identification",
        "",
        "The system analyses body poses. It does **not** recognise faces, does not identify "
        "anyone, and does not follow people across cameras or visits: a person is a number "
        "on one camera for as long as they are in view, and numbers start again when the "
        "system restarts. No face templates or appearance features are stored.",
        "",
        "## How long",
        "",
    ]
    days = config.storage.retention_days
    if days is not None:
        lines.append(f"Recordings of incidents are deleted after {_days(days)}, unless "
                     "staff confirmed the incident; those are kept as evidence for the case "
                     "and deleted by staff when it is closed.")
    else:
        lines.append("Recordings of incidents are deleted when storage space is needed, "
                     "oldest first, unless staff confirmed the incident.")
    lines += [
        "Every viewing, download, export and deletion of a recording is logged.",
        "",
        "## Your rights",
        "",
        "You may ask for a copy of recordings of you, for their erasure or restriction, and "
        "you may object to the processing. Tell us the place, date and approximate time of "
        f"your visit: {contact}. You may also complain to your data protection authority.",
        "",
    ]
    return "\n".join(lines)
