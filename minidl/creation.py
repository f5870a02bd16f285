"""Factories: ``tensor zeros ones full empty arange linspace eye rand randn randint *_like``.

Each takes ``dtype=``, ``device=`` and ``requires_grad=`` as in PyTorch.  Random factories draw
from the generator seeded by ``minidl.manual_seed``.
"""
import numpy as np

from . import backend, dtypes
from . import random as _random
from .tensor import Tensor


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"size: expected non-negative integers, got {size!r}")
    return tuple(int(n) for n in size)


def _size_keyword(size, kwargs, op_name):
    """PyTorch also takes the shape as ``size=`` (``rand(size=(1, 2))``); any other keyword is an error."""
    if "size" in kwargs:
        if size:
            raise TypeError(f"{op_name}: the shape was given both positionally and as size=")
        size = (kwargs.pop("size"),)
    if kwargs:
        raise TypeError(f"{op_name}: unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
    return size


def _finish(array, dtype, device, requires_grad):
    """Cast, move and wrap a freshly made NumPy array."""
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    if device is not None:
        array = backend.to_device(array, device)
    return Tensor(array, requires_grad=requires_grad)


def _xp(device):
    if device is None or backend.Device(device).type == "cpu":
        return np
    backend.to_device(np.zeros(0), device)  # raises a clear error when CUDA is unavailable
    return backend.require_cupy()


def _make(fill, size, dtype, device, requires_grad, default=dtypes.DEFAULT_FLOAT):
    dtype = dtypes.to_dtype(dtype) or default
    xp = _xp(device)
    if xp is np:
        return Tensor(fill(np, _shape(size), dtype), requires_grad=requires_grad)
    with xp.cuda.Device(backend.Device(device).index):
        return Tensor(fill(xp, _shape(size), dtype), requires_grad=requires_grad)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor from data (lists, scalars, NumPy/CuPy arrays).

    Python floats → float32, Python ints → int64, NumPy arrays keep their dtype.
    The data is copied, as ``torch.tensor`` copies.
    """
    source = data.array if isinstance(data, Tensor) else data
    result = Tensor(source, dtype=dtype, device=device)
    if result.array is source:
        result.array = result.array.copy()
    return result.requires_grad_(requires_grad) if requires_grad else result


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy/CuPy array when it can."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return Tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    return Tensor(np.asarray(array))


def zeros(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    size = _size_keyword(size, kwargs, "zeros")
    return _make(lambda xp, s, d: xp.zeros(s, d), size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    size = _size_keyword(size, kwargs, "ones")
    return _make(lambda xp, s, d: xp.ones(s, d), size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    size = _size_keyword(size, kwargs, "empty")
    return _make(lambda xp, s, d: xp.empty(s, d), size, dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value, dtypes.bool)  # bool < int < float, from the value
    return _make(lambda xp, s, d: xp.full(s, fill_value, d), (size,), dtype, device, requires_grad)


def _like(fill, input, dtype, device, requires_grad):
    dtype = dtype or input.dtype
    device = device or input.device
    return fill(*input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False):
    return _like(randn, input, dtype, device, requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False):
    return _like(rand, input, dtype, device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; integer arguments give int64."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.DEFAULT_FLOAT if is_float else dtypes.DEFAULT_INT
    return _finish(np.arange(start, end, step), dtypes.to_dtype(dtype), device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    return _finish(np.linspace(start, end, steps), dtypes.to_dtype(dtype) or dtypes.DEFAULT_FLOAT, device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m), dtypes.to_dtype(dtype) or dtypes.DEFAULT_FLOAT, device, requires_grad)


def _random_floats(draw_numpy, draw_cupy, size, dtype, device, requires_grad):
    dtype = dtypes.to_dtype(dtype) or dtypes.DEFAULT_FLOAT
    if not dtypes.is_floating(dtype):
        raise TypeError(f"expected a floating dtype for random values, got {dtype}")
    xp = _xp(device)
    shape = _shape(size)
    if xp is np:
        array = draw_numpy(_random.generator(np), shape, dtype)
        return Tensor(array, requires_grad=requires_grad)
    with xp.cuda.Device(backend.Device(device).index):
        return Tensor(draw_cupy(xp.random, shape, dtype), requires_grad=requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    size = _size_keyword(size, kwargs, "rand")
    """Uniform on [0, 1)."""
    return _random_floats(
        lambda g, s, d: g.random(s, dtype=d) if d in (np.float32, np.float64) else g.random(s).astype(d),
        lambda r, s, d: r.random(s, dtype=d),
        size, dtype, device, requires_grad,
    )


def randn(*size, dtype=None, device=None, requires_grad=False, **kwargs):
    size = _size_keyword(size, kwargs, "randn")
    """Standard normal."""
    return _random_floats(
        lambda g, s, d: g.standard_normal(s, dtype=d) if d in (np.float32, np.float64) else g.standard_normal(s).astype(d),
        lambda r, s, d: r.standard_normal(s, dtype=d),
        size, dtype, device, requires_grad,
    )


def randint(low, high=None, size=None, dtype=None, device=None):
    """Integers uniform on [low, high); ``randint(high, size)`` takes low = 0."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
    array = _random.generator(np).integers(low, high, size=_shape(tuple(size)))
    return _finish(array, dtypes.to_dtype(dtype) or dtypes.DEFAULT_INT, device, False)


def randperm(n, device=None):
    return _finish(_random.generator(np).permutation(n), dtypes.DEFAULT_INT, device, False)
