"""The 1-D layers, and max-unpooling.

A 1-D signal (N, C, L) is a 2-D image of height 1, (N, C, 1, L): ``conv1d``, ``max_pool1d`` and
``avg_pool1d`` are the 2-D ops on that image (the same im2col, the same gradients), with the
height-1 axis added on the way in and removed on the way out.

``max_unpool2d`` is max-pooling's partial inverse: it puts each pooled value back at the position
its index names and zeros elsewhere (Zeiler & Fergus 2014 use it to look inside a CNN).
"""
import math

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._utils import to_tensor
from .conv import conv2d
from .geometry import ntuple
from .pooling import avg_pool2d, max_pool2d
from .scatter import gather


def _single(value, name, op_name):
    """An int or a 1-tuple → an int (PyTorch's 1-D arguments)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"{op_name}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{op_name}: {name} must be an int or a 1-tuple, got {value!r}")
    return value


def _as_image(input, op_name):
    """(N, C, L) or (C, L) → (N, C, 1, L), and whether the batch dim was added."""
    x = to_tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"{op_name}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {x.shape}")
    return (x.unsqueeze(0) if x.ndim == 2 else x).unsqueeze(2), x.ndim == 2


def _back(y, unbatched):
    y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution.  input (N, C, L) or (C, L); weight (F, C/groups, k); bias (F,) → (N, F, OL),
    OL = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1; padding may be 'same' or 'valid'."""
    x, unbatched = _as_image(input, "conv1d")
    w = to_tensor(weight)
    if w.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (F, C/groups, k), got shape {w.shape}")
    padding = padding if isinstance(padding, str) else (0, _single(padding, "padding", "conv1d"))
    y = conv2d(x, w.unsqueeze(2), bias, (1, _single(stride, "stride", "conv1d")), padding,
               (1, _single(dilation, "dilation", "conv1d")), groups)
    return _back(y, unbatched)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of a (N, C, L) signal → (N, C, OL) (and the index l of each maximum)."""
    x, unbatched = _as_image(input, "max_pool1d")
    k = _single(kernel_size, "kernel_size", "max_pool1d")
    s = k if stride is None or stride == () or stride == [] else _single(stride, "stride", "max_pool1d")
    result = max_pool2d(x, (1, k), (1, s), (0, _single(padding, "padding", "max_pool1d")),
                        (1, _single(dilation, "dilation", "max_pool1d")), ceil_mode, return_indices)
    if return_indices:
        return _back(result[0], unbatched), _back(result[1], unbatched)
    return _back(result, unbatched)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of a (N, C, L) signal → (N, C, OL)."""
    x, unbatched = _as_image(input, "avg_pool1d")
    k = _single(kernel_size, "kernel_size", "avg_pool1d")
    s = k if stride is None or stride == () or stride == [] else _single(stride, "stride", "avg_pool1d")
    y = avg_pool2d(x, (1, k), (1, s), (0, _single(padding, "padding", "avg_pool1d")), ceil_mode, count_include_pad)
    return _back(y, unbatched)


class MaxUnpool(Function):
    """out (N, C, H·W) = zeros with out[n, c, index[n, c, i]] = x[n, c, i]; dx = dy at the same indices.

    Shapes: x, index: (N, C, M) → out: (N, C, size) (the flattened output plane).
    """

    reads_inputs = False

    def __init__(self, index, size):
        self.index, self.size = index, size

    def forward(self, x):
        xp = backend.get_array_module(x)
        out = xp.zeros(x.shape[:2] + (self.size,), dtype=x.dtype)
        xp.put_along_axis(out, self.index, x, axis=2)
        return out

    def backward(self, gy):
        return gather(gy, 2, Tensor._wrap(self.index, False))


def max_unpool(input, indices, kernel_size, stride, padding, output_size, dims, op_name):
    """Put each value of a max-pooled (N, C, *spatial) input back at its flat index into the output's
    spatial volume (the indices ``max_pool*d(..., return_indices=True)`` gives), zeros elsewhere.
    Output size per axis: (size − 1)·stride − 2·padding + kernel, or ``output_size``.  ``dims``
    spatial axes (2 or 3); the unbatched (C, *spatial) form is accepted.  Raises IndexError for an
    index outside the output."""
    x, index = to_tensor(input), to_tensor(indices)
    unbatched = x.ndim == dims + 1
    if unbatched:
        x, index = x.unsqueeze(0), index.unsqueeze(0)
    if x.ndim != dims + 2 or tuple(index.shape) != tuple(x.shape):
        raise RuntimeError(f"{op_name}: expected a {dims + 2}-D input and indices of its shape, got {x.shape} and "
                           f"{index.shape}")
    kernel = ntuple(kernel_size, dims, "kernel_size", op_name)
    stride = kernel if stride is None else ntuple(stride, dims, "stride", op_name)
    padding = ntuple(padding, dims, "padding", op_name)
    if output_size is None:
        out = tuple((s - 1) * st - 2 * p + k for s, st, p, k in zip(x.shape[2:], stride, padding, kernel))
    else:
        out = tuple(int(o) for o in tuple(output_size)[-dims:])
    n, c = x.shape[:2]
    flat_index = index.array.reshape(n, c, -1)
    volume = math.prod(out)
    if flat_index.size and (int(flat_index.min()) < 0 or int(flat_index.max()) >= volume):
        raise IndexError(f"{op_name}: an index is outside the {'×'.join(map(str, out))} output")
    y = MaxUnpool(flat_index, volume)(x.reshape(n, c, -1)).reshape((n, c) + out)
    return y.squeeze(0) if unbatched else y


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value of a max-pooled (N, C, H, W) input back at its index (from
    ``max_pool2d(..., return_indices=True)``), zeros elsewhere.  Output size: (H − 1)·stride −
    2·padding + kernel, or ``output_size``."""
    return max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")
