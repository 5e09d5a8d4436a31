"""Labelled pose clips of rendered scenes, as the product sees them.

The synthetic generator's clips carry its own keypoints plus simulated noise. To measure
(and train on) what a camera worker really gets, a scene is rendered to video, the real
pose model and tracker run over it (``shopguard analyze``), and each track's frames are
matched to the scene's ground-truth shoppers by box overlap: a frame is labelled 1 when
the shopper it matches is concealing an item at that time. Tracks keep the tracker's
identity switches and fragments, and the keypoints keep the pose model's errors.

Example:
    >>> clips = rendered_clips(7001, Path("data/rendered"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopguard.core import Tracks
from shopguard.training.clip import PoseClip
from shopguard.training.feedback import MIN_FRAMES, track_arrays
from shopguard.vision.nms import box_iou
from shopguard.vision.tracks_jsonl import read_tracks_jsonl

Frames = Sequence[tuple[float, Tracks]]

#: A track box matches a shopper when their IoU is at least this.
MIN_IOU = 0.3


def _truth_people(truth: dict[str, Any]) -> tuple[npt.NDArray[np.float64], list[list[dict]]]:
    frames = truth["frames"]
    return np.array([f["t"] for f in frames], np.float64), [f["people"] for f in frames]


def _matched_shopper(box: npt.ArrayLike, people: list[dict], min_iou: float) -> int | None:
    """The id of the shopper whose visible or whole-figure box overlaps ``box`` most."""
    if not people:
        return None
    boxes = np.array([[*p["box"], *p["full_box"]] for p in people], np.float32).reshape(-1, 4)
    ious = box_iou(np.asarray(box, np.float32).reshape(1, 4), boxes).reshape(-1, 2).max(axis=1)
    best = int(ious.argmax())
    return int(people[best]["id"]) if ious[best] >= min_iou else None


def _concealing(shopper: dict[str, Any], t: float) -> bool:
    return any(start <= t <= end for start, end in shopper["theft_spans"])


def scene_truth(clip: PoseClip, videos: Path) -> dict[str, Any]:
    """The ground truth of the scene a rendered clip comes from (``videos/synth_<seed>.json``,
    where ``shopguard synth rendered`` keeps it)."""
    seed = str(clip.meta["camera"]).removeprefix("rendered")
    return dict(json.loads((videos / f"synth_{seed}.json").read_text()))


def true_keypoints(
    clip: PoseClip, truth: dict[str, Any], *, min_iou: float = MIN_IOU
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per frame of a rendered track: the exact keypoints (17, 3; visibility as the
    confidence) of the shopper its box matches, and that shopper's visible box height;
    all zeros where the box matches nobody."""
    truth_t, truth_people = _truth_people(truth)
    kps = np.zeros_like(clip.keypoints)
    heights = np.zeros(len(clip), np.float32)
    for i, (t, box) in enumerate(zip(clip.timestamps, clip.boxes, strict=True)):
        people = truth_people[int(np.abs(truth_t - t).argmin())]
        shopper = _matched_shopper(box, people, min_iou)
        if shopper is not None:
            person = next(p for p in people if int(p["id"]) == shopper)
            kps[i] = np.asarray(person["keypoints"], np.float32)
            heights[i] = person["box"][3] - person["box"][1]
    return kps, heights


def truth_visits(
    truth: dict[str, Any], times: npt.ArrayLike, *, confidence: float = 0.8,
    name: str = "rendered",
) -> list[PoseClip]:
    """One clip per shopper of a rendered scene from its ground truth alone, as if
    tracked perfectly at ``times`` (the analysed frames): exact keypoints with
    ``confidence`` for every joint in view (0 for hidden ones), the visible box, and
    labels from the shopper's theft spans. What the behaviour model would get with a
    perfect pose model and tracker."""
    truth_t, truth_people = _truth_people(truth)
    seen: dict[int, dict[float, tuple[Any, Any]]] = {}
    for t in np.asarray(times, np.float64):
        for person in truth_people[int(np.abs(truth_t - t).argmin())]:
            kps = np.asarray(person["keypoints"], np.float32)
            if (kps[:, 2] > 0).any():
                kps[:, 2] = np.where(kps[:, 2] > 0, confidence, 0.0)
                kps[:, :2] *= kps[:, 2:] > 0
                seen.setdefault(int(person["id"]), {})[float(t)] = (kps, person["box"])
    return _shopper_clips(truth, seen, name, "rendered-truth")


def tracks_by_shopper(
    clips: Sequence[PoseClip], truth: dict[str, Any], *, min_iou: float = MIN_IOU,
    name: str = "rendered",
) -> list[PoseClip]:
    """The pose model's tracked detections of a scene regrouped into one clip per shopper:
    every frame goes to the shopper its box matches (the first track wins where two match
    the same shopper at once). What the behaviour model would get with the real pose model
    and a tracker that never breaks or swaps identities."""
    truth_t, truth_people = _truth_people(truth)
    seen: dict[int, dict[float, tuple[Any, Any]]] = {}
    for clip in clips:
        for t, box, kps in zip(clip.timestamps, clip.boxes, clip.keypoints, strict=True):
            people = truth_people[int(np.abs(truth_t - t).argmin())]
            shopper = _matched_shopper(box, people, min_iou)
            if shopper is not None:
                seen.setdefault(shopper, {}).setdefault(float(t), (kps, box))
    return _shopper_clips(truth, seen, name, "rendered-by-shopper")


def _shopper_clips(
    truth: dict[str, Any], seen: dict[int, dict[float, tuple[Any, Any]]], name: str,
    source: str,
) -> list[PoseClip]:
    """Clips of each shopper's (keypoints, box) by time, labelled from the theft spans."""
    shoppers = {int(s["id"]): s for s in truth["shoppers"]}
    clips = []
    for shopper, frames in sorted(seen.items()):
        if len(frames) < MIN_FRAMES:
            continue
        stamps = np.array(sorted(frames), np.float64)
        kps = np.array([frames[t][0] for t in stamps], np.float32).reshape(-1, 17, 3)
        boxes = np.array([frames[t][1] for t in stamps], np.float32).reshape(-1, 4)
        labels = np.array([_concealing(shoppers[shopper], t) for t in stamps], np.uint8)
        meta = {
            "clip_id": f"{name}-s{shopper}",
            "camera": name,
            "source": source,
            "simulated": True,
            "fps": round(float(1 / np.median(np.diff(stamps))), 2),
            "frame_size": truth["frame_size"],
            "zones": truth["zones"],
            "shoppers": {str(shopper): len(frames)},
        }
        clips.append(PoseClip(kps, boxes, stamps, labels, meta))
    return clips


def label_tracks(
    frames: Frames, truth: dict[str, Any], *, min_iou: float = MIN_IOU, name: str = "rendered"
) -> list[PoseClip]:
    """One labelled clip per track of ``frames`` (analysed frames of the scene's video).

    Frames a track shares with no shopper (a false detection, a box straddling two people)
    are labelled 0. ``meta["shoppers"]`` counts the frames matched to each shopper.
    """
    truth_t, truth_people = _truth_people(truth)
    shoppers = {int(s["id"]): s for s in truth["shoppers"]}
    ids = sorted({int(i) for _, tracks in frames for i in tracks.ids})
    clips = []
    for track_id in ids:
        kps, boxes, times = track_arrays(frames, track_id)
        if len(times) < MIN_FRAMES:
            continue
        labels = np.zeros(len(times), np.uint8)
        matched: Counter[int] = Counter()
        for i, (t, box) in enumerate(zip(times, boxes, strict=True)):
            people = truth_people[int(np.abs(truth_t - t).argmin())]
            shopper = _matched_shopper(box, people, min_iou)
            if shopper is not None:
                matched[shopper] += 1
                labels[i] = _concealing(shoppers[shopper], float(t))
        gaps = np.diff(times)
        meta = {
            "clip_id": f"{name}-t{track_id}",
            "camera": name,
            "source": "rendered",
            "simulated": True,
            "fps": round(float(1 / np.median(gaps)), 2) if len(gaps) else 0.0,
            "frame_size": truth["frame_size"],
            "zones": truth["zones"],
            "track_id": track_id,
            "shoppers": {str(k): v for k, v in matched.most_common()},
        }
        clips.append(PoseClip(kps, boxes, times, labels, meta))
    return clips


def analyse_rendered(
    video: Path, *, analysis_fps: float = 5.0, threads: int | None = 1, name: str | None = None
) -> list[PoseClip]:
    """Run the pose model and tracker over a rendered video (ground truth in its ``.json``)
    and label the tracks."""
    from shopguard.commands.analyze import analyze

    truth = json.loads(video.with_suffix(".json").read_text())
    with tempfile.TemporaryDirectory(prefix="shopguard-rendered-") as tmp:
        analyze(video, tmp, fps=analysis_fps, threads=threads, annotate=False, progress=False)
        frames = [(t, tracks) for _, t, tracks in read_tracks_jsonl(Path(tmp) / "tracks.jsonl")]
    return label_tracks(frames, truth, name=name or video.stem)


def rendered_clips(
    seed: int,
    video_dir: Path,
    *,
    duration: float = 60.0,
    fps: float = 10.0,
    analysis_fps: float = 5.0,
    threads: int | None = 1,
    n_thieves: int | None = None,
) -> list[PoseClip]:
    """Render scene ``seed`` into ``video_dir`` (unless it is there already), analyse it
    like a camera worker would and return its labelled tracks."""
    from shopguard.training.render import render_scene_video
    from shopguard.training.synth import generate_scene

    video = video_dir / f"synth_{seed}.mp4"
    if not (video.is_file() and video.with_suffix(".json").is_file()):
        scene = generate_scene(seed, duration=duration, fps=fps, n_thieves=n_thieves)
        render_scene_video(scene, video, progress=False)
    return analyse_rendered(video, analysis_fps=analysis_fps, threads=threads,
                            name=f"rendered{seed}")
