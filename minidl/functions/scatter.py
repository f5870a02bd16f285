"""``gather``, ``scatter`` and ``scatter_add`` along one dim (PyTorch's semantics).

For dim = 1 of 3-D tensors, with index of shape (I, J, K) (no larger than the others in any dim
but ``dim``):

    gather:       out[i, j, k]            = input[i, index[i, j, k], k]
    scatter:      out[i, index[i, j, k], k] = src[i, j, k]      (out starts as a copy of input)
    scatter_add:  out[i, index[i, j, k], k] += src[i, j, k]

gather's gradient is a scatter_add of dy; scatter_add's are dy (to input) and gather(dy) (to src);
scatter's input gradient is dy with the overwritten positions zeroed.
"""
import numpy as np

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._utils import normalize_dim, to_tensor


def _positions(index, dim):
    """index (any shape) → the full index tuple addressing out[..., index, ...] along ``dim``."""
    xp = backend.get_array_module(index)
    grid = list(xp.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _add_at(target, positions, values):
    xp = backend.get_array_module(target)
    if xp is np:
        np.add.at(target, positions, values)
    else:
        import cupyx

        cupyx.scatter_add(target, positions, values)


class Gather(Function):
    """out = input at ``index`` along ``dim``.

    Shapes: input: (..., N, ...), index: integer, same rank, ≤ input's sizes except along dim → out: index's shape.
    """

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        return x[_positions(self.index, self.dim)]

    def backward(self, gy):
        return ScatterAdd(self.dim, self.index)(Tensor._wrap(_zeros_like(self.inputs[0].array, gy.dtype), False), gy)


class ScatterAdd(Function):
    """out = input, then out[positions of index] += src (repeated positions add up).

    Shapes: input: any shape, index: integer, same rank, src: ≥ index's shape → out: input's shape.
    """

    reads_inputs = False

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def _src_part(self, src):
        return src[tuple(slice(0, n) for n in self.index.shape)]  # src may be larger than index

    def forward(self, x, src):
        out = x.copy()
        _add_at(out, _positions(self.index, self.dim), self._src_part(src))
        return out

    def _grad_src(self, gy):
        if not self.needs_input_grad[1]:
            return None
        return _pad_to(Gather(self.dim, self.index)(gy), self.inputs[1].shape)

    def backward(self, gy):
        return gy if self.needs_input_grad[0] else None, self._grad_src(gy)


class Scatter(ScatterAdd):
    """out = input, then out[positions of index] = src (with repeated positions, one of them wins).

    Shapes: input: any shape, index: integer, same rank, src: ≥ index's shape → out: input's shape.
    """

    def forward(self, x, src):
        out = x.copy()
        out[_positions(self.index, self.dim)] = self._src_part(src)
        return out

    def backward(self, gy):
        grad_x = None
        if self.needs_input_grad[0]:  # the overwritten positions lose their gradient
            mask = _zeros_like(gy.array, bool)
            mask[_positions(self.index, self.dim)] = True
            grad_x = gy * Tensor._wrap(~mask, False)
        return grad_x, self._grad_src(gy)


def _zeros_like(array, dtype):
    return backend.get_array_module(array).zeros(array.shape, dtype=dtype)


def _pad_to(tensor, shape):
    """A gradient for src when src is larger than index: zeros beyond index's extent."""
    if tuple(tensor.shape) == tuple(shape):
        return tensor
    from .joining import pad

    widths = []
    for have, want in reversed(list(zip(tensor.shape, shape))):
        widths += [0, want - have]
    return pad(tensor, widths)


def _check(op_name, x, dim, index, src=None):
    index = to_tensor(index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op_name}(): expected an integer index tensor, got {index.dtype}")
    if index.ndim != x.ndim:
        raise RuntimeError(f"{op_name}(): index has {index.ndim} dims, input has {x.ndim}; they must match")
    dim = normalize_dim(dim, x.ndim, op_name)
    for d, (n_index, n_input) in enumerate(zip(index.shape, x.shape)):
        if d != dim and n_index > n_input:
            raise RuntimeError(f"{op_name}(): index {tuple(index.shape)} is larger than input {tuple(x.shape)} in dim {d}")
        if src is not None and n_index > src.shape[d]:
            raise RuntimeError(f"{op_name}(): index {tuple(index.shape)} is larger than src {tuple(src.shape)} in dim {d}")
    data = index.array
    if data.size and (int(data.min()) < -x.shape[dim] or int(data.max()) >= x.shape[dim]):
        raise IndexError(f"{op_name}(): index out of range for dim {dim} of size {x.shape[dim]}")
    return dim, data % max(x.shape[dim], 1)


def gather(input, dim, index):
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for dim = 1 (see the module docstring)."""
    x = to_tensor(input)
    dim, index = _check("gather", x, dim, index)
    return Gather(dim, index)(x)


def scatter(input, dim, index, src=None, value=None):
    """A copy of input with out[…index…] = src (a tensor, or a number: ``value``)."""
    x = to_tensor(input)
    if (src is None) == (value is None):
        raise TypeError("scatter(): give exactly one of src and value")
    if src is None or not isinstance(src, Tensor):
        number = value if src is None else src
        src = Tensor._wrap(backend.get_array_module(x.array).full(to_tensor(index).shape, number, dtype=x.dtype), False)
    dim, index = _check("scatter", x, dim, index, src)
    return Scatter(dim, index)(x, src.to(x.dtype))


def scatter_add(input, dim, index, src):
    """A copy of input with out[…index…] += src (repeated positions add up)."""
    x, src = to_tensor(input), to_tensor(src)
    dim, index = _check("scatter_add", x, dim, index, src)
    return ScatterAdd(dim, index)(x, src.to(x.dtype))
