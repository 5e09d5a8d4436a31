"""``shopguard export CHECKPOINT --out MODEL.onnx``: behaviour checkpoint → verified ONNX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export",
        help="export a behaviour model checkpoint to ONNX",
        description=(
            "Write the checkpoint (model.pt from 'shopguard train') as ONNX with a dynamic "
            "batch axis and its feature settings, checked against PyTorch. Needs PyTorch."
        ),
    )
    parser.add_argument("checkpoint", type=Path, help="model.pt written by 'shopguard train'")
    parser.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export; exit code 2 when the checkpoint is unusable or the export does not verify."""
    from shopguard.training.export import ExportError, export_checkpoint

    try:
        path = export_checkpoint(args.checkpoint, args.out)
    except (ValueError, OSError, ExportError) as exc:
        print(f"shopguard export: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
