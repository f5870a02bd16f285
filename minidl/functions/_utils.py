"""Small helpers shared by the op families: turning arguments into tensors, dims, promotion."""
import functools
import math
import numbers

import numpy as np

from .. import backend, dtypes
from ..tensor import Tensor, as_array


def to_tensor(value, like=None):
    """``value`` as a Tensor; Python numbers take a dtype that fits ``like`` (weak scalars)."""
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, numbers.Number):
        xp = backend.get_array_module(like.array)
        return Tensor._wrap(xp.asarray(value, dtype=dtypes.scalar_dtype(value, like.dtype)), False)
    array = as_array(value)
    if like is not None and backend.is_cupy_array(like.array) and not backend.is_cupy_array(array):
        raise backend.DeviceMismatchError(
            f"expected a tensor on {like.device}, got a NumPy array; move it with minidl.tensor(x, device='{like.device}')"
        )
    return Tensor._wrap(array, False)


def check_fits(value, dtype, op_name):
    """RuntimeError when the Python number ``value`` cannot be stored in an integer ``dtype`` (NaN,
    ±inf, or out of range), as PyTorch refuses it instead of writing garbage.  Floats and bools pass."""
    if isinstance(value, bool) or dtypes.is_floating(dtype) or dtype == dtypes.bool:
        return
    if isinstance(value, float) and not math.isfinite(value) or not np.iinfo(dtype).min <= value <= np.iinfo(dtype).max:
        raise RuntimeError(f"{op_name}: value cannot be converted to type {dtype} without overflow: {value!r}")


def promote(a, b):
    """Both operands as Tensors of one dtype, following PyTorch's promotion rules."""
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"expected at least one Tensor, got {type(a).__name__} and {type(b).__name__}")
        a = to_tensor(a, like=b)
    b = to_tensor(b, like=a)
    if a.dtype != b.dtype and dtypes.bool not in (a.dtype, b.dtype):
        # (A bool operand needs no cast: NumPy computes bool with any numeric array in that
        # array's dtype, in one pass — multiplying by a 0/1 mask costs no conversion.)
        dtype = dtypes.result_dtype(a.array, b.array)
        if a.dtype != dtype:
            a = a.to(dtype)
        if b.dtype != dtype:
            b = b.to(dtype)
    return a, b


def float_tensor(x, op_name):
    """Math functions (exp, log, ...) turn integer inputs into the default float dtype, as PyTorch does."""
    x = to_tensor(x)
    if not dtypes.is_floating(x.dtype):
        x = x.to(dtypes.DEFAULT_FLOAT)
    return x


def normalize_dim(dim, ndim, op_name, arg="dim"):
    """A possibly negative ``dim`` as an index in ``range(ndim)`` (0-d tensors accept 0 and -1)."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op_name}: {arg} must be an integer, got {dim!r}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"{op_name}: {arg}={dim} is out of range for a tensor with {ndim} dimensions")
    return int(dim) % size


def normalize_dims(dim, ndim, op_name):
    """``None`` (all dims) or a tuple of non-negative dims."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    result = tuple(normalize_dim(d, ndim, op_name) for d in dims)
    if len(set(result)) != len(result):
        raise ValueError(f"{op_name}: dim {dim} contains a dimension twice")
    if ndim == 0:
        return ()
    return result


def reduced_shape(shape, axes, keepdim):
    """The shape after reducing ``axes`` (a tuple, or None for all)."""
    if axes is None:
        axes = tuple(range(len(shape)))
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def keepdim_shape(shape, axes):
    """The shape a reduced gradient must be reshaped to before broadcasting back."""
    return reduced_shape(shape, axes, keepdim=True)


def accepts_axis(function):
    """Decorator: ``axis=`` as PyTorch's synonym of ``dim=`` (NumPy's name), ``x.sum(axis=1)``."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{function.__name__}: got both dim= and its synonym axis=")
            kwargs["dim"] = kwargs.pop("axis")
        return function(*args, **kwargs)

    return call
