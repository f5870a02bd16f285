"""The 3-D layers: ``conv3d``, ``conv_transpose3d``, ``max_pool3d``, ``avg_pool3d``,
``adaptive_avg_pool3d``, ``adaptive_max_pool3d``, ``max_unpool3d``.

A volume (N, C, D, H, W) — a video clip, a CT scan — is an image with one more spatial axis, and
nothing in im2col or pooling is particular to two axes: a kd×kh×kw kernel has kd·kh·kw offsets,
each offset reads one strided slice of the padded volume (three slices, one per axis) for every
output position, and

    col[c, i, j, k, n, od, oh, ow] = x_pad[n, c, od·s_d + i·d_d, oh·s_h + j·d_h, ow·s_w + k·d_w]

is im2col's column buffer with one more kernel axis and one more output axis.  So these
functions only check their arguments and call the code of conv.py, im2col.py and pooling.py
(written with tuples of spatial sizes, for any number of axes): the same Functions, the same
gradients.  There is no fast twin in 3-D; the reference runs.

Shapes: x: (N, C, D, H, W) or (C, D, H, W);  conv3d's weight: (F, C/groups, kd, kh, kw)
→ (N, F, OD, OH, OW), each output size as in 2-D:  OD = floor((D + 2p − d·(kd − 1) − 1) / s) + 1.
"""
import itertools

import numpy as np

from .. import backend
from ._utils import to_tensor
from .conv import convolution, transposed_convolution
from .joining import stack
from .one_d import max_unpool
from .pooling import _adaptive_bins, _adaptive_size, _input_4d, avg_pool, max_pool


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation).  input (N, C, D, H, W) or (C, D, H, W);
    weight (F, C/groups, kd, kh, kw); bias (F,) or None → (N, F, OD, OH, OW).

    ``stride``, ``padding`` and ``dilation`` are ints or triples; ``padding`` may also be 'valid'
    or 'same' (stride 1; an odd total padding puts the extra plane at the end, as in PyTorch).
    Raises RuntimeError for mismatched shapes, TypeError for mixed dtypes.
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution, conv3d's input gradient as an op (conv.py's ConvTranspose2dFunction,
    one more axis).  input (N, C_in, D, H, W) or (C_in, D, H, W); weight (C_in, C_out/groups, kd, kh, kw);
    bias (C_out,) or None → (N, C_out, OD, OH, OW),
    OD = (D − 1)·stride − 2·padding + dilation·(kd − 1) + output_padding + 1 (likewise OH, OW)."""
    return transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                                  "conv_transpose3d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over kd×kh×kw windows.  input (N, C, D, H, W) or (C, D, H, W) → (N, C, OD, OH, OW);
    padding counts as −∞.  With ``return_indices=True`` also returns, like PyTorch, the flat index
    (d·H + h)·W + w of each maximum in the (unpadded) input volume (for ``max_unpool3d``)."""
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over kd×kh×kw windows.  input (N, C, D, H, W) or (C, D, H, W) → (N, C, OD, OH, OW).

    ``count_include_pad``: whether padding cells count in the divisor; ``divisor_override``: divide
    every window sum by this number instead."""
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                    "avg_pool3d")


def adaptive_avg_pool3d(input, output_size):
    """Average into a fixed (OD, OH, OW) grid whatever the input size; ``output_size`` an int, or a
    triple whose ``None`` entries keep that axis.  input (N, C, D, H, W) or (C, D, H, W).

    Bin i along an axis of size S covers [floor(i·S/O), ceil((i+1)·S/O)) (PyTorch's bins).  A bin
    is a box, a product of one interval per axis, so its mean is a mean of means taken one axis at
    a time: the depth bins of the row bins of the column bins.
    """
    x, unbatched = _input_4d(input, "adaptive_avg_pool3d", 3)
    out = _adaptive_size(output_size, x.shape[2:])
    if all(size % o == 0 for size, o in zip(x.shape[2:], out)):  # evenly divisible: an ordinary average pool
        y = avg_pool3d(x, tuple(size // o for size, o in zip(x.shape[2:], out)))
    else:
        y = x
        for axis, o in zip(range(2, 5), out):
            before = (slice(None),) * axis
            y = stack([y[before + (slice(start, stop),)].mean(axis) for start, stop in _adaptive_bins(y.shape[axis], o)],
                      axis)
    return y.squeeze(0) if unbatched else y


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max into a fixed (OD, OH, OW) grid, PyTorch's bins as in ``adaptive_avg_pool3d``; the gradient
    goes to each bin's first maximum in (depth, row, column) order.  input (N, C, D, H, W) or
    (C, D, H, W).  With ``return_indices=True`` also returns the flat index (d·H + h)·W + w of each
    maximum (for ``max_unpool3d``)."""
    x, unbatched = _input_4d(input, "adaptive_max_pool3d", 3)
    size = tuple(x.shape[2:])
    out = _adaptive_size(output_size, size)
    if all(s % o == 0 for s, o in zip(size, out)):  # evenly divisible: an ordinary max pool
        result = max_pool3d(x, tuple(s // o for s, o in zip(size, out)), return_indices=return_indices)
        y, indices = result if return_indices else (result, None)
    else:
        xp = backend.get_array_module(x.array)
        (n, c), (_, h, w) = x.shape[:2], size
        values, indices = [], []
        for (d0, d1), (r0, r1), (c0, c1) in itertools.product(*(_adaptive_bins(s, o) for s, o in zip(size, out))):
            best = x[:, :, d0:d1, r0:r1, c0:c1].flatten(2).max(2)  # (N, C): the bin's maximum and its place k
            depth, rest = divmod(best.indices.array, (r1 - r0) * (c1 - c0))
            row, col = divmod(rest, c1 - c0)
            values.append(best.values)
            indices.append(((d0 + depth) * h + r0 + row) * w + c0 + col)
        y = stack(values, 2).reshape((n, c) + out)
        indices = to_tensor(xp.stack(indices, 2).reshape((n, c) + out).astype(np.int64))
    if unbatched:
        y, indices = y.squeeze(0), (None if indices is None else indices.squeeze(0))
    return (y, indices) if return_indices else y


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value of a max-pooled (N, C, D, H, W) input back at its flat index (from
    ``max_pool3d(..., return_indices=True)``), zeros elsewhere (one_d.py's ``max_unpool``).  Output
    size per axis: (D − 1)·stride − 2·padding + kernel, or ``output_size``.  Raises IndexError for an
    index outside the output."""
    return max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
