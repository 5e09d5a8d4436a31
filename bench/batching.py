"""Shared batched pose inference against one session per camera worker.

Question (reliability issue, "Load"): would one inference process that batches the
frames of all cameras beat today's design, one ONNX Runtime session per camera worker
process? The shipped model has a fixed batch of 1, so this script makes a copy with a
dynamic batch axis in memory (every ``Reshape`` that hard-codes batch 1 is told to copy
the input's batch instead; outputs are checked equal to batch-1 runs) and measures, for
N cameras on this machine, pose inferences per second:

* ``per worker``: N processes, one session each (``1`` thread each, today's default);
* ``shared, batch N``: one process, one session using every core, N frames per call;
* ``shared, batch 1``: the same session, one frame per call.

Usage: ``python bench/batching.py --cameras 1 2 4 --seconds 10``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from shopguard.paths import pose_model_path

ROOT = Path(__file__).resolve().parents[1]


def batched_model(path: Path) -> bytes:
    """``path``'s model with a dynamic batch axis (Reshape shapes copy dim 0)."""
    model = onnx.load(str(path))
    graph = model.graph
    constants = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
    initializers = {i.name: i for i in graph.initializer}
    for name in {n.input[1] for n in graph.node if n.op_type == "Reshape"}:
        if name in constants:
            tensor = next(a.t for a in constants[name].attribute if a.name == "value")
        else:
            tensor = initializers[name]
        shape = numpy_helper.to_array(tensor).copy()
        if shape[0] != 1:
            raise ValueError(f"Reshape {name} does not start with batch 1: {shape}")
        shape[0] = 0  # ONNX Reshape: 0 copies the input's dimension
        tensor.CopyFrom(numpy_helper.from_array(shape, tensor.name))
    for value in (*graph.input, *graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model.SerializeToString()


def session(model: str | bytes, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def frames(n: int) -> np.ndarray:
    """``n`` different letterboxed 384×640 inputs."""
    return np.random.default_rng(0).random((n, 3, 384, 640), dtype=np.float32)


def run_for(sess: ort.InferenceSession, x: np.ndarray, seconds: float) -> float:
    """Frames per second through ``sess`` feeding ``x`` (one call per batch) for ``seconds``."""
    sess.run(None, {"images": x})
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sess.run(None, {"images": x})
        done += len(x)
    return done / (time.perf_counter() - start)


def _worker(model: str, seconds: float, out: mp.Queue) -> None:
    out.put(run_for(session(model, 1), frames(1), seconds))


def per_worker(n: int, seconds: float) -> float:
    """Total frames per second of ``n`` processes with a 1-thread session each."""
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(pose_model_path()), seconds, out))
             for _ in range(n)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    batched = batched_model(pose_model_path())
    check = session(str(pose_model_path()), cores)
    shared = session(batched, cores)
    x = frames(2)
    single = np.concatenate([check.run(None, {"images": x[i:i + 1]})[0] for i in range(2)])
    if not np.allclose(shared.run(None, {"images": x})[0], single, atol=1e-4):
        raise SystemExit("the batched model does not reproduce the shipped one")
    print(f"pose inferences per second, {cores} cores, median of {args.repeats} runs of "
          f"{args.seconds:.0f} s")
    print("| cameras | per worker (1 thread each) | shared, batch N | shared, batch 1 |")
    print("|---|---|---|---|")
    for n in args.cameras:
        rows: dict[str, list[float]] = {"worker": [], "batch": [], "single": []}
        for _ in range(args.repeats):  # interleaved, so background load hits all alike
            rows["worker"].append(per_worker(n, args.seconds))
            rows["batch"].append(run_for(shared, frames(n), args.seconds))
            rows["single"].append(run_for(shared, frames(1), args.seconds))
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"| {n} | {med['worker']:.1f} | {med['batch']:.1f} | {med['single']:.1f} |")


if __name__ == "__main__":
    main()
