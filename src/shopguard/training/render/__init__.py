"""Synthetic CCTV video of generated store scenes (see ``docs/synthetic-data.md``)."""

from shopguard.training.render.video import (
    RenderedFrame,
    SceneRenderer,
    render_scene_video,
    scene_ground_truth,
)

__all__ = ["RenderedFrame", "SceneRenderer", "render_scene_video", "scene_ground_truth"]
