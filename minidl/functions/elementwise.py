"""Elementwise math: ``exp log log1p sqrt rsqrt abs sin cos erf``.

Each backward multiplies the upstream gradient by the local derivative f'(x), written with
tensor ops so it can itself be differentiated (create_graph=True).
"""
import math

import numpy as np

from .. import backend
from ..autograd import Function
from ._utils import float_tensor, to_tensor


class Exp(Function):
    """y = eˣ;  dx = gy · y  (the derivative of eˣ is eˣ, so we reuse the output).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    reads_inputs = False

    saves_outputs = True

    def forward(self, x):
        return backend.get_array_module(x).exp(x)

    def backward(self, gy):
        return gy * self.output()


class Log(Function):
    """y = ln x;  dx = gy / x.

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


class Log1p(Function):
    """y = ln(1 + x), accurate for tiny x;  dx = gy / (1 + x).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return backend.get_array_module(x).log1p(x)

    def backward(self, gy):
        return gy / (self.inputs[0] + 1)


class Sqrt(Function):
    """y = √x;  dx = gy / (2y).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    reads_inputs = False

    saves_outputs = True

    def forward(self, x):
        return backend.get_array_module(x).sqrt(x)

    def backward(self, gy):
        return gy / (2 * self.output())


class Abs(Function):
    """y = |x|;  dx = gy · sign(x)  (0 at x = 0, as in PyTorch).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return backend.get_array_module(x).abs(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * backend.get_array_module(x.array).sign(x.array)


class Sin(Function):
    """y = sin x;  dx = gy · cos x.

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return backend.get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * self.inputs[0].cos()


class Cos(Function):
    """y = cos x;  dx = -gy · sin x.

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return backend.get_array_module(x).cos(x)

    def backward(self, gy):
        return -gy * self.inputs[0].sin()


def _erf_array(x):
    """NumPy has no erf: use SciPy's when installed, else Python's math.erf element by element
    (exact but slow; GELU's tanh approximation avoids it)."""
    xp = backend.get_array_module(x)
    if xp is not np:
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(x)
    try:
        from scipy.special import erf
    except ImportError:
        return np.vectorize(math.erf, otypes=[x.dtype])(x).astype(x.dtype)
    return erf(x).astype(x.dtype, copy=False)


class Erf(Function):
    """y = erf x = 2/√π ∫₀ˣ e^(−t²) dt;  dx = gy · 2/√π · e^(−x²).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        return _erf_array(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


def exp(input):
    return Exp()(float_tensor(input, "exp"))


def log(input):
    return Log()(float_tensor(input, "log"))


def log1p(input):
    return Log1p()(float_tensor(input, "log1p"))


def sqrt(input):
    return Sqrt()(float_tensor(input, "sqrt"))


def rsqrt(input):
    return 1 / sqrt(input)


def abs(input):
    return Abs()(to_tensor(input))


def sin(input):
    return Sin()(float_tensor(input, "sin"))


def cos(input):
    return Cos()(float_tensor(input, "cos"))


def erf(input):
    return Erf()(float_tensor(input, "erf"))
