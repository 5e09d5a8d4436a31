"""New synthetic clips every epoch: seeds, worker generation, training on a changing set
and the ``--fresh`` command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from shopguard.behavior.config import FeatureConfig
from shopguard.cli import main
from shopguard.training.fresh import (
    MAX_CHUNKS,
    FreshSynthetic,
    FreshWindows,
    WindowRecipe,
    fresh_seed,
)
from shopguard.training.synth import iter_clips
from shopguard.training.synth.generate import SPLIT_SEEDS
from shopguard.training.train import TrainConfig, WindowSet, build_windows, train_model

RECIPE = WindowRecipe(FeatureConfig(rate_hz=5, window_s=2.0), stride_s=1.0)


def test_fresh_seeds_are_distinct_and_never_a_fixed_split():
    seeds = {fresh_seed(e, c) for e in range(1, 40) for c in range(MAX_CHUNKS)}
    assert len(seeds) == 39 * MAX_CHUNKS
    assert not seeds & set(SPLIT_SEEDS.values())
    assert fresh_seed(3, 7) == fresh_seed(3, 7)
    for bad in ((0, 0), (1, -1), (1, MAX_CHUNKS)):
        with pytest.raises(ValueError):
            fresh_seed(*bad)


def test_chunks_cover_the_epoch_and_bad_sizes_are_refused():
    assert FreshSynthetic(10, chunk=4).chunk_sizes() == [4, 4, 2]
    assert FreshSynthetic(8, chunk=4).chunk_sizes() == [4, 4]
    for kwargs in ({"clips_per_epoch": 0}, {"clips_per_epoch": 5, "workers": 0},
                   {"clips_per_epoch": 5, "chunk": 0},
                   {"clips_per_epoch": MAX_CHUNKS + 1, "chunk": 1}):
        with pytest.raises(ValueError):
            FreshSynthetic(**kwargs)


def _same(a: WindowSet, b: WindowSet) -> bool:
    return a.x.shape == b.x.shape and bool(np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y))


def test_each_epoch_gets_its_own_reproducible_clips():
    spec = FreshSynthetic(3, workers=1, chunk=2, theft_fraction=1.0)
    with FreshWindows(spec, RECIPE, epochs=2) as source:
        first, second = source(1), source(2)
        with pytest.raises(ValueError, match="outside"):
            source(3)
        stats = dict(source.stats)
    clips = [*iter_clips(fresh_seed(1, 0), 2, theft_fraction=1.0),
             *iter_clips(fresh_seed(1, 1), 1, theft_fraction=1.0)]
    expected = build_windows(clips, RECIPE.features, RECIPE.stride_s)
    assert _same(first, expected)  # exactly the recipe's windows of those clips
    assert not _same(first, second)
    assert first.y.any() and second.y.any()  # all thieves
    # clip ids stay distinct across chunks: chunk 1's clip is number 2 of the epoch
    assert set(np.unique(first.clip)) <= {0, 1, 2} and 2 in set(first.clip)
    assert stats["epochs"] == 2 and stats["clips"] == 6
    assert stats["windows"] == len(first) + len(second)


def _windows(seed: int, n: int) -> WindowSet:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.float32)
    x = rng.normal(size=(n, 4, 104)).astype(np.float16)
    x[y == 1] += 1.0  # learnable
    return WindowSet(x, y, np.arange(n), np.ones(n, np.float32), np.full(n, -1))


def test_training_takes_each_epochs_set_and_never_more_batches_than_the_first():
    asked: list[int] = []
    sizes = {1: 100, 2: 300, 3: 40}

    def source(epoch: int) -> WindowSet:
        asked.append(epoch)
        return _windows(epoch, sizes[epoch])

    cfg = TrainConfig(arch="lstm", hidden=4, epochs=3, batch_size=32, lr=0.02, patience=3,
                      threads=1)
    result = train_model(source, _windows(9, 60), cfg, progress=False)
    assert asked == [1, 2, 3]
    # the one-cycle schedule has 3 × 4 steps: epoch 2 is cut to the first epoch's 4 batches
    # (it would fail stepping past the schedule's end otherwise); epoch 3 is smaller
    assert [h["epoch"] for h in result.history] == [1, 2, 3]
    assert result.val_pr_auc > 0.5


def test_train_fresh_from_the_command_line(tmp_path):
    out = tmp_path / "run"
    argv = ["train", "--fresh", "--train-clips", "6", "--workers", "1", "--val-clips", "6",
            "--epochs", "2", "--window-s", "2", "--hidden", "8", "--threads", "1",
            "--noise", "pose-fit", "--out", str(out)]
    assert main(argv) == 0
    summary = json.loads((out / "metrics.json").read_text())
    train = summary["data"]["train"]
    assert train["epochs"] == 2 and train["clips"] == 12 and train["clips_per_epoch"] == 6
    assert "6 new train clips per epoch" in summary["data"]["source"]
    assert summary["data"]["source"].endswith("pose-fit noise)")
    assert (out / "model.onnx").stat().st_size > 0


@pytest.mark.parametrize("option", [["--fresh"], ["--noise", "pose-fit"]])
def test_synthetic_options_refuse_a_dataset(tmp_path, capsys, option):
    argv = ["train", *option, "--data", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert "do not apply to --data" in capsys.readouterr().err
