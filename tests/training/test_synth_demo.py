"""The demo scene's acceptance rule."""

from __future__ import annotations

import numpy as np

from shopguard.training.synth import generate_scene
from shopguard.training.synth.demo import is_good_demo, theft_spans


def test_theft_spans_match_the_labels_and_the_rule_rejects_scenes_without_two_thefts() -> None:
    scene = generate_scene(4, duration=40.0, fps=5.0, n_shoppers=3, n_thieves=1)
    spans = theft_spans(scene)
    for sid, start, end in spans:
        s = scene.shoppers[sid]
        inside = (scene.times >= start) & (scene.times <= end)
        assert s.labels[inside].all() and s.role == "thief"
    assert sum(int(s.labels.sum()) for s in scene.shoppers) == sum(
        int(((scene.times >= a) & (scene.times <= b)).sum()) for _, a, b in spans
    )
    assert not is_good_demo(scene)  # one thief at most
    calm = generate_scene(4, duration=20.0, fps=5.0, n_shoppers=2, n_thieves=0)
    assert theft_spans(calm) == [] and not is_good_demo(calm)
    assert not any(np.any(s.labels) for s in calm.shoppers)
