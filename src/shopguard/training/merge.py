"""Merge datasets (synthetic, store reviews, PoseLift) into one native dataset with
``train/``, ``val/`` and ``test/`` splits that never share a person.

Clips are split by **group**, never one by one: a store clip's group is its camera and day
(a person's visit never spans two days, and track ids reset), a PoseLift clip's group is
its video, a synthetic clip's group is its visit (a visit cut in two, ``…a``/``…b``, stays
together). A stable hash of the group picks the split, so adding data later never moves an
old group to another split. ``test_cameras`` sends whole cameras to ``test`` (evaluation
on cameras training never saw), and a clip already marked ``split: test`` (PoseLift's
``Test/``) stays in test.

Example:
    >>> splits = split_clips(clips, SplitConfig(test_cameras=frozenset({"door"})))  # doctest: +SKIP
    >>> balance_report(splits)["test"]["positive_clips"]  # doctest: +SKIP
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import write_native_dir
from shopguard.training.report import write_json

SPLITS = ("train", "val", "test")
_VISIT = re.compile(r"^(syn-\d+-\d+)[ab]?$")


@dataclass(frozen=True, slots=True)
class SplitConfig:
    """Fractions of groups for validation and test, and cameras held out for test."""

    val_fraction: float = 0.15
    test_fraction: float = 0.15
    test_cameras: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if min(self.val_fraction, self.test_fraction) < 0 or (
            self.val_fraction + self.test_fraction >= 1
        ):
            raise ValueError("need val_fraction, test_fraction >= 0 with a sum below 1")


def camera_of(clip: PoseClip) -> str:
    """The clip's camera id ("" when the camera is not a named store camera)."""
    camera = clip.meta.get("camera")
    return camera if isinstance(camera, str) else ""


def group_of(clip: PoseClip) -> str:
    """The unit that must not be split across train, val and test (see the module doc)."""
    meta = clip.meta
    source = str(meta.get("source", ""))
    if meta.get("day"):
        return f"{source}/{camera_of(clip)}/{meta['day']}"
    if meta.get("video"):
        return f"{source}/{meta['video']}"
    match = _VISIT.match(clip.clip_id)
    return f"{source}/{match.group(1) if match else clip.clip_id}"


def split_of(clip: PoseClip, cfg: SplitConfig) -> str:
    """``train``, ``val`` or ``test`` for one clip."""
    if camera_of(clip) in cfg.test_cameras or clip.meta.get("split") == "test":
        return "test"
    bucket = (zlib.crc32(group_of(clip).encode()) % 10_000) / 10_000
    if bucket < cfg.test_fraction:
        return "test"
    return "val" if bucket < cfg.test_fraction + cfg.val_fraction else "train"


def split_clips(clips: Iterable[PoseClip], cfg: SplitConfig) -> dict[str, list[PoseClip]]:
    """Clips by split; raises ``ValueError`` if a group ends up in two splits."""
    splits: dict[str, list[PoseClip]] = {name: [] for name in SPLITS}
    where: dict[str, set[str]] = defaultdict(set)
    for clip in clips:
        name = split_of(clip, cfg)
        splits[name].append(clip)
        where[group_of(clip)].add(name)
    leaks = sorted(g for g, names in where.items() if len(names) > 1)
    if leaks:
        raise ValueError(f"groups in more than one split (a clip marked split=test shares "
                         f"a group with others?): {', '.join(leaks[:5])}")
    return splits


def _stats(clips: Sequence[PoseClip]) -> dict[str, Any]:
    frames = sum(len(c) for c in clips)
    positive = sum(int(c.labels.sum()) for c in clips)
    return {
        "clips": len(clips),
        "positive_clips": sum(bool(c.labels.any()) for c in clips),
        "frames": frames,
        "positive_frames": positive,
        "positive_frame_fraction": positive / frames if frames else 0.0,
        "hours": round(sum(c.duration for c in clips) / 3600, 4),
        "groups": len({group_of(c) for c in clips}),
    }


def balance_report(splits: Mapping[str, Sequence[PoseClip]]) -> dict[str, Any]:
    """Clips, positives, frames and hours per split, and per source and camera within it."""
    report: dict[str, Any] = {}
    for name, clips in splits.items():
        by_source: dict[str, list[PoseClip]] = defaultdict(list)
        by_camera: dict[str, list[PoseClip]] = defaultdict(list)
        for c in clips:
            by_source[str(c.meta.get("source", "?"))].append(c)
            if camera_of(c):
                by_camera[camera_of(c)].append(c)
        report[name] = _stats(clips) | {
            "by_source": {k: _stats(v) for k, v in sorted(by_source.items())},
            "by_camera": {k: _stats(v) for k, v in sorted(by_camera.items())},
            "labels": dict(Counter(str(c.meta.get("label", "")) for c in clips
                                   if c.meta.get("label"))),
        }
    return report


def format_balance(report: Mapping[str, Any]) -> str:
    """The balance report as a small text table (one row per split and source)."""
    lines = [f"{'split':<6} {'source':<10} {'clips':>6} {'theft':>6} {'frames':>8} "
             f"{'pos %':>6} {'hours':>7}"]
    for split, row in report.items():
        for source, s in [("all", row), *row["by_source"].items()]:
            lines.append(
                f"{split:<6} {source:<10} {s['clips']:>6} {s['positive_clips']:>6} "
                f"{s['frames']:>8} {100 * s['positive_frame_fraction']:>6.2f} {s['hours']:>7.3f}"
            )
    return "\n".join(lines)


def _unique_ids(named: Iterable[tuple[str, Sequence[PoseClip]]]) -> list[PoseClip]:
    """All clips, ids prefixed by their source name where needed so that none collide."""
    out, seen = [], set()
    for name, clips in named:
        for clip in clips:
            clip_id = clip.clip_id if clip.clip_id.startswith(f"{name}-") else \
                f"{name}-{clip.clip_id}"
            if clip_id in seen:
                raise ValueError(f"clip id {clip_id!r} appears twice")
            seen.add(clip_id)
            clip.meta["clip_id"] = clip_id
            out.append(clip)
    return out


def merge(
    named: Iterable[tuple[str, Sequence[PoseClip]]], out: Path, cfg: SplitConfig
) -> dict[str, Any]:
    """Write ``out/{train,val,test}/*.npz`` and ``out/balance.json``; returns the balance."""
    clips = _unique_ids(named)
    splits = split_clips(clips, cfg)
    for name, part in splits.items():
        write_native_dir(out / name, part)
    report = balance_report(splits)
    write_json(out / "balance.json", {"split_config": {
        "val_fraction": cfg.val_fraction, "test_fraction": cfg.test_fraction,
        "test_cameras": sorted(cfg.test_cameras)}, "splits": report})
    return report
