"""Procedural synthetic shoppers: 3D stick bodies driven by keyframed behaviours,
seen through a pinhole CCTV camera. See ``docs/synthetic-data.md``.

Public API: :func:`generate_clips`, :func:`generate_split`, :func:`generate_scene`,
:func:`scene_clips` and the :class:`Scene` / :class:`ShopperTrack` containers.
"""

from shopguard.training.synth.camera import Camera
from shopguard.training.synth.generate import (
    HELD_KINDS,
    SPLIT_SEEDS,
    generate_clips,
    generate_scene,
    generate_split,
    iter_clips,
    scene_clips,
    split_seed,
)
from shopguard.training.synth.scene import Appearance, Scene, ShopperTrack, Store

__all__ = [
    "HELD_KINDS",
    "SPLIT_SEEDS",
    "Appearance",
    "Camera",
    "Scene",
    "ShopperTrack",
    "Store",
    "generate_clips",
    "generate_scene",
    "generate_split",
    "iter_clips",
    "scene_clips",
    "split_seed",
]
