"""One convolution layer three ways — the naive loops, the reference path (im2col), the fast twins —
beside PyTorch, for the table in docs/im2col.md.

    python benchmarks/conv_paths.py                 # LeNet-5's second layer, batch 16
    python benchmarks/conv_paths.py --batch 64

Each time is the median of back-to-back calls (the naive loops: of two), forward alone and forward
+ backward (dx, dW, db), in one process with the same thread count for every engine; each engine's
block starts after a pause, so no engine's idle threads spin while another is timed.
"""
import argparse
import datetime
import os
import platform
import statistics
import sys
import time

THREADS = os.environ.get("MINIDL_BENCH_THREADS", "2")
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import minidl  # noqa: E402
import minidl.nn.functional as F  # noqa: E402
from minidl.functions import naive  # noqa: E402


def median_ms(call, repeats, pause=0.25):
    """Median milliseconds of ``repeats`` back-to-back calls, after a warm-up call."""
    time.sleep(pause)  # let the other engine's worker threads go idle first (see benchmarks/run.py)
    call()  # warm-up, and wakes this engine's threads
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 6, 14, 14)).astype(np.float32)
    w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    dy = rng.standard_normal((args.batch, 16, 10, 10)).astype(np.float32)

    def ours(train):
        xt, wt, bt = (minidl.tensor(a, requires_grad=train) for a in (x, w, b))
        y = F.conv2d(xt, wt, bt)
        if train:
            y.backward(minidl.tensor(dy))

    rows = {}
    rows["naive loops (functions/naive.py)"] = (
        median_ms(lambda: naive.conv2d_forward_naive(x, w, b), 2),
        median_ms(lambda: (naive.conv2d_forward_naive(x, w, b), naive.conv2d_backward_naive(dy, x, w)), 2))
    for label, fast in (("reference: im2col (MINIDL_FAST=0)", False), ("fast twins (default)", True)):
        with minidl.use_fast_paths(fast):
            rows[label] = (median_ms(lambda: ours(False), args.repeats), median_ms(lambda: ours(True), args.repeats))
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(int(THREADS))
        tx, tw, tb, tdy = (torch.from_numpy(a) for a in (x, w, b, dy))

        def theirs(train):
            xt, wt, bt = (t.clone().requires_grad_(train) for t in (tx, tw, tb))
            y = torch.nn.functional.conv2d(xt, wt, bt)
            if train:
                y.backward(tdy)

        with torch.no_grad():
            forward = median_ms(lambda: theirs(False), args.repeats)
        rows[f"PyTorch {torch.__version__}"] = (forward, median_ms(lambda: theirs(True), args.repeats))
    print(f"LeNet-5 conv2 (6→16, 5×5, 14×14 → 10×10), batch {args.batch}, float32; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {THREADS} threads; NumPy {np.__version__}; {datetime.date.today()}")
    print()
    print("| path | forward (ms) | forward + backward (ms) |")
    print("|---|---:|---:|")
    for label, (forward, train) in rows.items():
        print(f"| {label} | {forward:,.2f} | {train:,.2f} |")


if __name__ == "__main__":
    main()
