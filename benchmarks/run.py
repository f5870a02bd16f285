"""Time minidl side by side with PyTorch (CPU) and write the results as Markdown.

    python benchmarks/run.py                      # everything, table on stdout
    python benchmarks/run.py --json rows.json     # also keep the raw numbers
    python benchmarks/run.py --only lenet5 --rounds 5
    python benchmarks/run.py --fast on            # only the default (fast twins on); "off": only MINIDL_FAST=0

Every case runs twice by default: with the fast twins (the default engine) and with the reference
path alone (``minidl.use_fast_paths(False)``, the code in minidl/functions/), so the table shows
what the readable path costs.

Method (PERFORMANCE.md's hygiene): both engines run in one process with the same thread count;
after a warm-up, each round times minidl then PyTorch on the same inputs and weights, and we
report the median of the per-round ratios (time_torch / time_minidl: > 1 means minidl is faster)
with the lowest and highest round.  Before each timed block we pause ``PAUSE_S``: after a call, both
engines' worker threads keep spinning for ~0.1 s (OpenBLAS's thread timeout, OpenMP's spin-wait), and
on a 2-core machine that steals a core from whichever engine runs next — without the pause PyTorch's
LeNet-5 step measured 6.6 ms instead of 4.7 ms, which flattered minidl's ratio by a third.
The allocator is tuned once for both (minidl.utils.tune_malloc).
Peak memory is measured in a fresh subprocess per engine and case (RSS growth during the steps).
Without PyTorch installed, minidl is reported alone.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

THREADS = os.environ.get("MINIDL_BENCH_THREADS", "2")
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)  # before NumPy/torch load their thread pools

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minidl  # noqa: E402
from minidl import models, nn  # noqa: E402


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(THREADS))
    return torch


# ------------------------------------------------------------------ cases
# Each case builds (minidl_step, torch_step or None, images per step, FLOPs per step).

def _model_case(name, batch, shape, train, torch):
    minidl.manual_seed(0)
    minidl.utils.tune_malloc()
    ours = {"lenet5": models.lenet5, "resnet20": models.resnet20, "vgg11_bn": lambda: models.vgg11_bn(num_classes=10)}[name]()
    macs = minidl.summary(ours, (batch,) + shape, print_table=False).total_macs
    flops = 2 * macs * (3 if train else 1)  # backward ≈ 2 × forward
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch,) + shape).astype(np.float32)
    y_np = rng.integers(0, 10, batch)
    x, y = minidl.tensor(x_np), minidl.tensor(y_np)
    optimizer = minidl.optim.SGD(ours.parameters(), lr=0.01, momentum=0.9)
    ours.train(train)

    def ours_step():
        if train:
            loss = nn.functional.cross_entropy(ours(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            with minidl.no_grad():
                ours(x)

    theirs_step = None
    if torch is not None:
        import torch_models

        theirs = getattr(torch_models, name)()
        theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
        theirs.train(train)
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
        toptimizer = torch.optim.SGD(theirs.parameters(), lr=0.01, momentum=0.9)

        def theirs_step():
            if train:
                loss = torch.nn.functional.cross_entropy(theirs(tx), ty)
                toptimizer.zero_grad()
                loss.backward()
                toptimizer.step()
            else:
                with torch.no_grad():
                    theirs(tx)

    return ours_step, theirs_step, batch, flops


def _layer_case(kind, torch, **cfg):
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(cfg["x"]).astype(np.float32)
    x = minidl.tensor(x_np, requires_grad=True)
    tx = torch.from_numpy(x_np.copy()).requires_grad_() if torch is not None else None
    flops = 0
    if kind == "conv":
        w_np = (rng.standard_normal(cfg["w"]) * 0.1).astype(np.float32)
        w = minidl.tensor(w_np, requires_grad=True)
        ours_fn = lambda: nn.functional.conv2d(x, w, padding=cfg["padding"])  # noqa: E731
        theirs_fn = (lambda: torch.nn.functional.conv2d(tx, tw, padding=cfg["padding"])) if torch else None  # noqa: E731
        tw = torch.from_numpy(w_np.copy()).requires_grad_() if torch else None
        n, _, h, wd = cfg["x"]
        f, c, kh, kw = cfg["w"]
        oh, ow = h + 2 * cfg["padding"] - kh + 1, wd + 2 * cfg["padding"] - kw + 1
        flops = 2 * n * f * oh * ow * c * kh * kw * 3
    elif kind == "maxpool":
        ours_fn = lambda: nn.functional.max_pool2d(x, 2)  # noqa: E731
        theirs_fn = (lambda: torch.nn.functional.max_pool2d(tx, 2)) if torch else None  # noqa: E731
    else:  # batchnorm, training mode
        c = cfg["x"][1]
        bn, tbn = nn.BatchNorm2d(c), (torch.nn.BatchNorm2d(c) if torch else None)
        ours_fn = lambda: bn(x)  # noqa: E731
        theirs_fn = (lambda: tbn(tx)) if torch else None  # noqa: E731

    def ours_step():
        out = ours_fn()
        out.backward(minidl.ones_like(out))
        x.grad = None

    def theirs_step():
        out = theirs_fn()
        out.backward(torch.ones_like(out))
        tx.grad = None

    return ours_step, (theirs_step if torch else None), cfg["x"][0], flops


CASES = {
    "lenet5 train b64": lambda t: _model_case("lenet5", 64, (1, 28, 28), True, t),
    "lenet5 train b256": lambda t: _model_case("lenet5", 256, (1, 28, 28), True, t),
    "lenet5 inference b64": lambda t: _model_case("lenet5", 64, (1, 28, 28), False, t),
    "lenet5 inference b256": lambda t: _model_case("lenet5", 256, (1, 28, 28), False, t),
    "resnet20 train b128": lambda t: _model_case("resnet20", 128, (3, 32, 32), True, t),
    "resnet20 inference b128": lambda t: _model_case("resnet20", 128, (3, 32, 32), False, t),
    "vgg11_bn train b64 (32×32)": lambda t: _model_case("vgg11_bn", 64, (3, 32, 32), True, t),
    "conv 3×3 16→16, 64×16×32×32, fwd+bwd": lambda t: _layer_case("conv", t, x=(64, 16, 32, 32), w=(16, 16, 3, 3), padding=1),
    "conv 3×3 64→64, 64×64×8×8, fwd+bwd": lambda t: _layer_case("conv", t, x=(64, 64, 8, 8), w=(64, 64, 3, 3), padding=1),
    "conv 5×5 6→16, 256×6×14×14, fwd+bwd": lambda t: _layer_case("conv", t, x=(256, 6, 14, 14), w=(16, 6, 5, 5), padding=0),
    "conv 1×1 64→128, 64×64×16×16, fwd+bwd": lambda t: _layer_case("conv", t, x=(64, 64, 16, 16), w=(128, 64, 1, 1), padding=0),
    "max-pool 2×2, 64×16×32×32, fwd+bwd": lambda t: _layer_case("maxpool", t, x=(64, 16, 32, 32)),
    "batchnorm2d train, 64×16×32×32, fwd+bwd": lambda t: _layer_case("batchnorm", t, x=(64, 16, 32, 32)),
}


PAUSE_S = 0.25  # longer than the thread pools' spin after their last call (measured: 0.05 s is too short)


def _timed(step, repeats):
    time.sleep(PAUSE_S)  # let the other engine's worker threads go idle first
    started = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - started) / repeats


def run_case(name, torch, rounds, budget_s):
    ours, theirs, images, flops = CASES[name](torch)
    ours()  # warm-up (and graph/buffer creation)
    if theirs:
        theirs()
    single = _timed(ours, 1)
    repeats = max(1, int(budget_s / rounds / max(single, 1e-4) / (2 if theirs else 1)))
    ours_times, their_times, ratios = [], [], []
    for _ in range(rounds):  # interleaved: A, B, A, B ...
        a = _timed(ours, repeats)
        ours_times.append(a)
        if theirs:
            b = _timed(theirs, repeats)
            their_times.append(b)
            ratios.append(b / a)
    t_ours = statistics.median(ours_times)
    row = dict(case=name, ours_ips=images / t_ours, gflops=flops / t_ours / 1e9 if flops else None)
    if theirs:
        row.update(theirs_ips=images / statistics.median(their_times), ratio=statistics.median(ratios),
                   ratio_low=min(ratios), ratio_high=max(ratios))
    return row


def peak_memory(name, engine):
    """RSS growth (MiB) over a few steps of ``name`` for ``engine``, in a fresh process."""
    code = (
        "import sys, json; sys.argv=['x']; import run; import minidl.utils.memory as m;"
        "t = run.torch_or_none() if %r == 'torch' else None;"
        "before = m.current_rss_mib();"
        "ours, theirs, _, _ = run.CASES[%r](t);"
        "step = theirs if %r == 'torch' else ours; [step() for _ in range(3)];"
        "print(json.dumps(m.peak_rss_mib() - before))"
    ) % (engine, name, engine)
    result = subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(os.path.abspath(__file__)),
                            capture_output=True, text=True, timeout=900)
    try:
        return float(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def machine_description(torch):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores; {THREADS} threads for both engines; Python {platform.python_version()}, "
            f"NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else ", PyTorch not installed"))


def markdown(rows, torch, memory):
    lines = ["| case | minidl img/s | PyTorch img/s | ratio (median) | ratio range | minidl GFLOP/s | peak RSS minidl / PyTorch (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        mem = memory.get(row["case"])
        mem_text = "" if not mem else " / ".join("—" if m is None else f"{m:.0f}" for m in mem)
        lines.append(
            f"| {row['case']} | {row['ours_ips']:,.0f} | "
            + (f"{row['theirs_ips']:,.0f} | **{row['ratio']:.2f}×** | {row['ratio_low']:.2f}–{row['ratio_high']:.2f} | "
               if "ratio" in row else "— | — | — | ")
            + (f"{row['gflops']:.1f} | " if row["gflops"] else "— | ") + f"{mem_text} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=6.0, help="time budget per case and engine")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--json", help="also write the raw rows as JSON here")
    parser.add_argument("--fast", choices=("both", "on", "off"), default="both",
                        help="fast twins on, off (the reference path alone), or both (one row each)")
    args = parser.parse_args(argv)
    positions = {"both": (True, False), "on": (True,), "off": (False,)}[args.fast]
    minidl.utils.tune_malloc()
    torch = torch_or_none()
    rows, memory = [], {}
    for name in CASES:
        if args.only not in name:
            continue
        for fast in positions:
            with minidl.use_fast_paths(fast):
                row = run_case(name, torch, args.rounds, args.seconds)
            if not fast:
                row["case"] = f"{name} · fast paths off"
            rows.append(row)
            if fast and not args.no_memory and "train" in name:
                memory[name] = (peak_memory(name, "minidl"), peak_memory(name, "torch") if torch else None)
            print(f"{row['case']}: {row}", file=sys.stderr, flush=True)
    print(f"Machine: {machine_description(torch)}. Date: {datetime.date.today().isoformat()}.\n")
    print(markdown(rows, torch, memory))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(dict(rows=rows, memory=memory, machine=machine_description(torch)), out, indent=1)


if __name__ == "__main__":
    main()
