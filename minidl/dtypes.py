"""Data types: NumPy dtypes under PyTorch's names, and PyTorch's type-promotion rules.

``minidl.float32`` *is* ``numpy.dtype('float32')``, so arrays and tensors share one vocabulary.
The default floating type is float32: ``minidl.tensor(1.5)`` is float32, as in PyTorch.
"""
import builtins

import numpy as np

float16 = half = np.dtype("float16")
float32 = float = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = np.dtype("int16")
int32 = int = np.dtype("int32")
int64 = long = np.dtype("int64")
bool = np.dtype("bool")  # noqa: A001  (minidl.bool mirrors torch.bool)

DEFAULT_FLOAT = float32
DEFAULT_INT = int64

_CATEGORY_BOOL, _CATEGORY_INT, _CATEGORY_FLOAT = 0, 1, 2


def is_floating(dtype):
    return np.dtype(dtype).kind == "f"


def category(dtype):
    kind = np.dtype(dtype).kind
    if kind == "b":
        return _CATEGORY_BOOL
    if kind in "iu":
        return _CATEGORY_INT
    if kind == "f":
        return _CATEGORY_FLOAT
    raise TypeError(f"minidl supports bool, integer and floating dtypes, got {np.dtype(dtype)}")


def to_dtype(dtype):
    """Accept ``minidl.float32``, ``numpy.float32``, ``'float32'`` or Python types; return an ``np.dtype``."""
    if dtype is None:
        return None
    if dtype is builtins.float:
        return DEFAULT_FLOAT
    if dtype is builtins.int:
        return DEFAULT_INT
    try:
        return np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype: expected a dtype such as minidl.float32, got {dtype!r}") from error


def scalar_dtype(value, other_dtype):
    """The dtype a Python scalar takes when combined with a tensor of ``other_dtype``.

    Python numbers are "weak" (PyTorch and NumPy 2 agree): ``float32_tensor * 2.0`` stays
    float32, and ``int_tensor * 2.5`` becomes the default float dtype.
    """
    if isinstance(value, builtins.bool):
        value_category = _CATEGORY_BOOL
    elif isinstance(value, builtins.int):
        value_category = _CATEGORY_INT
    else:
        value_category = _CATEGORY_FLOAT
    if value_category <= category(other_dtype):
        return np.dtype(other_dtype)
    return DEFAULT_FLOAT if value_category == _CATEGORY_FLOAT else DEFAULT_INT


def result_dtype(a, b):
    """PyTorch's promotion for two arrays: a 0-d array does not widen a dimensioned one
    of the same category (``float32[3] + float64[]`` is float32, not NumPy's float64), and between
    categories the higher one's dtype wins (``int64[3] + float32[3]`` is float32, not float64)."""
    a_scalar, b_scalar = a.ndim == 0, b.ndim == 0
    if a.dtype == b.dtype:
        return a.dtype
    if a_scalar == b_scalar:
        if category(a.dtype) != category(b.dtype):
            return a.dtype if category(a.dtype) > category(b.dtype) else b.dtype
        return np.result_type(a.dtype, b.dtype)
    dimensioned, zero_dim = (b, a) if a_scalar else (a, b)
    if category(zero_dim.dtype) <= category(dimensioned.dtype):
        return dimensioned.dtype
    return zero_dim.dtype
