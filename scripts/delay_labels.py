#!/usr/bin/env python3
"""Copy a native dataset with every clip's frame labels delayed by D seconds.

A model trained on the copy learns to call a concealment D seconds after it happens: each
window is labelled with the label of the frame D seconds before its end, so the window
also holds what followed (the hand coming back empty, or staying where it was). Used to
measure what hindsight adds (``docs/model-card-behavior.md``); the product's models are
trained on the labels as they are.

Usage::

    python scripts/delay_labels.py runs/synth-train4k/train runs/delay2/train --delay-s 2
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import read_native_dir, write_native_dir


def delayed(clip: PoseClip, delay_s: float) -> PoseClip:
    """``clip`` whose label at time t is its label at t − ``delay_s`` (0 before the start)."""
    t = clip.timestamps
    source = np.searchsorted(t, t - delay_s + 1e-9, side="right") - 1
    labels = np.where(source >= 0, clip.labels[np.maximum(source, 0)], 0).astype(np.uint8)
    return replace(clip, labels=labels, meta={**clip.meta, "label_delay_s": delay_s})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder of native .npz clips")
    parser.add_argument("out", type=Path, help="folder to write the delayed copies to")
    parser.add_argument("--delay-s", type=float, required=True, help="seconds (≥ 0)")
    args = parser.parse_args()
    if args.delay_s < 0:
        parser.error("--delay-s must be ≥ 0")
    clips = [delayed(c, args.delay_s) for c in read_native_dir(args.source)]
    write_native_dir(args.out, clips)
    print(f"wrote {len(clips)} clips with labels delayed by {args.delay_s:g} s to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
