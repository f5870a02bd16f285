"""What each fast twin buys: every registered twin timed against its reference on a typical layer.

    python benchmarks/fast_paths.py          # about a minute; a Markdown table on stdout

Each row calls one array-level contract (minidl/functions/dispatch.py) twice: the reference (the
code in minidl/functions/) and the twin (minidl/functions/fast/), on the same float32 arrays, and
reports the median of several calls of each and their ratio.  The twin's own rule decides which
of its tricks fires; the row says which one did.
"""
import datetime
import os
import platform
import sys

THREADS = os.environ.get("MINIDL_BENCH_THREADS", "2")
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_paths  # noqa: E402  (the shared timing helper)
import minidl  # noqa: E402
from minidl.functions import conv, normalization, pooling  # noqa: E402
from minidl.functions.dispatch import registered_twins  # noqa: E402
from minidl.functions.geometry import ConvGeometry  # noqa: E402

RNG = np.random.default_rng(0)


def arrays(*shapes):
    return [RNG.standard_normal(shape).astype(np.float32) for shape in shapes]


def median_ms(call, repeats=9):
    return conv_paths.median_ms(call, repeats, pause=0)


def twin(dispatcher):
    return registered_twins()[(dispatcher.key, "numpy")]


def conv_rows(label, n, c, f, hw, kernel, pads, groups=1, tricks=("", "", "")):
    geometry = ConvGeometry(kernel, (1, 1), pads, (1, 1), groups)
    x, w = arrays((n, c) + hw, (f, c // groups) + kernel)
    oh, ow = geometry.output_hw(*hw)
    (dy,) = arrays((n, f, oh, ow))
    rows = []
    for (name, dispatcher, args), trick in zip((
            ("conv2d_forward", conv.conv2d_forward, (x, w, geometry)),
            ("conv2d_grad_input", conv.conv2d_grad_input, (dy, w, x.shape, geometry)),
            ("conv2d_grad_weight", conv.conv2d_grad_weight, (x, dy, w.shape, geometry))), tricks):
        reference = median_ms(lambda: dispatcher.reference(*args, {}))
        if name == "conv2d_grad_weight":  # as in a training step: with what forward and dx left in scratch
            saved = {}
            twin(conv.conv2d_forward)(x, w, geometry, saved)
            twin(conv.conv2d_grad_input)(dy, w, x.shape, geometry, saved)
            ours = median_ms(lambda: twin(dispatcher)(*args, dict(saved)))
        else:
            ours = median_ms(lambda: twin(dispatcher)(*args, {}))
        rows.append((f"`{name}`", label, trick, reference, ours))
    return rows


def main():
    rows = []
    rows += conv_rows("ResNet-20 3×3 16→16, 32×32, batch 32", 32, 16, 16, (32, 32), (3, 3), ((1, 1), (1, 1)),
                      tricks=("channels-last rows, kept for dW", "a convolution with the flipped kernel",
                              "from forward's kept rows"))
    rows += conv_rows("LeNet-5 conv2 5×5 6→16, 14×14, batch 256", 256, 6, 16, (14, 14), (5, 5), ((0, 0), (0, 0)),
                      tricks=("channels-last rows, kept for dW", "col2im batch-last", "from forward's kept rows"))
    rows += conv_rows("LeNet-5 conv1 5×5 1→6, 28×28 pad 2, batch 256", 256, 1, 6, (28, 28), (5, 5), ((2, 2), (2, 2)),
                      tricks=("col kept for dW", "dy transposed once, shared with dW",
                              "kept col, dWᵀ = col·dyᵀ, the shared dy"))
    rows += conv_rows("depthwise 3×3, 32 ch, 16×16, batch 64", 64, 32, 32, (16, 16), (3, 3), ((1, 1), (1, 1)),
                      groups=32, tricks=("col kept for dW", "shifted views instead of col2im", "kept col, dWᵀ = col·dyᵀ"))

    (x,) = arrays((64, 16, 32, 32))
    geometry = pooling.PoolGeometry((2, 2), (2, 2), (0, 0), (1, 1), False, (32, 32))
    y, argmax = pooling.max_pool2d_forward.reference(x, geometry)
    (dy,) = arrays(y.shape)
    label = "max-pool 2×2, 64×16×32×32"
    for name, dispatcher, args, trick in (
            ("max_pool2d_forward", pooling.max_pool2d_forward, (x, geometry), "running max and argmax in place"),
            ("max_pool2d_values", pooling.max_pool2d_values, (x, geometry), "no argmax (inference)"),
            ("max_pool2d_backward", pooling.max_pool2d_backward, (dy, argmax, geometry), "assign, windows do not overlap")):
        rows.append((f"`{name}`", label, trick, median_ms(lambda: dispatcher.reference(*args)),
                     median_ms(lambda: twin(dispatcher)(*args))))

    x, w, b, gy = arrays((64, 16, 32, 32), (16,), (16,), (64, 16, 32, 32))
    axes = (0, 2, 3)
    label = "BatchNorm2d training, 64×16×32×32"
    rows.append(("`batch_norm_forward`", label, "per-channel sums by einsum",
                 median_ms(lambda: normalization.batch_norm_forward.reference(x, w, b, axes, 1e-5)),
                 median_ms(lambda: twin(normalization.batch_norm_forward)(x, w, b, axes, 1e-5))))
    _, stats = normalization.batch_norm_forward.reference(x, w, b, axes, 1e-5)
    tensors = [minidl.tensor(a) for a in (gy, x, w)]
    needs = (True, True, True)
    with minidl.no_grad():
        rows.append(("`batch_norm_backward`", label, "on arrays, dx = a·dy + b·x̂ + c",
                     median_ms(lambda: normalization.batch_norm_backward.reference(*tensors, stats, axes, 1e-5, needs)),
                     median_ms(lambda: twin(normalization.batch_norm_backward)(*tensors, stats, axes, 1e-5, needs))))

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {THREADS} threads; NumPy {np.__version__}; "
          f"{datetime.date.today()}. Median of 9 calls each, float32.\n")
    print("| contract | layer | what the twin does there | reference (ms) | fast twin (ms) | speed-up |")
    print("|---|---|---|---:|---:|---:|")
    for name, layer, trick, reference, fast in rows:
        print(f"| {name} | {layer} | {trick} | {reference:.2f} | {fast:.2f} | {reference / fast:.2f}× |")


if __name__ == "__main__":
    main()
