"""Reductions: ``sum mean prod max min amax amin argmax argmin var std logsumexp norm``.

A reduction's backward broadcasts the upstream gradient back over the reduced dims: the
gradient first gets size-1 dims where they were reduced (``keepdim`` shape), then is
broadcast to the input shape and multiplied by the local derivative.
"""
import collections

import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ._utils import accepts_axis, float_tensor, keepdim_shape, normalize_dims, to_tensor
from .compare import where
from .shape import broadcast_to

ValuesIndices = collections.namedtuple("ValuesIndices", ["values", "indices"])


def _expand_grad(gy, x_shape, axes):
    """Give ``gy`` back the reduced dims (size 1) and broadcast it to ``x_shape``."""
    return broadcast_to(gy.reshape(keepdim_shape(x_shape, axes)), x_shape)


def _axis(axes):
    return None if axes is None else axes


class Sum(Function):
    """y = Σ x over ``axes``;  dx = gy broadcast back (every element contributed with weight 1).

    Shapes: x: any shape → y: x's shape without ``axes`` (kept as 1 with keepdim).
    """

    reads_inputs = False

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        return x.sum(axis=_axis(self.axes), keepdims=self.keepdim)

    def backward(self, gy):
        return _expand_grad(gy, self.inputs[0].shape, self.axes)


@accepts_axis
def sum(input, dim=None, keepdim=False, dtype=None):
    x = to_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "bi" or x.dtype.kind == "u":
        x = x.to(dtypes.int64)  # PyTorch sums integers and bools in int64
    return Sum(normalize_dims(dim, x.ndim, "sum"), keepdim)(x)


def _count(shape, axes):
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


@accepts_axis
def mean(input, dim=None, keepdim=False, dtype=None):
    x = to_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if not dtypes.is_floating(x.dtype):
        raise TypeError(f"mean: expected a floating-point tensor, got dtype {x.dtype}; pass dtype=minidl.float32")
    axes = normalize_dims(dim, x.ndim, "mean")
    return sum(x, axes, keepdim) / _count(x.shape, axes)


class Prod(Function):
    """y = Π x over ``axes``;  dx = gy · (product of the *other* elements).

    With no zero in x that is gy · y / x (differentiable again); with zeros we compute the
    product of the others directly (exclusive cumulative products from both sides).

    Shapes: x: any shape → y: x's shape without ``axes`` (kept as 1 with keepdim).
    """

    saves_outputs = True

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        return x.prod(axis=_axis(self.axes), keepdims=self.keepdim)

    def backward(self, gy):
        x = self.inputs[0]
        y = self.output()
        xp = backend.get_array_module(x.array)
        g = _expand_grad(gy, x.shape, self.axes)
        if not (x.array == 0).any():
            return g * _expand_grad(y, x.shape, self.axes) / x
        others = _product_of_others(xp, x.array, self.axes)
        return g * others


def _product_of_others(xp, x, axes):
    """For every element, the product of the other elements in its reduction group."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    moved = xp.moveaxis(x, axes, tuple(range(-len(axes), 0)))
    flat = moved.reshape(moved.shape[: moved.ndim - len(axes)] + (-1,))
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = (before * after).reshape(moved.shape)
    return xp.moveaxis(others, tuple(range(-len(axes), 0)), axes)


@accepts_axis
def prod(input, dim=None, keepdim=False, dtype=None):
    x = to_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    return Prod(normalize_dims(dim, x.ndim, "prod"), keepdim)(x)


class Amax(Function):
    """y = max of x over ``axes``.  The gradient is shared evenly between tied maxima
    (PyTorch's rule for amax/amin and for max()/min() without a dim).

    Shapes: x: any shape → y: x's shape without ``axes`` (kept as 1 with keepdim).
    """

    saves_outputs = True

    def __init__(self, axes, keepdim, largest=True):
        self.axes, self.keepdim, self.largest = axes, keepdim, largest

    def forward(self, x):
        reduce = x.max if self.largest else x.min
        return reduce(axis=_axis(self.axes), keepdims=self.keepdim)

    def backward(self, gy):
        x = self.inputs[0]
        y = self.output_arrays[0].reshape(keepdim_shape(x.shape, self.axes))
        winners = x.array == y
        share = winners / winners.sum(axis=_axis(self.axes), keepdims=True)
        return _expand_grad(gy, x.shape, self.axes) * share.astype(gy.dtype)


class ArgReduce(Function):
    """Index of the max (or min) along one axis (first one on ties); no gradient.

    Shapes: x: any shape → y: int64, x's shape without ``axis`` (kept as 1 with keepdim).
    """

    differentiable = False

    def __init__(self, axis, keepdim, largest):
        self.axis, self.keepdim, self.largest = axis, keepdim, largest

    def forward(self, x):
        xp = backend.get_array_module(x)
        arg = xp.argmax if self.largest else xp.argmin
        if self.axis is None:
            index = xp.asarray(arg(x.reshape(-1)), dtype=np.int64)
            return index.reshape((1,) * x.ndim) if self.keepdim else index
        index = arg(x, axis=self.axis).astype(np.int64)
        return xp.expand_dims(index, self.axis) if self.keepdim else index


class TakeAlongDim(Function):
    """y = x at ``indices`` along ``axis`` (``take_along_axis``); dx scatters gy back there.

    Shapes: x: any shape, indices: x's shape except along ``axis`` → y: indices' shape.
    """

    def __init__(self, indices, axis):
        self.indices, self.axis = indices, axis

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.take_along_axis(x, self.indices, axis=self.axis)

    def backward(self, gy):
        x = self.inputs[0]
        xp = backend.get_array_module(x.array)
        positions = xp.arange(x.shape[self.axis]).reshape((-1,) + (1,) * (x.ndim - 1 - self.axis))
        chosen = (positions == self.indices).astype(gy.dtype)  # one-hot along the axis
        return broadcast_to(gy, x.shape) * chosen


def _reduce_max(input, dim, keepdim, largest, name):
    x = to_tensor(input)
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(f"{name}(): cannot reduce an empty tensor without a dim")
        return Amax(None, False, largest)(x)
    axes = normalize_dims(dim, x.ndim, name)
    if x.ndim == 0:
        return ValuesIndices(x, to_tensor(np.asarray(0, dtype=np.int64)))
    indices = ArgReduce(axes[0], True, largest)(x)
    values = TakeAlongDim(indices.array, axes[0])(x)
    if not keepdim:
        values, indices = values.squeeze(axes[0]), indices.squeeze(axes[0])
    return ValuesIndices(values, indices)


@accepts_axis
def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element.  ``max(x, dim)``: ``(values, indices)`` along dim; the
    gradient goes to the returned index (the first maximum on ties)."""
    from .compare import maximum

    if dim is not None and not isinstance(dim, (int, np.integer)):
        return maximum(input, dim)  # torch.max(a, b) is the elementwise maximum
    return _reduce_max(input, dim, keepdim, True, "max")


@accepts_axis
def min(input, dim=None, keepdim=False):
    from .compare import minimum

    if dim is not None and not isinstance(dim, (int, np.integer)):
        return minimum(input, dim)
    return _reduce_max(input, dim, keepdim, False, "min")


@accepts_axis
def amax(input, dim=(), keepdim=False):
    """Max over ``dim`` (all dims when ``dim=()``), gradient shared evenly between ties."""
    x = to_tensor(input)
    axes = None if dim in ((), None) else normalize_dims(dim, x.ndim, "amax")
    return Amax(axes, keepdim, True)(x)


@accepts_axis
def amin(input, dim=(), keepdim=False):
    x = to_tensor(input)
    axes = None if dim in ((), None) else normalize_dims(dim, x.ndim, "amin")
    return Amax(axes, keepdim, False)(x)


@accepts_axis
def argmax(input, dim=None, keepdim=False):
    x = to_tensor(input)
    axis = None if dim is None or x.ndim == 0 else normalize_dims(dim, x.ndim, "argmax")[0]
    return ArgReduce(axis, keepdim, True)(x)


@accepts_axis
def argmin(input, dim=None, keepdim=False):
    x = to_tensor(input)
    axis = None if dim is None or x.ndim == 0 else normalize_dims(dim, x.ndim, "argmin")[0]
    return ArgReduce(axis, keepdim, False)(x)


@accepts_axis
def var(input, dim=None, unbiased=None, keepdim=False, correction=None):
    """Σ(x − mean)² / (n − correction); ``correction=1`` (the default) is the unbiased estimate."""
    x = float_tensor(input, "var")
    if correction is None:
        correction = 1 if unbiased is None else int(bool(unbiased))
    axes = normalize_dims(dim, x.ndim, "var")
    deviation = x - mean(x, axes, keepdim=True)
    denominator = _count(x.shape, axes) - correction
    # With too few elements (n <= correction) the estimate is undefined: 0/0 gives nan, as in PyTorch.
    return sum(deviation * deviation, axes, keepdim) / float(denominator if denominator > 0 else 0)


class SqrtOfVariance(Function):
    """y = √v;  dv = gy / (2y), taken as 0 where y = 0 (PyTorch's std: a constant input has std 0
    and gradient 0, where the formula would give ∞·0).

    Shapes: v: any shape → y: the same shape.
    """

    saves_outputs = True
    reads_inputs = False

    def forward(self, v):
        return backend.get_array_module(v).sqrt(v)

    def backward(self, gy):
        y = self.output()
        return where(y.array == 0, 0.0, gy / (2 * where(y.array == 0, 1.0, y)))


@accepts_axis
def std(input, dim=None, unbiased=None, keepdim=False, correction=None):
    """√var (same arguments as ``var``); the gradient is 0 where the std is 0."""
    return SqrtOfVariance()(var(input, dim, unbiased, keepdim, correction))


@accepts_axis
def logsumexp(input, dim, keepdim=False):
    """log Σ exp(x), computed as m + log Σ exp(x − m) with m = max(x) so nothing overflows.

    m is a constant shift (detached): the result does not depend on it mathematically.
    """
    x = float_tensor(input, "logsumexp")
    axes = normalize_dims(dim, x.ndim, "logsumexp")
    if x.numel() == 0:  # log of an empty sum is log 0 = −∞ (and max has no identity)
        return x.sum(axes, keepdim=keepdim) * 0.0 + float("-inf")
    shift = amax(x.detach(), axes, keepdim=True)
    xp = backend.get_array_module(x.array)
    shift = where(xp.isfinite(shift.array), shift, 0.0)  # all -inf rows: no shift
    result = (x - shift).exp().sum(axes, keepdim=True).log() + shift
    return result if keepdim else result.squeeze(axes if axes is not None else None)


class Norm2(Function):
    """y = √(Σ x²);  dx = gy · x / y (taken as 0 where y = 0, as PyTorch does).

    Shapes: x: any shape → y: x's shape without ``axes`` (kept as 1 with keepdim).
    """

    saves_outputs = True

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.sqrt((x * x).sum(axis=_axis(self.axes), keepdims=self.keepdim))

    def backward(self, gy):
        x = self.inputs[0]
        y = self.output()
        safe_y = where(y.array == 0, 1.0, y)
        return _expand_grad(gy / safe_y, x.shape, self.axes) * x


class NormP(Function):
    """y = (Σ |x|^p)^(1/p);  dx = gy · sign(x)·|x|^(p−1) / y^(p−1), taken as 0 where y = 0 or x = 0.

    The chain rule through the composition would evaluate ∞·0 at the zero vector (the p-th root's
    derivative is infinite at 0): PyTorch's closed form with its mask gives 0 there, and so do we.

    Shapes: x: any shape → y: x's shape without ``axes`` (kept as 1 with keepdim).
    """

    saves_outputs = True

    def __init__(self, p, axes, keepdim):
        self.p, self.axes, self.keepdim = p, axes, keepdim

    def forward(self, x):
        xp = backend.get_array_module(x)
        total = (xp.abs(x) ** self.p).sum(axis=_axis(self.axes), keepdims=self.keepdim)
        return total ** x.dtype.type(1.0 / self.p)

    def backward(self, gy):
        x = self.inputs[0]
        y = _expand_grad(self.output(), x.shape, self.axes)
        singular = (y.array == 0) | (x.array == 0)
        safe_y = where(singular, 1.0, y)
        safe_x = where(singular, 1.0, x)
        grad = _expand_grad(gy, x.shape, self.axes) * safe_x.sign() * safe_x.abs() ** (self.p - 1) / safe_y ** (self.p - 1)
        return where(singular, 0.0, grad)


@accepts_axis
def norm(input, p="fro", dim=None, keepdim=False):
    """Vector p-norm over ``dim`` (all elements by default): p = 2 ('fro'), 1, inf, or any p > 0."""
    x = float_tensor(input, "norm")
    axes = normalize_dims(dim, x.ndim, "norm")
    if p in ("fro", 2, 2.0):
        return Norm2(axes, keepdim)(x)
    if p == 1:
        return sum(x.abs(), axes, keepdim)
    if p in (float("inf"), "inf"):
        return amax(x.abs(), () if axes is None else axes, keepdim)
    if isinstance(p, (int, float)) and p > 0:
        return NormP(float(p), axes, keepdim)(x)
    raise ValueError(f"norm: p must be 'fro', a positive number or inf, got {p!r}")


class All(Function):
    """y = all (or any) of x over ``axes``;  no gradient.

    Shapes: x: any shape → y: bool, x's shape without ``axes`` (kept as 1 with keepdim).
    """

    differentiable = False

    def __init__(self, axes, keepdim, any_):
        self.axes, self.keepdim, self.any_ = axes, keepdim, any_

    def forward(self, x):
        reduce = x.any if self.any_ else x.all
        return reduce(axis=_axis(self.axes), keepdims=self.keepdim)


@accepts_axis
def all(input, dim=None, keepdim=False):
    x = to_tensor(input)
    return All(normalize_dims(dim, x.ndim, "all"), keepdim, False)(x)


@accepts_axis
def any(input, dim=None, keepdim=False):
    x = to_tensor(input)
    return All(normalize_dims(dim, x.ndim, "any"), keepdim, True)(x)
