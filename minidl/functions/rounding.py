"""Rounding and tests for special values: ``round floor ceil trunc frac isnan isinf isfinite``,
and ``reciprocal``.

Rounding is a step function: flat between the steps, so its derivative is 0 almost everywhere
(PyTorch returns 0 everywhere, and so does minidl — gradient descent cannot learn through it).
``frac(x) = x − trunc(x)`` therefore has derivative 1.  The ``is*`` tests return bool tensors and
are not differentiable.
"""
from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from ._utils import float_tensor, to_tensor


class Rounding(Function):
    """y = round/floor/ceil/trunc(x);  dx = 0 (a step function is flat between its steps).

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, name, decimals=0):
        self.kind, self.decimals = name, decimals

    def forward(self, x):
        xp = backend.get_array_module(x)
        if self.kind == "round":  # halves go to the even neighbour, as in PyTorch and NumPy
            return xp.round(x, self.decimals)
        return getattr(xp, self.kind)(x)

    def backward(self, gy):
        return gy * 0


def _rounding(name, input, decimals=0):
    x = to_tensor(input)
    if not dtypes.is_floating(x.dtype):
        return x.clone()  # integers are already whole
    return Rounding(name, decimals)(x)


def round(input, decimals=0):
    return _rounding("round", input, decimals)


def floor(input):
    return _rounding("floor", input)


def ceil(input):
    return _rounding("ceil", input)


def trunc(input):
    return _rounding("trunc", input)


def frac(input):
    """x − trunc(x): the fractional part, with the sign of x; gradient 1."""
    x = float_tensor(input, "frac")
    return x - trunc(x)


class Reciprocal(Function):
    """y = 1/x;  dx = −gy · y² (= −gy / x²).

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False
    saves_outputs = True

    def forward(self, x):
        return 1 / x

    def backward(self, gy):
        y = self.output()
        return -gy * y * y


def reciprocal(input):
    return Reciprocal()(float_tensor(input, "reciprocal"))


def _test(name, input):
    x = to_tensor(input)
    xp = backend.get_array_module(x.array)
    if not dtypes.is_floating(x.dtype):  # integers are never NaN or infinite
        result = xp.full(x.shape, name == "isfinite")
    else:
        result = getattr(xp, name)(x.array)
    return Tensor._wrap(xp.asarray(result, dtype=bool), False)


def isnan(input):
    """Bool tensor: True where ``input`` is NaN.  Shapes: any → the same shape."""
    return _test("isnan", input)


def isinf(input):
    """Bool tensor: True where ``input`` is +∞ or −∞.  Shapes: any → the same shape."""
    return _test("isinf", input)


def isfinite(input):
    """Bool tensor: True where ``input`` is neither NaN nor ±∞.  Shapes: any → the same shape."""
    return _test("isfinite", input)
