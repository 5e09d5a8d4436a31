"""Render a synthetic :class:`Scene` to an H.264 MP4 plus per-frame ground truth JSON.

Frames are composed as: ray-cast store background → floor shadows → shoppers far to
near, each z-tested against the background depth (so shelves hide them) → CCTV look
(slight blur, sensor noise, timestamp and a "SIMULATED" caption).

Ground truth (``<video>.json``) per frame and visible shopper: the box of the pixels
actually showing that person (``box``), the box of their whole figure ignoring occluders
but clipped to the image (``full_box``), the fraction of the figure that is visible, the exact
keypoints (visibility 1 = in view and not behind a shelf or wall), the frame label and
the items in hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from shopguard.core import Image
from shopguard.keypoints import SKELETON_EDGES
from shopguard.training.render.background import Background, render_background
from shopguard.training.render.figure import draw_person
from shopguard.training.synth.camera import Camera
from shopguard.training.synth.generate import HELD_KINDS
from shopguard.training.synth.scene import Scene
from shopguard.training.synth.skeleton import HEAD_TOP, NECK, PELVIS
from shopguard.video.writer import Mp4Writer

#: How far (metres) a figure part may lie behind the background surface and still show
#: (a foot on the floor, a hand reaching into a shelf).
DEPTH_TOLERANCE = 0.15


@dataclass(slots=True)
class RenderedFrame:
    """One rendered frame and the ground truth of the shoppers visible in it."""

    index: int
    t: float
    image: Image
    people: list[dict[str, Any]]


class SceneRenderer:
    """Renders the frames of one scene (the background is ray-cast once)."""

    def __init__(self, scene: Scene, overlay: bool = True):
        self.scene = scene
        self.overlay = overlay
        rng = np.random.default_rng([scene.seed, 4242])
        self.background: Background = render_background(scene, rng)
        h, w = scene.camera.height, scene.camera.width
        self._noise = [rng.normal(0, 3.0, (h, w, 1)).astype(np.float32) for _ in range(6)]

    def __len__(self) -> int:
        return len(self.scene.times)

    def frame(self, fi: int) -> RenderedFrame:
        """Render frame ``fi``."""
        scene, bg = self.scene, self.background
        img = bg.image.copy()
        owner = np.full(img.shape[:2], -1, np.int32)
        cam = scene.camera
        present = [s for s in scene.shoppers if s.present[fi]]
        depth_of = {s.shopper_id: float(cam.to_camera(s.joints[fi, PELVIS])[2]) for s in present}
        for s in present:
            _shadow(img, scene, s.joints[fi, PELVIS])
        drawn = {}
        for s in sorted(present, key=lambda s: -depth_of[s.shopper_id]):
            layer = draw_person(cam, s, fi)
            if layer is None:
                continue
            h, w = layer.depth.shape
            sl = np.s_[layer.y0 : layer.y0 + h, layer.x0 : layer.x0 + w]
            show = layer.mask & (layer.depth < bg.depth[sl] + DEPTH_TOLERANCE)
            img[sl][show] = layer.color[show]
            owner[sl][show] = s.shopper_id
            my, mx = np.nonzero(layer.mask)
            full = [
                layer.x0 + int(mx.min()),
                layer.y0 + int(my.min()),
                layer.x0 + int(mx.max()) + 1,
                layer.y0 + int(my.max()) + 1,
            ]
            drawn[s.shopper_id] = (sl, len(mx), full)
        img = self._cctv(img, fi)
        people = []
        for s in present:
            if s.shopper_id not in drawn:
                continue
            sl, total, full_box = drawn[s.shopper_id]
            ys, xs = np.nonzero(owner[sl] == s.shopper_id)
            if len(xs) == 0:
                continue
            x0, y0 = sl[1].start, sl[0].start
            people.append(
                {
                    "id": s.shopper_id,
                    "role": s.role,
                    "box": [
                        int(x0 + xs.min()),
                        int(y0 + ys.min()),
                        int(x0 + xs.max() + 1),
                        int(y0 + ys.max() + 1),
                    ],
                    "full_box": full_box,
                    "visible_fraction": round(
                        len(xs) / max(total, 1) * _in_frame(cam, s.joints[fi]), 3
                    ),
                    "keypoints": np.round(s.keypoints[fi], 1).tolist(),
                    "label": int(s.labels[fi]),
                    "held": [HELD_KINDS[k] if k >= 0 else None for k in s.held[fi].tolist()],
                }
            )
        return RenderedFrame(fi, float(scene.times[fi]), img, people)

    def _cctv(self, img: Image, fi: int) -> Image:
        out = cv2.GaussianBlur(img, (3, 3), 0.7).astype(np.float32)
        out += self._noise[fi % len(self._noise)]
        frame = np.clip(out, 0, 255).astype(np.uint8)
        if self.overlay:
            t = self.scene.times[fi]
            stamp = f"CAM 01  {int(t // 3600):02d}:{int(t // 60 % 60):02d}:{t % 60:05.2f}"
            width = self.scene.camera.width
            for text, x in ((stamp, 12), ("SIMULATED", width - 140)):
                (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6, 1)
                cv2.rectangle(frame, (x - 6, 8), (x + tw + 6, 16 + th), (20, 20, 20), -1)
                cv2.putText(
                    frame,
                    text,
                    (x, 12 + th),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.6,
                    (235, 235, 235),
                    1,
                    cv2.LINE_AA,
                )
        return frame

    def __iter__(self) -> Iterator[RenderedFrame]:
        for fi in range(len(self)):
            yield self.frame(fi)


def _shadow(img: Image, scene: Scene, pelvis: np.ndarray) -> None:
    """Darken a soft ellipse on the floor under a shopper."""
    ang = np.linspace(0, 2 * np.pi, 16)
    ring = np.stack(
        [pelvis[0] + 0.32 * np.cos(ang), pelvis[1] + 0.32 * np.sin(ang), np.zeros_like(ang)], -1
    )
    uv, z = scene.camera.project(ring)
    if np.any(z < 0.5):
        return
    x0, y0 = np.floor(uv.min(0)).astype(int) - 2
    x1, y1 = np.ceil(uv.max(0)).astype(int) + 2
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, img.shape[1]), min(y1, img.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [np.round(uv - [x0, y0]).astype(np.int32)], 255)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, (x1 - x0) / 12)).astype(np.float32) / 255
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1 - 0.35 * mask[..., None])).astype(np.uint8)


_LIMBS = np.array([*SKELETON_EDGES, (NECK, PELVIS), (NECK, HEAD_TOP)])


def _in_frame(camera: Camera, joints: np.ndarray) -> float:
    """Fraction of points along the figure's limbs that project inside the image."""
    k = np.linspace(0, 1, 8)[:, None, None]
    pts = joints[_LIMBS[:, 0]][None] * (1 - k) + joints[_LIMBS[:, 1]][None] * k
    uv, z = camera.project(pts.reshape(-1, 3))
    inside = (
        (z > 0.3)
        & (uv[:, 0] >= 0)
        & (uv[:, 0] < camera.width)
        & (uv[:, 1] >= 0)
        & (uv[:, 1] < camera.height)
    )
    return float(inside.mean())


def scene_ground_truth(scene: Scene) -> dict[str, Any]:
    """Scene-level ground truth (everything but the per-frame records)."""
    return {
        "source": "synthetic",
        "simulated": True,
        "seed": scene.seed,
        "fps": scene.fps,
        "frame_size": list(scene.frame_size),
        "camera": scene.camera.meta(),
        "zones": scene.zones,
        "shoppers": [
            {
                "id": s.shopper_id,
                "role": s.role,
                "bag": s.bag,
                "theft_spans": _spans(scene.times, s.labels),
                "segments": s.segments,
            }
            for s in scene.shoppers
        ],
    }


def _spans(times: np.ndarray, labels: np.ndarray) -> list[list[float]]:
    """[start, end] times (seconds) of runs of label 1."""
    edges = np.diff(np.r_[0, labels.astype(np.int8), 0])
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1
    return [
        [round(float(times[a]), 3), round(float(times[b]), 3)]
        for a, b in zip(starts, ends, strict=True)
    ]


def render_scene_video(
    scene: Scene, out_path: str | Path, *, crf: int = 28, progress: bool = True
) -> Path:
    """Write the scene as H.264 MP4 at ``out_path`` and ground truth next to it (``.json``)."""
    out_path = Path(out_path)
    renderer = SceneRenderer(scene)
    frames = []
    with Mp4Writer(out_path, fps=scene.fps, crf=crf, preset="medium") as writer:
        for rf in tqdm(
            renderer, total=len(renderer), desc="render", unit="frame", disable=not progress
        ):
            writer.write(rf.image)
            frames.append({"index": rf.index, "t": round(rf.t, 3), "people": rf.people})
    gt = {**scene_ground_truth(scene), "video": out_path.name, "frames": frames}
    out_path.with_suffix(".json").write_text(json.dumps(gt, separators=(",", ":")))
    return out_path
