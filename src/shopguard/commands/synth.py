"""``shopguard synth``: synthetic training data and simulated store videos.

``shopguard synth data --out DIR --split train --n 500`` writes a native dataset
(one ``.npz`` per clip) into ``DIR/train``; ``shopguard synth video --out DIR --seed N
--duration S`` renders a store scene to H.264 MP4 plus its ground truth JSON;
``shopguard synth demo`` renders the bundled demo video; ``shopguard synth rendered --out DIR
--seeds 7001 7002`` renders scenes, runs the real pose model and tracker over them and writes
their tracks as labelled clips (``DIR/<clip>.npz``; videos in ``DIR/videos``);
``shopguard synth scenes --out DIR --split train --first-seed 30000 --n 300 --noise pose-slip``
writes the shoppers of unrendered scenes as a pose model would report them
(``DIR/train/scene-<seed>-<shopper>.npz``): rendered scenes' kind of shoppers and camera,
without the cost of rendering.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from shopguard.training.clip import PoseClip
from shopguard.training.datasets.native import write_clip
from shopguard.training.synth import iter_clips, split_seed
from shopguard.training.synth.observe import CLASSIC_NOISE, NOISE_PROFILES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``synth`` sub-command and its ``data`` / ``video`` actions."""
    parser = subparsers.add_parser(
        "synth",
        help="generate synthetic pose data or simulated store videos",
        description="Procedural synthetic shoppers (see docs/synthetic-data.md).",
    )
    actions = parser.add_subparsers(dest="synth_command", metavar="ACTION", required=True)
    data = actions.add_parser("data", help="write a native pose dataset (.npz per clip)")
    data.add_argument("--out", required=True, type=Path, help="output directory")
    data.add_argument("--split", choices=("train", "val", "test"), default="train")
    data.add_argument("--n", type=int, default=500, help="number of clips")
    data.add_argument("--seed", type=int, default=None, help="base seed (default: the split's)")
    data.add_argument("--theft-fraction", type=float, default=0.3)
    data.add_argument(
        "--noise", choices=sorted(NOISE_PROFILES), default=CLASSIC_NOISE.name,
        help="keypoint noise: classic (default), pose-fit (sized like the real pose model's "
             "errors on rendered scenes), pose-slip (also its misplaced wrists), exact (a "
             "perfect pose model: every joint in view at its true place) or exact-positions "
             "(classic confidences and lost joints, true places)")
    data.set_defaults(func=run_data)
    video = actions.add_parser("video", help="render a simulated store video + ground truth")
    video.add_argument("--out", required=True, type=Path, help="output directory")
    video.add_argument("--seed", type=int, default=0)
    video.add_argument("--duration", type=float, default=60.0, help="seconds")
    video.add_argument("--fps", type=float, default=15.0)
    video.add_argument("--shoppers", type=int, default=None, help="number of shoppers")
    video.add_argument("--thieves", type=int, default=None, help="how many of them steal")
    video.add_argument("--crf", type=int, default=28, help="H.264 quality (lower = larger)")
    video.set_defaults(func=run_video)
    demo = actions.add_parser("demo", help="render the bundled demo video (store_demo.mp4)")
    demo.add_argument("--out", type=Path, default=Path("src/shopguard/data/demo"))
    demo.add_argument("--crf", type=int, default=28, help="H.264 quality (lower = larger)")
    demo.set_defaults(func=run_demo)
    rendered = actions.add_parser(
        "rendered", help="labelled clips of rendered scenes, as seen by the real pose model")
    rendered.add_argument("--out", required=True, type=Path, help="output directory")
    rendered.add_argument("--seeds", required=True, type=int, nargs="+", help="scene seeds")
    rendered.add_argument("--duration", type=float, default=60.0, help="seconds per scene")
    rendered.add_argument("--fps", type=float, default=10.0, help="rendered frames per second")
    rendered.add_argument("--analysis-fps", type=float, default=5.0,
                          help="analysed frames per second (the camera worker's default)")
    rendered.add_argument("--thieves", type=int, default=None,
                          help="shoppers who steal per scene (default: a quarter of them)")
    rendered.add_argument("--threads", type=int, default=1, help="pose model threads")
    rendered.set_defaults(func=run_rendered)
    scenes = actions.add_parser(
        "scenes", help="shoppers of unrendered store scenes as native clips (one per shopper)")
    scenes.add_argument("--out", required=True, type=Path, help="output directory")
    scenes.add_argument("--split", choices=("train", "val", "test"), default="train",
                        help="sub-directory to write into")
    scenes.add_argument("--first-seed", type=int, required=True, help="first scene seed")
    scenes.add_argument("--n", type=int, default=100, help="number of scenes")
    scenes.add_argument("--duration", type=float, default=60.0, help="seconds per scene")
    scenes.add_argument("--fps", type=float, default=10.0)
    scenes.add_argument("--thieves", type=int, default=None,
                        help="shoppers who steal per scene (default: a quarter of them)")
    scenes.add_argument("--noise", choices=sorted(NOISE_PROFILES), default=CLASSIC_NOISE.name,
                        help="keypoint noise profile (docs/synthetic-data.md)")
    scenes.set_defaults(func=run_scenes)


def run_data(args: argparse.Namespace) -> int:
    """Write ``args.n`` clips of the split into ``args.out``; exit code 2 on bad arguments."""
    if args.n < 1 or not 0.0 <= args.theft_fraction <= 1.0:
        print(
            "shopguard synth data: error: --n must be ≥ 1 and --theft-fraction in [0, 1]",
            file=sys.stderr,
        )
        return 2
    seed = args.seed if args.seed is not None else split_seed(args.split)
    out = args.out / args.split
    clips = iter_clips(seed, args.n, theft_fraction=args.theft_fraction,
                       noise=NOISE_PROFILES[args.noise])
    n, thefts = _write_clips(out, tqdm(clips, total=args.n, desc=f"synth {args.split}",
                                       unit="clip"))
    print(f"wrote {n} clips ({thefts} with concealment) to {out}")
    return 0


def _write_clips(out: Path, clips: Iterable[PoseClip]) -> tuple[int, int]:
    """Write each clip as ``out/<clip_id>.npz``; returns how many, and how many hold a theft."""
    n = thefts = 0
    for clip in clips:
        write_clip(out / f"{clip.clip_id}.npz", clip)
        n += 1
        thefts += int(clip.labels.any())
    return n, thefts


def run_scenes(args: argparse.Namespace) -> int:
    """Write every shopper of ``args.n`` scenes from ``args.first_seed`` on as a clip."""
    from shopguard.training.synth import generate_scene, scene_clips

    if args.n < 1:
        print("shopguard synth scenes: error: --n must be ≥ 1", file=sys.stderr)
        return 2
    out = args.out / args.split
    seeds = tqdm(range(args.first_seed, args.first_seed + args.n), desc="scenes", unit="scene")
    clips = (
        clip for seed in seeds
        for clip in scene_clips(generate_scene(seed, duration=args.duration, fps=args.fps,
                                               n_thieves=args.thieves),
                                noise=NOISE_PROFILES[args.noise])
    )
    n, thefts = _write_clips(out, clips)
    print(f"wrote {n} clips ({thefts} with concealment) of {args.n} scenes to {out}")
    return 0


def run_video(args: argparse.Namespace) -> int:
    """Render one scene into ``args.out`` (video + ground truth)."""
    from shopguard.training.render import render_scene_video
    from shopguard.training.synth import generate_scene

    scene = generate_scene(
        args.seed,
        duration=args.duration,
        fps=args.fps,
        n_shoppers=args.shoppers,
        n_thieves=args.thieves,
    )
    path = render_scene_video(scene, args.out / f"synth_{args.seed}.mp4", crf=args.crf)
    print(f"wrote {path} and {path.with_suffix('.json')}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Render the demo scene to ``args.out/store_demo.mp4`` (+ ``.json``)."""
    from shopguard.training.render import render_scene_video
    from shopguard.training.synth.demo import demo_scene, theft_spans

    scene = demo_scene()
    path = render_scene_video(scene, args.out / "store_demo.mp4", crf=args.crf)
    spans = ", ".join(f"{a:.1f}–{b:.1f} s" for _, a, b in theft_spans(scene))
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.1f} MB, seed {scene.seed}; thefts at {spans})")
    return 0


def run_rendered(args: argparse.Namespace) -> int:
    """Render, analyse and label each seed's scene; seeds already written are skipped."""
    from shopguard.training.rendered import rendered_clips

    videos = args.out / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    for seed in tqdm(args.seeds, desc="scenes", unit="scene"):
        done = args.out / f".done-{seed}"
        if done.exists():
            continue
        clips = rendered_clips(seed, videos, duration=args.duration, fps=args.fps,
                               analysis_fps=args.analysis_fps, threads=args.threads,
                               n_thieves=args.thieves)
        for clip in clips:
            write_clip(args.out / f"{clip.clip_id}.npz", clip)
        thefts = sum(int(c.labels.any()) for c in clips)
        tqdm.write(f"scene {seed}: {len(clips)} tracks, {thefts} with concealment frames")
        done.touch()
    return 0
