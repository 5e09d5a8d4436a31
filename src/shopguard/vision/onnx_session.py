"""Creating ONNX Runtime sessions with clear errors for missing or broken model files."""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort


class ModelError(ValueError):
    """A model file is missing, unreadable or has the wrong shape."""


def available_providers(prefer_gpu: bool = True) -> list[str]:
    """Execution providers to use: CUDA first when present and wanted, then CPU."""
    have = ort.get_available_providers()
    wanted = ["CUDAExecutionProvider"] if prefer_gpu else []
    return [p for p in wanted if p in have] + ["CPUExecutionProvider"]


def open_session(
    path: str | Path, threads: int | None = None, prefer_gpu: bool = True
) -> ort.InferenceSession:
    """Load an ONNX model into an inference session.

    Raises:
        ModelError: the file is missing or is not a loadable ONNX model (message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(
            str(path), sess_options=options, providers=available_providers(prefer_gpu)
        )
    except Exception as exc:  # onnxruntime raises several private exception types
        raise ModelError(f"{path} is not a valid ONNX model: {exc}") from exc
