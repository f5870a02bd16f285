"""Comparisons, selection and clamping: ``eq lt ... where maximum minimum clamp``.

Comparisons return bool tensors and never carry gradients.  Selection ops route the upstream
gradient to whichever input supplied each output element.
"""
import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor, as_array
from ._utils import check_fits, promote, to_tensor
from .shape import sum_to


class Compare(Function):
    """An elementwise predicate (``==``, ``<``, ...): bool output, no gradient.

    Shapes: a, b: shapes that broadcast together → y: bool, the broadcast shape.
    """

    differentiable = False

    def __init__(self, ufunc_name):
        self.ufunc_name = ufunc_name

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        return getattr(xp, self.ufunc_name)(a, b)


def _compare(name, a, b):
    a, b = promote(a, b)
    return Compare(name)(a, b)


def eq(input, other):
    return _compare("equal", input, other)


def ne(input, other):
    return _compare("not_equal", input, other)


def lt(input, other):
    return _compare("less", input, other)


def le(input, other):
    return _compare("less_equal", input, other)


def gt(input, other):
    return _compare("greater", input, other)


def ge(input, other):
    return _compare("greater_equal", input, other)


def logical_and(input, other):
    return _compare("logical_and", input, other)


def logical_or(input, other):
    return _compare("logical_or", input, other)


class LogicalNot(Function):
    """y = not x, elementwise;  no gradient.

    Shapes: x: any shape → y: bool, the same shape.
    """

    differentiable = False

    def forward(self, x):
        return ~x if x.dtype == np.bool_ else x == 0


def logical_not(input):
    return LogicalNot()(to_tensor(input))


class Sign(Function):
    """sign(x) ∈ {-1, 0, 1}; its derivative is zero almost everywhere, so no gradient flows.

    Shapes: x: any shape → y: the same shape.
    """

    differentiable = False

    def forward(self, x):
        return backend.get_array_module(x).sign(x)


def sign(input):
    return Sign()(to_tensor(input))


def _as_mask(condition):
    if isinstance(condition, Tensor):
        condition = condition.array
    xp = backend.get_array_module(condition)
    condition = xp.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {condition.dtype}")
    return condition


class Where(Function):
    """y = a where mask else b;  da = gy where mask else 0,  db = gy where not mask else 0.

    Shapes: mask, a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    reads_inputs = False

    def __init__(self, mask):
        self.mask = mask

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        return xp.where(self.mask, a, b)

    def backward(self, gy):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(where(self.mask, gy, 0.0), a.shape)
        if self.needs_input_grad[1]:
            grad_b = sum_to(where(self.mask, 0.0, gy), b.shape)
        return grad_a, grad_b


def where(condition, input, other):
    """Elementwise ``input if condition else other``, all three broadcast together."""
    mask = _as_mask(condition)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # two Python scalars, as PyTorch allows
        xp = backend.get_array_module(mask)
        input = Tensor._wrap(xp.asarray(input, dtype=dtypes.scalar_dtype(input, dtypes.scalar_dtype(other, dtypes.bool))), False)
    input, other = promote(input, other)
    backend.check_same_device([mask, input.array], "where")
    try:
        np.broadcast_shapes(mask.shape, input.shape, other.shape)
    except ValueError:
        raise RuntimeError(
            f"where: condition {mask.shape}, input {input.shape} and other {other.shape} cannot be broadcast together"
        ) from None
    return Where(mask)(input, other)


class Maximum(Function):
    """y = max(a, b) elementwise.  The gradient goes to the larger input; on ties it is split
    in half between both (PyTorch's convention, which keeps max(a, a) = a differentiable to 1).

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    the gradients summed back to a's and b's shapes.
    """

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        return xp.maximum(a, b)

    def backward(self, gy):
        a, b = self.inputs
        share_a = (a.array > b.array) + 0.5 * (a.array == b.array)
        share_a = share_a.astype(gy.dtype)
        grad_a = sum_to(gy * share_a, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(gy * (1 - share_a), b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


def maximum(input, other):
    input, other = promote(input, other)
    return Maximum()(input, other)


def minimum(input, other):
    """min(a, b) = -max(-a, -b): the same tie rule, with no second kernel to maintain."""
    input, other = promote(input, other)
    return -maximum(-input, -other)


class Clamp(Function):
    """y = min(max(x, low), high);  dx = gy where low <= x <= high, else 0.

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.mask = xp.ones(x.shape, dtype=bool)
        if self.low is not None:
            self.mask &= x >= self.low
        if self.high is not None:
            self.mask &= x <= self.high
        y = x
        if self.low is not None:
            y = xp.maximum(y, xp.asarray(self.low, dtype=x.dtype))
        if self.high is not None:
            y = xp.minimum(y, xp.asarray(self.high, dtype=x.dtype))
        return y

    def backward(self, gy):
        return gy * self.mask  # 0/1 mask: branch-free


def clamp(input, min=None, max=None):
    """Limit every element to ``[min, max]`` (either bound may be None; bounds may be tensors).

    Gradient: to x where min ≤ x ≤ max (bounds included), to a tensor bound where x is beyond it.
    """
    input = to_tensor(input)
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # PyTorch's rule at a tie x == bound: the gradient goes to x, none to the bound
        result = input
        if min is not None:
            result = where(result < min, min, result)
        if max is not None:
            result = where(result > max, max, result)
        return result
    return Clamp(min, max)(input)


clip = clamp


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True (mask broadcasts to input's shape);
    the gradient reaches ``input`` where the mask is False (and a tensor ``value`` where it is True).

    Shapes: input: any shape, mask: bool, broadcastable to it → the shape of input.
    Raises RuntimeError for a mask that is not bool (as PyTorch does).
    """
    input = to_tensor(input)
    mask_array = mask.array if isinstance(mask, Tensor) else as_array(mask)
    if mask_array.dtype != dtypes.bool:
        raise RuntimeError(f"masked_fill: expected mask of dtype bool, got {mask_array.dtype}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill: value must be a 0-d tensor or a number, got shape {tuple(value.shape)}")
        value = value.to(input.dtype)
    else:
        check_fits(value, input.dtype, "masked_fill")
        value = to_tensor(value, like=input).to(input.dtype)
    return where(mask_array, value, input)
