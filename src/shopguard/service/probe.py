"""“Test connection” for a camera URL: open it and decode one frame in a child process.

The API process never decodes video (a hostile or broken stream must not take it down),
so the probe runs in a short-lived process with a hard time limit.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

from shopguard.video.source import Backoff, SourceError, SourceSettings, VideoSource


def _probe(url: str, timeout_s: float, results: Any) -> None:
    settings = SourceSettings(
        live=False, open_timeout_s=timeout_s, read_timeout_s=timeout_s,
        backoff=Backoff(max_attempts=0),
    )
    source = VideoSource(url, "probe", settings)
    started = time.monotonic()
    try:
        frame = next(source.frames(), None)
    except (SourceError, OSError) as exc:
        results.put({"ok": False, "error": str(exc)})
        return
    if frame is None:
        error = source.status.last_error or f"no video frames from {url}"
        results.put({"ok": False, "error": error})
        return
    results.put(
        {
            "ok": True,
            "width": frame.width,
            "height": frame.height,
            "fps": round(source.status.source_fps, 2),
            "seconds_to_first_frame": round(time.monotonic() - started, 2),
        }
    )


def probe_camera(url: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """Try ``url``: ``{"ok": True, "width", "height", "fps", ...}`` or ``{"ok": False,
    "error": "..."}``; never raises and never takes longer than about ``timeout_s`` + 5 s."""
    ctx = mp.get_context("spawn")
    results: Any = ctx.Queue(1)
    process = ctx.Process(target=_probe, args=(url, timeout_s, results), daemon=True)
    process.start()
    process.join(timeout_s + 5.0)
    if process.is_alive():
        process.kill()
        process.join(2)
        return {"ok": False, "error": f"no answer from {url} within {timeout_s:.0f} s"}
    try:
        result: dict[str, Any] = results.get(timeout=1.0)
    except Exception:  # the child died without a word (crash in a decoder)
        return {"ok": False, "error": f"probe of {url} crashed (exit code {process.exitcode})"}
    return result
