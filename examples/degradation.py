"""Degradation: a deeper plain network reaches a *higher training* error than a shallower one,
even with BatchNorm and He initialisation — and the same depth with shortcuts does not.

    python examples/degradation.py                       # depths 4 8 16 32, four learning rates, two seeds
    python examples/degradation.py --depths 4 32 --steps 100 --lrs 0.05 --seeds 0

He et al. (2016, "Deep residual learning", §1 and §4.1) named this the *degradation* problem:
their 34-layer plain net had a higher training error than their 18-layer one throughout
training.  It is not overfitting (the *training* error is worse) and, with BN and a good
initialisation, not vanishing gradients either (the script prints the first/last gradient
ratio at the first step to show that).  A deeper net could copy the shallower one and make its
extra layers identities; plain layers do not find that solution, residual ones start next to it.

The task: classify 256 points of two interleaved spirals (a fixed training set, no test set —
only the fitting is measured).  Every network is an MLP of ``depth`` blocks of width 16,

    plain block      x → relu(BN(W x))
    residual block   x → relu(x + BN(W x))       (He et al. 2016's post-activation form)

W drawn with He initialisation (Var w = 2/fan_in), trained full-batch with SGD + momentum 0.9 for
--steps steps at each learning rate of --lrs; the best final training loss over the learning
rates is reported (so no depth is judged at a learning rate that only suits another), averaged
over --seeds.  Takes 13 minutes with the defaults on two busy cores; the measured table is in
docs/residual.md §1.
"""
import argparse
import math
import time

import numpy as np

import minidl
from minidl import nn


def spirals(count=256, turns=2, seed=0):
    """Two interleaved spirals: (count, 2) float32 points and (count,) labels 0/1."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * math.pi * turns, count)
    label = rng.integers(0, 2, count)
    radius = 3 * angle / (2 * math.pi * turns)
    points = np.stack([radius * np.cos(angle + math.pi * label), radius * np.sin(angle + math.pi * label)], 1)
    return minidl.tensor(points.astype(np.float32)), minidl.tensor(label)


class Block(nn.Module):
    """(N, width) → (N, width): relu(BN(W x)), or relu(x + BN(W x)) when ``residual``."""

    def __init__(self, width, residual):
        super().__init__()
        self.fc, self.bn, self.residual = nn.Linear(width, width), nn.BatchNorm1d(width), residual
        nn.init.kaiming_normal_(self.fc.weight, nonlinearity="relu")

    def forward(self, x):
        out = self.bn(self.fc(x))
        return (x + out).relu() if self.residual else out.relu()


def mlp(depth, residual, width=16):
    """2 → width, ``depth`` blocks, width → 2 classes."""
    return nn.Sequential(nn.Linear(2, width), nn.ReLU(), *[Block(width, residual) for _ in range(depth)],
                         nn.Linear(width, 2))


def fit(model, points, labels, steps, lr):
    """Full-batch SGD (momentum 0.9).  Returns (final training loss, training error in eval mode,
    first/last weight-gradient norm ratio at step 1)."""
    optimizer = minidl.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    ratio = None
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(points), labels)
        optimizer.zero_grad()
        loss.backward()
        if step == 0:
            flow = minidl.inspect.gradient_flow(model)
            ratio = flow[0][1] / flow[-1][1]
        optimizer.step()
    model.eval()
    with minidl.no_grad():
        logits = model(points)
        final = nn.functional.cross_entropy(logits, labels).item()
        error = float((logits.argmax(1).numpy() != labels.numpy()).mean())
    final = final if math.isfinite(final) else float("inf")
    return final, error, ratio


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[4, 8, 16, 32])
    parser.add_argument("--lrs", type=float, nargs="+", default=[0.01, 0.03, 0.1, 0.3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--width", type=int, default=16)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    points, labels = spirals()
    results = {}
    print(f"{'depth':>5} {'blocks':>9} {'best lr':>8} {'train loss':>11} {'train error':>12} {'grad first/last':>16}")
    for depth in args.depths:
        for residual in (False, True):
            runs = []
            for seed in args.seeds:
                best = None
                for lr in args.lrs:
                    minidl.manual_seed(seed)
                    loss, error, ratio = fit(mlp(depth, residual, args.width), points, labels, args.steps, lr)
                    if best is None or loss < best[0]:
                        best = (loss, error, ratio, lr)
                runs.append(best)
            loss, error, ratio = (float(np.mean([run[i] for run in runs])) for i in range(3))
            lrs = "/".join(f"{run[3]:g}" for run in runs)
            kind = "residual" if residual else "plain"
            results[(depth, kind)] = dict(loss=loss, error=error, ratio=ratio)
            print(f"{depth:>5} {kind:>9} {lrs:>8} {loss:>11.4f} {100 * error:>11.1f}% {ratio:>16.2f}", flush=True)
    return results


if __name__ == "__main__":
    start = time.time()
    main()
    print(f"({time.time() - start:.0f} s)")
