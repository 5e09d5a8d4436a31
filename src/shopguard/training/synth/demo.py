"""The bundled demo scene: a 75 s store clip with two thefts in its first minute.

``shopguard synth demo --out src/shopguard/data/demo`` renders it to
``store_demo.mp4`` (1280×720, 15 fps, H.264) and ``store_demo.json`` (ground truth).
The scene is the first seed from :data:`DEMO_BASE_SEED` that satisfies
:func:`is_good_demo`, so the file is reproducible.
"""

from __future__ import annotations

import numpy as np

from shopguard.training.synth.generate import generate_scene
from shopguard.training.synth.scene import Scene

DEMO_BASE_SEED = 2025
DEMO_DURATION = 75.0
DEMO_FPS = 15.0
DEMO_SHOPPERS = 7
DEMO_THIEVES = 2
#: Thefts must start after this and end before ``THEFT_DEADLINE`` (seconds).
THEFT_EARLIEST = 5.0
THEFT_DEADLINE = 58.0


def theft_spans(scene: Scene) -> list[tuple[int, float, float]]:
    """(shopper id, start, end) of every labelled concealment in the scene."""
    out = []
    for s in scene.shoppers:
        edges = np.diff(np.r_[0, s.labels.astype(np.int8), 0])
        for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1, strict=True):
            out.append((s.shopper_id, float(scene.times[a]), float(scene.times[b])))
    return out


def is_good_demo(scene: Scene) -> bool:
    """Every thief conceals once, in [THEFT_EARLIEST, THEFT_DEADLINE] s, fully in view."""
    spans = theft_spans(scene)
    if len(spans) != DEMO_THIEVES or len({sid for sid, _, _ in spans}) != DEMO_THIEVES:
        return False
    for sid, start, end in spans:
        if start < THEFT_EARLIEST or end > THEFT_DEADLINE:
            return False
        shopper = scene.shoppers[sid]
        frames = shopper.labels.astype(bool)
        visible = (shopper.keypoints[frames, :, 2] > 0).sum(1)
        if np.mean(visible >= 15) < 0.9:
            return False
    return True


def demo_scene(max_tries: int = 500) -> Scene:
    """The demo scene (first good seed from ``DEMO_BASE_SEED``)."""
    for seed in range(DEMO_BASE_SEED, DEMO_BASE_SEED + max_tries):
        scene = generate_scene(
            seed,
            duration=DEMO_DURATION,
            fps=DEMO_FPS,
            n_shoppers=DEMO_SHOPPERS,
            n_thieves=DEMO_THIEVES,
        )
        if is_good_demo(scene):
            return scene
    raise RuntimeError(f"no good demo scene in {max_tries} seeds from {DEMO_BASE_SEED}")
