"""Pooling: ``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``, ``adaptive_max_pool2d``.

Shapes: x: (N, C, H, W) → y: (N, C, OH, OW), OH as for a convolution (geometry.py).

Like im2col, pooling visits the kh·kw kernel offsets one strided view at a time: the view for
offset (i, j) holds, for every output position, the input pixel at that place in its window.
A maximum or a sum over windows is then a running maximum or sum over the kh·kw views.

Max pooling remembers, per output, *which* offset won (``argmax``, 0 … kh·kw−1).  Ties go to
the first maximum in row-major order inside the window, because a later view only wins when it
is strictly greater.  The backward pass sends each output's gradient to its winner; the double
backward gathers from the same positions.  Both are linear, so they are each other's adjoint.
Average pooling spreads dy/divisor evenly over each window instead.

The array functions marked ``@twinned`` may be replaced by a fast twin (fast/pooling.py); naive.py
has the loops they are tested against.

Nothing here is particular to two axes: the geometry keeps tuples of spatial sizes and the offsets
come with one slice per axis, so ``max_pool3d``/``avg_pool3d`` (three_d.py) run this same code on
(N, C, D, H, W) volumes (``hw`` and ``out_hw`` then hold three sizes).
"""
import math

import numpy as np

from .. import autograd, backend
from ..autograd import Function
from ..tensor import Tensor
from ._utils import to_tensor
from .dispatch import for_spatial_dims, twinned
from .geometry import ntuple, out_size, pad_spatial, positive_ntuple, window_slices

_N_C = (slice(None), slice(None))  # every sample and channel: padded[_N_C + (rows, cols)] is padded[:, :, rows, cols]


class PoolGeometry:
    """Kernel, stride, symmetric padding, dilation and the output size of one pooling call.

    ``hw``: the input's spatial sizes (H, W) — or (D, H, W) for 3-D pooling; every per-axis tuple
    has one entry per spatial axis.
    """

    def __init__(self, kernel, stride, padding, dilation, ceil_mode, hw):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.hw = tuple(hw)
        self.out_hw = tuple(
            out_size(size, k, s, p, p, d, ceil_mode)
            for size, k, s, p, d in zip(hw, kernel, stride, padding, dilation)
        )
        # ceil_mode windows may run past the right padding: pad a little more there.
        self.extra = tuple(
            max(0, d * (k - 1) + s * (o - 1) + 1 - (size + 2 * p))
            for size, k, s, p, d, o in zip(hw, kernel, stride, padding, dilation, self.out_hw)
        )
        self.overlapping = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))

    def pads(self):
        return tuple((p, p) for p in self.padding)  # ((top, bottom), (left, right))

    def offsets(self):
        """(position in window, row slice, column slice) for every kernel offset, row-major
        (position = i·kw + j); in 3-D (position, depth slice, row slice, column slice)."""
        for position, (_, slices) in enumerate(window_slices(self.kernel, self.stride, self.dilation, self.out_hw)):
            yield (position,) + slices

    def padded(self, x, value):
        return pad_spatial(x, self.pads(), value, self.extra)

    def padded_shape(self, n, c):
        """(N, C, H_p, W_p): the padded input, with ceil_mode's extra rows and columns."""
        return (n, c) + tuple(size + 2 * p + e for size, p, e in zip(self.hw, self.padding, self.extra))

    def inside(self, *slices_and_xp):
        """inside(rows, cols, xp) → (OH, OW) bools: which output positions this offset's slices read
        from the real image (not from the padding).  In 3-D: inside(depths, rows, cols, xp)."""
        *slices, xp = slices_and_xp
        mask = True
        for axis, (taps, p, size) in enumerate(zip(slices, self.padding, self.hw)):
            r = xp.arange(taps.start, taps.stop, taps.step)
            along_axis = [1] * len(slices)
            along_axis[axis] = -1  # (OH, 1), then (1, OW): the masks broadcast to (OH, OW)
            mask = mask & ((r >= p) & (r < p + size)).reshape(along_axis)
        return mask

    def unpad(self, padded):
        return padded[_N_C + tuple(slice(p, p + size) for p, size in zip(self.padding, self.hw))]


class MaxPool2dFunction(Function):
    """y = the maximum of each window;  dx = dy routed to each window's (first) maximum.

    Shapes: x: (N, C, H, W) → y: (N, C, OH, OW) and argmax: (N, C, OH, OW) int32, the winning
    offset i·kw + j inside each window.  Backward: MaxPoolScatter(dy) → dx: (N, C, H, W).
    (3-D: x (N, C, D, H, W) → (N, C, OD, OH, OW), offsets (i·kh + j)·kw + k.)
    """

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x):
        y, self.argmax = for_spatial_dims(max_pool2d_forward, x.ndim - 2)(x, self.geometry)
        return y, self.argmax

    def backward(self, gy, _unused_argmax_grad=None):
        return MaxPoolScatter(self.geometry, self.argmax)(gy)


class MaxPoolScatter(Function):
    """dx from dy: each output's gradient goes to the pixel that won its window (linear in dy);
    its own gradient gathers from the same positions (MaxPoolGather).

    Shapes: dy: (N, C, OH, OW) → dx: (N, C, H, W).
    """

    reads_inputs = False

    def __init__(self, geometry, argmax):
        self.geometry, self.argmax = geometry, argmax

    def forward(self, gy):
        return for_spatial_dims(max_pool2d_backward, gy.ndim - 2)(gy, self.argmax, self.geometry)

    def backward(self, ggx):
        return MaxPoolGather(self.geometry, self.argmax)(ggx)


class MaxPoolGather(Function):
    """out = x at each window's winning pixel (the adjoint of MaxPoolScatter).

    Shapes: x: (N, C, H, W) → (N, C, OH, OW).
    """

    reads_inputs = False

    def __init__(self, geometry, argmax):
        self.geometry, self.argmax = geometry, argmax

    def forward(self, x):
        xp = backend.get_array_module(x)
        n, c = x.shape[:2]
        flat = _flat_index_array(self.argmax, self.geometry).reshape(n, c, -1)  # a winner is never padding
        return xp.take_along_axis(x.reshape(n, c, -1), flat, axis=2).reshape(self.argmax.shape)

    def backward(self, gy):
        return MaxPoolScatter(self.geometry, self.argmax)(gy)


@twinned
def max_pool2d_forward(x, geometry):
    """x: (N, C, H, W) → (y, argmax), both (N, C, OH, OW): each window's maximum and the offset
    i·kw + j where it first occurs (row-major), padding counting as −∞.  A NaN in a window is its
    maximum (the last NaN, in row-major order, gets the index and the gradient), as in PyTorch."""
    xp = backend.get_array_module(x)
    padded = geometry.padded(x, -np.inf)
    y = argmax = found = None
    for position, *slices in geometry.offsets():  # slices = [rows, cols]
        view, inside = padded[_N_C + tuple(slices)], geometry.inside(*slices, xp)
        if y is None:
            y, argmax, found = view.copy(), xp.zeros(view.shape, dtype=np.int32), inside
            continue
        # a tie keeps the earlier offset, a NaN wins, and a real pixel beats a padding cell even at −∞ (PyTorch's rules)
        better = (view > y) | xp.isnan(view) | (inside & ~found)
        y = xp.where(better, view, y)
        argmax = xp.where(better, np.int32(position), argmax)
        found = found | inside
    return y, argmax


@twinned
def max_pool2d_values(x, geometry):
    """x: (N, C, H, W) → y: (N, C, OH, OW), the maxima alone (for inference, where no gradient is
    asked for)."""
    return for_spatial_dims(max_pool2d_forward, x.ndim - 2)(x, geometry)[0]


@twinned
def max_pool2d_backward(gy, argmax, geometry):
    """gy, argmax: (N, C, OH, OW) → dx: (N, C, H, W): gy[n, c, oh, ow] added to the pixel that won
    window (oh, ow) (windows may overlap, so several outputs can send to one pixel)."""
    xp = backend.get_array_module(gy)
    dx = xp.zeros(geometry.padded_shape(*gy.shape[:2]), dtype=gy.dtype)
    for position, *slices in geometry.offsets():  # slices = [rows, cols]
        dx[_N_C + tuple(slices)] += gy * (argmax == position)
    return geometry.unpad(dx)


def _pool_args(x, kernel_size, stride, padding, dilation, op_name, dims=2):
    """PyTorch's pooling arguments: an int, a pair (a triple in 3-D), or a 1-tuple (every axis);
    stride None or empty means the kernel size."""
    def one_or_all(value):
        return tuple(value) * dims if isinstance(value, (tuple, list)) and len(value) == 1 else value

    kernel = positive_ntuple(one_or_all(kernel_size), dims, "kernel_size", op_name)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    stride = kernel if no_stride else positive_ntuple(one_or_all(stride), dims, "stride", op_name)
    padding = ntuple(one_or_all(padding), dims, "padding", op_name)
    dilation = positive_ntuple(one_or_all(dilation), dims, "dilation", op_name)
    if any(p < 0 or p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError(f"{op_name}: padding {padding} must be between 0 and half the kernel size {kernel}")
    return kernel, stride, padding, dilation


def _input_4d(input, op_name, dims=2):
    """(N, C, H, W) or unbatched (C, H, W) → (N, C, H, W) and whether a batch dim was added
    (dims = 3: (N, C, D, H, W) or (C, D, H, W))."""
    x = to_tensor(input)
    if x.ndim == dims + 1:
        return x.unsqueeze(0), True
    if x.ndim != dims + 2:
        layout = "(N, C, H, W)" if dims == 2 else "(N, C, D, H, W)"
        raise RuntimeError(f"{op_name}: expected a {dims + 1}-D or {dims + 2}-D input {layout}, got shape {x.shape}")
    return x, False


def _check_output(geometry, x, op_name):
    if min(geometry.out_hw) <= 0:
        raise RuntimeError(
            f"{op_name}: input of spatial size {x.shape[2:]} is too small for kernel {geometry.kernel} "
            f"(output would be {geometry.out_hw})"
        )


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over kh×kw windows.  input (N, C, H, W) → (N, C, OH, OW); padding counts as −∞.

    With ``return_indices=True`` also returns, like PyTorch, the flat index h·W + w of each maximum
    in the (unpadded) input plane.
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims, op_name):
    """max_pool2d (dims = 2) and max_pool3d (dims = 3): the arguments checked, then MaxPool2dFunction."""
    x, unbatched = _input_4d(input, op_name, dims)
    kernel, stride, padding, dilation = _pool_args(x, kernel_size, stride, padding, dilation, op_name, dims)
    geometry = PoolGeometry(kernel, stride, padding, dilation, ceil_mode, x.shape[2:])
    _check_output(geometry, x, op_name)
    if not return_indices and not (autograd.is_grad_enabled() and x.requires_grad):
        y = Tensor._wrap(for_spatial_dims(max_pool2d_values, dims)(x.array, geometry), False)  # no gradient asked for
        return y.squeeze(0) if unbatched else y
    y, argmax = MaxPool2dFunction(geometry)(x)
    if unbatched:
        y, argmax = y.squeeze(0), argmax.squeeze(0)
    if return_indices:
        return y, _flat_indices(argmax.array, geometry)
    return y


def _flat_indices(argmax, geometry):
    """Window offset of the max → flat index into the input plane (a Tensor)."""
    return to_tensor(_flat_index_array(argmax, geometry))


def _flat_index_array(argmax, geometry):
    """argmax (..., OH, OW), the winning offset i·kw + j of each window → the int64 index
    row·W + col of that pixel in the unpadded H×W plane, where row = oh·sh − ph + i·dh and
    col = ow·sw − pw + j·dw.  (3-D: the D×H×W volume, (depth·H + row)·W + col.)"""
    xp = backend.get_array_module(argmax)
    dims = len(geometry.kernel)
    flat, rest = 0, argmax
    for axis in reversed(range(dims)):  # columns first: j = argmax % kw, then i = argmax // kw
        k, s, p, d, o = (geometry.kernel[axis], geometry.stride[axis], geometry.padding[axis],
                         geometry.dilation[axis], geometry.out_hw[axis])
        tap, rest = rest % k, rest // k
        along_axis = [1] * dims
        along_axis[axis] = -1
        coordinate = xp.arange(o).reshape(along_axis) * s - p + tap * d
        flat = flat + coordinate * math.prod(geometry.hw[axis + 1:])
    return flat.astype(np.int64)


class AvgPoolSum(Function):
    """y = Σ window / divisor;  dx = dy / divisor spread over the window (AvgPoolSpread).

    Shapes: x: (N, C, H, W), divisor: (OH, OW) or scalar → y: (N, C, OH, OW).
    (3-D: x (N, C, D, H, W), divisor (OD, OH, OW) → y (N, C, OD, OH, OW).)
    """

    reads_inputs = False

    def __init__(self, geometry, divisor):
        self.geometry, self.divisor = geometry, divisor

    def forward(self, x):
        padded = self.geometry.padded(x, 0)
        total = None
        for _, *slices in self.geometry.offsets():
            view = padded[_N_C + tuple(slices)]
            total = view.copy() if total is None else total + view
        return total / self.divisor

    def backward(self, gy):
        return AvgPoolSpread(self.geometry, self.divisor)(gy)


class AvgPoolSpread(Function):
    """dx = dy / divisor added to every pixel of each window (the adjoint of AvgPoolSum).

    Shapes: dy: (N, C, OH, OW) → dx: (N, C, H, W).
    """

    reads_inputs = False

    def __init__(self, geometry, divisor):
        self.geometry, self.divisor = geometry, divisor

    def forward(self, gy):
        xp = backend.get_array_module(gy)
        share = gy / self.divisor
        gx = xp.zeros(self.geometry.padded_shape(*gy.shape[:2]), dtype=gy.dtype)
        for _, *slices in self.geometry.offsets():
            gx[_N_C + tuple(slices)] += share
        return self.geometry.unpad(gx)

    def backward(self, ggx):
        return AvgPoolSum(self.geometry, self.divisor)(ggx)


def _avg_divisor(geometry, count_include_pad, xp, dtype):
    """How many elements each window averages (PyTorch's rule): windows are clipped to the padded
    input; without ``count_include_pad`` they are clipped to the real input."""
    counts = []
    for size, k, s, p, o in zip(geometry.hw, geometry.kernel, geometry.stride, geometry.padding, geometry.out_hw):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        else:
            start = np.maximum(start, -p)
        counts.append(end - start)
    divisor = counts[0]
    for count in counts[1:]:  # the outer product: divisor[oh, ow] = counts_h[oh] · counts_w[ow]
        divisor = np.multiply.outer(divisor, count)
    return xp.asarray(divisor.astype(dtype))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over kh×kw windows.  input (N, C, H, W) → (N, C, OH, OW)."""
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                    "avg_pool2d")


def avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims, op_name):
    """avg_pool2d (dims = 2) and avg_pool3d (dims = 3): the arguments checked, then AvgPoolSum."""
    x, unbatched = _input_4d(input, op_name, dims)
    kernel, stride, padding, dilation = _pool_args(x, kernel_size, stride, padding, 1, op_name, dims)
    geometry = PoolGeometry(kernel, stride, padding, dilation, ceil_mode, x.shape[2:])
    _check_output(geometry, x, op_name)
    xp = backend.get_array_module(x.array)
    if divisor_override:
        divisor = xp.asarray(x.dtype.type(divisor_override))
    else:
        divisor = _avg_divisor(geometry, count_include_pad, xp, x.dtype)
    y = AvgPoolSum(geometry, divisor)(x)
    return y.squeeze(0) if unbatched else y


def _adaptive_bins(size, out):
    """PyTorch's adaptive bins: [floor(i·size/out), ceil((i+1)·size/out))."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _adaptive_size(output_size, hw):
    if isinstance(output_size, (int, np.integer)):
        output_size = (output_size,) * len(hw)
    return tuple(hw[i] if o is None else int(o) for i, o in enumerate(output_size))


def adaptive_avg_pool2d(input, output_size):
    """Average into a fixed output grid whatever the input size (VGG's 7×7, ResNet's 1×1)."""
    x, unbatched = _input_4d(input, "adaptive_avg_pool2d")
    h, w = x.shape[2:]
    oh, ow = _adaptive_size(output_size, (h, w))
    if h % oh == 0 and w % ow == 0:  # evenly divisible: an ordinary average pool
        y = avg_pool2d(x, (h // oh, w // ow))
    elif oh % h == 0 and ow % w == 0:  # every bin is one input pixel (VGG on 32×32 images: 1×1 → 7×7)
        n, c = x.shape[:2]
        y = x.reshape(n, c, h, 1, w, 1).expand(n, c, h, oh // h, w, ow // w).reshape(n, c, oh, ow)
    else:
        rows = [
            ops_stack([x[:, :, r0:r1, c0:c1].mean((2, 3)) for c0, c1 in _adaptive_bins(w, ow)], -1)
            for r0, r1 in _adaptive_bins(h, oh)
        ]
        y = ops_stack(rows, -2)
    return y.squeeze(0) if unbatched else y


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max into a fixed output grid (the gradient goes to each bin's first maximum).

    With ``return_indices=True`` also returns, like PyTorch, the flat index h·W + w of each maximum.
    """
    x, unbatched = _input_4d(input, "adaptive_max_pool2d")
    h, w = x.shape[2:]
    oh, ow = _adaptive_size(output_size, (h, w))
    if h % oh == 0 and w % ow == 0:
        result = max_pool2d(x, (h // oh, w // ow), return_indices=return_indices)
        y, indices = result if return_indices else (result, None)
    else:
        values, indices = [], []
        for r0, r1 in _adaptive_bins(h, oh):
            row_values, row_indices = [], []
            for c0, c1 in _adaptive_bins(w, ow):
                best = x[:, :, r0:r1, c0:c1].flatten(2).max(2)
                row_values.append(best.values)
                k = best.indices.array
                row_indices.append((r0 + k // (c1 - c0)) * w + c0 + k % (c1 - c0))
            values.append(ops_stack(row_values, -1))
            indices.append(backend.get_array_module(x.array).stack(row_indices, -1))
        y = ops_stack(values, -2)
        indices = to_tensor(backend.get_array_module(x.array).stack(indices, -2).astype(np.int64))
    if unbatched:
        y, indices = y.squeeze(0), (None if indices is None else indices.squeeze(0))
    return (y, indices) if return_indices else y


def ops_stack(tensors, dim):
    from .joining import stack

    return stack(tensors, dim)
