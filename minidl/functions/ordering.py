"""Order along a dimension: ``sort topk flip roll cumsum``.

``sort`` and ``topk`` pick elements — a ``gather`` through the indices they find — so their
gradient goes back to where each picked element came from (gather's scatter-add); ``flip`` and
``roll`` move elements, so their gradient is moved back the other way; ``cumsum`` adds prefixes,
so its gradient is the suffix sum of the upstream gradient (a reversed cumsum).
"""
from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from ._utils import accepts_axis, normalize_dim, normalize_dims, to_tensor
from .reductions import ValuesIndices
from .scatter import gather

def _order(x, axis, descending, stable):
    """Indices that sort ``x`` along ``axis``; NaN counts as larger than every number (PyTorch's rule)."""
    xp = backend.get_array_module(x)
    if x.dtype.kind == "b" or x.dtype.kind == "u":
        x = x.astype(xp.int64)
    if descending:
        key = -x if x.dtype.kind != "f" else xp.where(xp.isnan(x), -xp.inf, -x)
        return xp.argsort(key, axis=axis, kind="stable")
    return xp.argsort(x, axis=axis, kind="stable" if stable else None)


@accepts_axis
def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)``: ``input`` sorted along ``dim``; ties keep their order (minidl always
    sorts stably, which PyTorch's ``stable=False`` allows).

    Shapes: input: any shape → values, indices (int64): the same shape.
    """
    x = to_tensor(input)
    if x.ndim == 0:
        return ValuesIndices(x.clone(), Tensor(0))
    axis = normalize_dim(dim, x.ndim, "sort")
    indices = _order(x.array, axis, descending, True)
    index = Tensor._wrap(indices.astype(dtypes.int64), False)
    return ValuesIndices(gather(x, axis, index), index)


@accepts_axis
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices ``sort`` returns.  Shapes: input: any shape → int64, the same shape."""
    return sort(input, dim, descending, stable).indices


@accepts_axis
def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements along ``dim``,
    largest first.  Raises RuntimeError if ``k`` exceeds the size of ``dim``.

    Shapes: input: (…, n, …) → values, indices (int64): (…, k, …).
    """
    x = to_tensor(input)
    axis = normalize_dim(dim, x.ndim, "topk")
    size = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: k={k} is out of range for dimension {dim} of size {size}")
    if x.ndim == 0:
        return ValuesIndices(x.clone(), Tensor(0))
    xp = backend.get_array_module(x.array)
    order = _order(x.array, axis, largest, True)
    indices = xp.take(order, xp.arange(k), axis=axis)
    index = Tensor._wrap(indices.astype(dtypes.int64), False)
    return ValuesIndices(gather(x, axis, index), index)


class Flip(Function):
    """y = x reversed along ``axes``;  dx = gy reversed along the same axes.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return backend.get_array_module(x).flip(x, axis=self.axes).copy()

    def backward(self, gy):
        return flip(gy, self.axes)


def flip(input, *dims):
    """``input`` reversed along every dim in ``dims`` (a copy, as in PyTorch): ``flip(x, (0, 1))``, and
    as a method ``x.flip(0, 1)`` too."""
    x = to_tensor(input)
    dims = dims[0] if len(dims) == 1 else dims
    axes = normalize_dims(dims, x.ndim, "flip")
    return Flip(axes)(x) if axes else x.clone()


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``axes``;  dx = gy shifted back by −shifts.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, shifts, axes):
        self.shifts, self.axes = shifts, axes

    def forward(self, x):
        xp = backend.get_array_module(x)
        if self.axes is None:
            return xp.roll(x, self.shifts)
        return xp.roll(x, self.shifts, axis=self.axes)

    def backward(self, gy):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll(back, self.axes)(gy)


def roll(input, shifts, dims=None):
    """Elements shifted cyclically: ``roll(x, 1)`` on [1, 2, 3] gives [3, 1, 2].  Without ``dims``
    the tensor is flattened, rolled and reshaped, as in PyTorch."""
    x = to_tensor(input)
    if dims is None:
        if not isinstance(shifts, int):
            raise RuntimeError(f"roll: without dims, shifts must be one integer, got {shifts!r}")
        return Roll(shifts, None)(x)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts ({len(shifts)} values) and dims ({len(dims)} values) must match")
    return Roll(shifts, tuple(normalize_dim(d, x.ndim, "roll") for d in dims))(x)


class Cumsum(Function):
    """y_i = x_1 + … + x_i along ``axis``;  dx_j = Σ_{i ≥ j} gy_i (a cumsum of gy from the end).

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return backend.get_array_module(x).cumsum(x, axis=self.axis)

    def backward(self, gy):
        return flip(Cumsum(self.axis)(flip(gy, (self.axis,))), (self.axis,))


@accepts_axis
def cumsum(input, dim, dtype=None):
    """Running sums along ``dim``; integer and bool inputs sum in int64, as in PyTorch."""
    x = to_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    elif not dtypes.is_floating(x.dtype):
        x = x.to(dtypes.int64)
    if x.ndim == 0:
        return x.clone()
    return Cumsum(normalize_dim(dim, x.ndim, "cumsum"))(x)
