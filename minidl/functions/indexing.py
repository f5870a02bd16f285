"""Indexing ``x[index]``: basic (ints, slices, None, ...) and advanced (integer/bool arrays).

Backward scatters the gradient into a zero tensor of x's shape.  With advanced indexing an
element can be picked several times (``x[[0, 0]]``), so its gradient must be *accumulated*:
``np.add.at`` (unbuffered add) instead of ``grad[index] = gy``, which would keep only one.
"""
import numpy as np

from .. import backend
from ..autograd import Function
from ..tensor import Tensor
from ._utils import accepts_axis, to_tensor


def index_to_arrays(index):
    """Replace Tensors inside an index by their arrays (a tuple stays a tuple)."""
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, tuple):
        return tuple(index_to_arrays(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(
        item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer)) and not isinstance(item, bool)
        for item in items
    )


class GetItem(Function):
    """y = x[index].

    Shapes: x: any shape → y: the shape NumPy/PyTorch indexing gives; dx: x's shape (IndexScatter).
    """

    reads_inputs = False

    def __init__(self, index):
        self.index = index
        self.returns_view = _is_basic(index)  # basic indexing gives a view of x's memory, as in PyTorch

    def forward(self, x):
        try:
            y = x[self.index]
            if not hasattr(y, "ndim") or (self.returns_view and y.ndim == 0 and getattr(y, "base", None) is None):
                # integers alone give NumPy a scalar copy; PyTorch gives a 0-d view: ask for one
                y = x[(self.index if isinstance(self.index, tuple) else (self.index,)) + (Ellipsis,)]
            return y
        except IndexError as error:
            raise IndexError(f"getitem: index {self.index!r} is invalid for a tensor of shape {x.shape}: {error}") from None

    def backward(self, gy):
        x = self.inputs[0]
        return IndexScatter(self.index, x.shape)(gy)


class IndexScatter(Function):
    """y = zeros(shape); y[index] += g  — the gradient of GetItem (and its own adjoint is GetItem).

    Shapes: g: the indexed shape → y: ``shape`` (x's shape).
    """

    reads_inputs = False

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, g):
        xp = backend.get_array_module(g)
        out = xp.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            out[self.index] = g  # basic indexing never selects an element twice
        elif xp is np:
            np.add.at(out, self.index, g)
        else:
            import cupyx

            cupyx.scatter_add(out, self.index, g)
        return out

    def backward(self, ggx):
        return getitem(ggx, self.index)


def _is_int(item):
    """A Python/NumPy integer, or a 0-d integer array (a 0-d index tensor acts as an integer in PyTorch)."""
    if hasattr(item, "ndim") and item.ndim == 0 and getattr(item, "dtype", None) is not None:
        return item.dtype.kind in "iu"
    return isinstance(item, (int, np.integer)) and not isinstance(item, bool)


def _is_array_index(item):
    return not (item is None or item is Ellipsis or isinstance(item, slice) or _is_int(item) or isinstance(item, bool))


def split_integer_index(index):
    """For an index mixing integers with index arrays, PyTorch's two steps: (the integer select,
    the rest); None when the index does not mix them (one step, as NumPy)."""
    items = index if isinstance(index, tuple) else (index,)
    if not (any(_is_int(i) for i in items) and any(_is_array_index(i) for i in items)):
        return None
    first = tuple(int(i) if _is_int(i) else i if i is None or i is Ellipsis else slice(None) for i in items)
    return first, tuple(slice(None) if i is None else i for i in items if not _is_int(i))


def getitem(input, index):
    """x[index] with PyTorch's semantics.  Where they differ from NumPy's: integers are applied first,
    as a ``select`` that removes their axis, and only then the index tensors — so in
    ``x[0, :, idx]`` (x: (A, B, C)) the indexed axis stays in place, giving (B, len(idx)), where NumPy
    would move it to the front (len(idx), B)."""
    x = to_tensor(input)
    index = index_to_arrays(index)
    steps = split_integer_index(index)
    if steps is not None:
        return getitem(getitem(x, steps[0]), steps[1])
    return GetItem(index)(x)


@accepts_axis
def index_select(input, dim, index):
    x = to_tensor(input)
    slicer = [slice(None)] * x.ndim
    slicer[dim] = index_to_arrays(index)
    return getitem(x, tuple(slicer))
