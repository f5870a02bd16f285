"""Shape operations: they move or repeat elements without computing new values.

Their backward passes only undo the rearrangement: a reshape's gradient is reshaped back, a
permutation's gradient is permuted by the inverse permutation, and a broadcast's gradient is
*summed* over the broadcast dimensions (``sum_to``) because every copy of an element
contributed to the output.
"""
import numpy as np

from .. import backend
from ..autograd import Function
from ._utils import accepts_axis, normalize_dim, to_tensor


def _shape_arg(shape, op_name):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for size in shape:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise TypeError(f"{op_name}: sizes must be integers, got {shape!r}")
    return tuple(int(s) for s in shape)


class Reshape(Function):
    """y = x with a new shape, same elements in row-major order.

    Shapes: x: any shape → y: ``shape`` (the same number of elements).
    """

    reads_inputs = False
    returns_view = True  # the output shares the input's memory

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise RuntimeError(
                f"reshape: shape {self.shape} is invalid for a tensor of shape {x.shape} ({x.size} elements)"
            ) from None

    def backward(self, gy):
        return gy.reshape(self.x_shape)


def reshape(x, *shape):
    """Same elements, new shape; one size may be -1 (inferred).  ``x: any`` → ``shape``."""
    shape = _shape_arg(shape, "reshape")
    x = to_tensor(x)
    if shape == x.shape:
        return x
    return Reshape(shape)(x)


view = reshape


def view_as(x, other):
    return reshape(x, other.shape)


reshape_as = view_as


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one: ``(N, C, H, W)`` → ``(N, C·H·W)`` with start_dim=1."""
    x = to_tensor(x)
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_dim(start_dim, x.ndim, "flatten", "start_dim")
    end = normalize_dim(end_dim, x.ndim, "flatten", "end_dim")
    if start > end:
        raise ValueError(f"flatten: start_dim ({start_dim}) must not come after end_dim ({end_dim})")
    merged = int(np.prod(x.shape[start:end + 1]))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


@accepts_axis
def squeeze(x, dim=None):
    """Remove size-1 dims (all of them, or only ``dim``, which may be a tuple)."""
    x = to_tensor(x)
    if dim is None:
        dims = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dims = {normalize_dim(d, x.ndim, "squeeze") for d in dims}
        dims = {d for d in dims if x.ndim and x.shape[d] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in dims))


@accepts_axis
def unsqueeze(x, dim):
    """Insert a size-1 dim at position ``dim`` (``-1`` appends)."""
    x = to_tensor(x)
    dim = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


class Permute(Function):
    """y = x with its axes reordered: ``y.shape[i] == x.shape[dims[i]]``.

    Shapes: x: (d0, d1, ...) → y: (d[dims[0]], d[dims[1]], ...).
    """

    reads_inputs = False
    returns_view = True  # the output shares the input's memory

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, gy):
        inverse = tuple(int(i) for i in np.argsort(self.dims))
        return permute(gy, *inverse)


def permute(x, *dims):
    x = to_tensor(x)
    dims = _shape_arg(dims, "permute")
    if len(dims) != x.ndim:
        raise ValueError(f"permute: expected {x.ndim} dims for a tensor of shape {x.shape}, got {dims}")
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of 0..{x.ndim - 1}")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute(dims)(x)


def transpose(x, dim0, dim1):
    """Swap two dims (``x.mT`` swaps the last two)."""
    x = to_tensor(x)
    dims = list(range(x.ndim))
    a, b = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    if x.ndim == 0:
        return x
    dims[a], dims[b] = dims[b], dims[a]
    return permute(x, *dims)


def t(x):
    """The transpose of a 2-D tensor (0-d and 1-D ones come back as they are).

    Shapes: (n, m) → (m, n).  Raises RuntimeError for more than 2 dims, as PyTorch does.
    """
    x = to_tensor(x)
    if x.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but self is {x.ndim}D (shape {tuple(x.shape)})")
    return transpose(x, 0, -1) if x.ndim == 2 else x


def _broadcast_shape(shape, target, op_name):
    try:
        return tuple(np.broadcast_shapes(shape, target))
    except ValueError:
        raise RuntimeError(f"{op_name}: the shape {shape} cannot be broadcast to {target}") from None


class BroadcastTo(Function):
    """y = x repeated along size-1 (or missing leading) dims to ``shape``.

    Shapes: x: a shape that broadcasts to ``shape`` → y: ``shape``.
    """

    reads_inputs = False
    returns_view = True  # the output shares the input's memory

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        xp = backend.get_array_module(x)
        return xp.broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


def broadcast_to(x, *shape):
    x = to_tensor(x)
    shape = _shape_arg(shape, "broadcast_to")
    if _broadcast_shape(x.shape, shape, "broadcast_to") != shape:
        raise RuntimeError(f"broadcast_to: the shape {x.shape} cannot be broadcast to {shape}")
    if x.shape == shape:
        return x
    return BroadcastTo(shape)(x)


def expand(x, *sizes):
    """Like ``broadcast_to``, with ``-1`` meaning "keep this dim's size"."""
    x = to_tensor(x)
    sizes = _shape_arg(sizes, "expand")
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand: got {len(sizes)} sizes for a tensor with {x.ndim} dims")
    offset = len(sizes) - x.ndim
    shape = tuple(x.shape[i - offset] if (s == -1 and i >= offset) else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def expand_as(x, other):
    return broadcast_to(x, other.shape)


class SumTo(Function):
    """y = x summed down to ``shape``: the adjoint of broadcasting.

    If ``z = x + b`` broadcast ``b: (C,)`` over ``x: (N, C)``, each ``b[c]`` was used N times,
    so ``dL/db[c] = Σ_n dL/dz[n, c]``.  Leading dims that broadcasting added are summed away,
    and dims where ``shape`` has size 1 are summed with keepdims.

    Shapes: x: any shape that ``shape`` broadcasts to → y: ``shape``.
    """

    reads_inputs = False

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        lead = x.ndim - len(self.shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(self.shape) if n == 1 and x.shape[lead + i] != 1
        )
        y = x.sum(axis=axes, keepdims=True) if axes else x
        if lead:
            y = y.reshape(self.shape)
        return y

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def sum_to(x, shape):
    """Sum ``x`` down to ``shape`` (which ``x``'s shape must broadcast from)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if _broadcast_shape(shape, x.shape, "sum_to") != x.shape:
        raise RuntimeError(f"sum_to: cannot sum a tensor of shape {x.shape} down to {shape}")
    return SumTo(shape)(x)


def sum_to_size(x, *size):
    return sum_to(x, _shape_arg(size, "sum_to_size"))


class Contiguous(Function):
    """A C-contiguous copy when ``x`` is a strided view; gradient passes unchanged.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def forward(self, x):
        return x.copy()  # copies are C-contiguous (unlike ascontiguousarray, keeps 0-d shapes)

    def backward(self, gy):
        return gy


def contiguous(x):
    x = to_tensor(x)
    if x.array.flags.c_contiguous:
        return x
    return Contiguous()(x)


def repeat(input, *sizes):
    """The tensor tiled ``sizes[i]`` times along each dim (PyTorch's ``Tensor.repeat``; NumPy's ``tile``).

    Built from reshape and expand, so the gradient sums the copies back:
    (d0, d1) → (1, d0, 1, d1) → expand (r0, d0, r1, d1) → reshape (r0·d0, r1·d1).
    Shapes: input (d_1, …, d_n), sizes (r_1, …, r_m) with m ≥ n → (r_1·d'_1, …, r_m·d'_m), where d' is
    the input's shape with leading 1s added up to m dims.  Raises RuntimeError when m < n.
    """
    x = to_tensor(input)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < x.ndim:
        raise RuntimeError(f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the number of "
                           f"dims of the tensor ({x.ndim})")
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"repeat: trying to create tensor with negative dimension: repeats {tuple(sizes)}")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    interleaved = [n for size in shape for n in (1, size)]
    expanded = [n for repeats, size in zip(sizes, shape) for n in (repeats, size)]
    return x.reshape(interleaved).expand(*expanded).reshape([r * s for r, s in zip(sizes, shape)])
def _check_factor(x, factor, op_name, arg_name):
    if not isinstance(factor, (int, np.integer)) or isinstance(factor, bool) or factor <= 0:
        raise RuntimeError(f"{op_name} expects a positive {arg_name}, but got {factor!r}")
    if x.ndim < 3:
        raise RuntimeError(f"{op_name} expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    return int(factor)


def pixel_shuffle(x, upscale_factor):
    """Depth-to-space (Shi et al. 2016, "Real-time single image and video super-resolution using an
    efficient sub-pixel convolutional neural network"): channel c·r² + i·r + j becomes pixel (i, j)
    of an r×r tile of output channel c.

    Shapes: x: (*, C·r², H, W) → (*, C, H·r, W·r) with r = ``upscale_factor``.  A reshape, a
    permutation and a reshape, so the gradient is the inverse rearrangement (``pixel_unshuffle``).
    Raises RuntimeError (PyTorch's) for r ≤ 0, fewer than 3 dims, or C·r² not divisible by r².
    """
    x = to_tensor(x)
    r = _check_factor(x, upscale_factor, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(batch)
    tiles = reshape(x, *batch, c // (r * r), r, r, h, w)  # (*, C, i, j, H, W)
    tiles = permute(tiles, *range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, i, W, j)
    return reshape(tiles, *batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(x, downscale_factor):
    """Space-to-depth, the inverse of ``pixel_shuffle``: pixel (i, j) of each r×r tile of channel c
    becomes channel c·r² + i·r + j.

    Shapes: x: (*, C, H·r, W·r) → (*, C·r², H, W) with r = ``downscale_factor``.  Raises
    RuntimeError (PyTorch's) for r ≤ 0, fewer than 3 dims, or H or W not divisible by r.
    """
    x = to_tensor(x)
    r = _check_factor(x, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = x.shape
    for name, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={size} is not divisible by {r}")
    k = len(batch)
    tiles = reshape(x, *batch, c, h // r, r, w // r, r)  # (*, C, H, i, W, j)
    tiles = permute(tiles, *range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, i, j, H, W)
    return reshape(tiles, *batch, c * r * r, h // r, w // r)
