"""Activation functions: the nonlinearities between layers.

``relu, leaky_relu, elu, sigmoid, tanh, softplus`` are single ops with hand-written
derivatives; ``gelu, silu, hardswish`` are short compositions of other ops, so their
gradients (and second derivatives) come from the chain rule for free.
"""
import math

from .. import backend
from ..autograd import Function
from ._utils import float_tensor, to_tensor
from .compare import where
from .elementwise import erf


class ReLU(Function):
    """y = max(x, 0);  dx = gy where x > 0, else 0  (the derivative at 0 is taken as 0).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    reads_inputs = False

    saves_outputs = True

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.maximum(x, 0)

    def backward(self, gy):
        # Multiplying by the 0/1 mask is branch-free; np.where on a random mask was 14× slower here.
        return gy * (self.output_arrays[0] > 0)


class LeakyReLU(Function):
    """y = x if x > 0 else slope·x;  dx = gy · (1 if x > 0 else slope).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        # The local slope as arithmetic on the 0/1 mask (branch-free, unlike np.where).
        slope = x.dtype.type(self.negative_slope)
        self.local_slope = (x > 0) * (1 - slope) + slope
        return x * self.local_slope

    def backward(self, gy):
        return gy * self.local_slope


class ELU(Function):
    """y = x if x > 0 else α(eˣ − 1);  dx = gy · (1 if x > 0 else y + α).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    saves_outputs = True

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.positive = x > 0
        return xp.where(self.positive, x, self.alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype, copy=False)

    def backward(self, gy):
        return where(self.positive, gy, gy * (self.output() + self.alpha))


class Sigmoid(Function):
    """y = 1 / (1 + e⁻ˣ);  dx = gy · y(1 − y).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    reads_inputs = False

    saves_outputs = True

    def forward(self, x):
        xp = backend.get_array_module(x)
        # Written with tanh so that large |x| neither overflows exp nor loses precision.
        return (xp.tanh(x * x.dtype.type(0.5)) + 1) * x.dtype.type(0.5)

    def backward(self, gy):
        y = self.output()
        return gy * y * (1 - y)


class Tanh(Function):
    """y = tanh x;  dx = gy · (1 − y²).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    reads_inputs = False

    saves_outputs = True

    def forward(self, x):
        return backend.get_array_module(x).tanh(x)

    def backward(self, gy):
        y = self.output()
        return gy * (1 - y * y)


class Softplus(Function):
    """y = log(1 + e^(βx)) / β, and y = x where βx > threshold (for stability);
    dx = gy · sigmoid(βx) (or gy above the threshold).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = backend.get_array_module(x)
        scaled = x * self.beta
        self.linear = scaled > self.threshold
        soft = xp.logaddexp(0, xp.minimum(scaled, self.threshold)) / self.beta
        return xp.where(self.linear, x, soft).astype(x.dtype, copy=False)

    def backward(self, gy):
        x = self.inputs[0]
        return where(self.linear, gy, gy * sigmoid(x * self.beta))


def relu(input, inplace=False):
    return ReLU()(to_tensor(input))


class Hardtanh(Function):
    """y = min(max(x, low), high);  dx = gy where low < x < high, else 0.

    At the kinks x = low and x = high the gradient is 0 (PyTorch's rule for hardtanh and relu6;
    ``clamp`` instead passes it at the bounds).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.clip(x, x.dtype.type(self.low), x.dtype.type(self.high))

    def backward(self, gy):
        x = self.inputs[0].array
        return gy * ((x > self.low) & (x < self.high))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clip to [min_val, max_val]; gradient 0 at the bounds.  ``inplace`` is accepted and ignored (out of place)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return Hardtanh(min_val, max_val)(float_tensor(input, "hardtanh"))


def relu6(input, inplace=False):
    """min(max(x, 0), 6), MobileNet's bounded ReLU; gradient 0 at x = 0 and x = 6 (PyTorch's rule)."""
    return Hardtanh(0.0, 6.0)(float_tensor(input, "relu6"))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return LeakyReLU(negative_slope)(to_tensor(input))


def elu(input, alpha=1.0, inplace=False):
    return ELU(alpha)(to_tensor(input))


def sigmoid(input):
    return Sigmoid()(float_tensor(input, "sigmoid"))


def tanh(input):
    return Tanh()(float_tensor(input, "tanh"))


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus(beta, threshold)(float_tensor(input, "softplus"))


def gelu(input, approximate="none"):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2)).

    ``approximate='tanh'``: Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel 2016).
    """
    x = float_tensor(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
    if approximate == "tanh":
        inner = (x + 0.044715 * x * x * x) * math.sqrt(2 / math.pi)
        return x * 0.5 * (1 + tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """SiLU / swish: x · sigmoid(x)."""
    x = float_tensor(input, "silu")
    return x * sigmoid(x)


class Hardswish(Function):
    """y = x · relu6(x + 3) / 6;  dx = gy · (0 if x ≤ −3, x/3 + 1/2 if −3 < x < 3, 1 if x ≥ 3).

    The derivative at the kinks is PyTorch's: 0 at x = −3 and 1 at x = 3.

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        xp = backend.get_array_module(x)
        return x * xp.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        x = self.inputs[0]
        slope = where(x.array <= -3, 0.0, where(x.array < 3, x / 3 + 0.5, 1.0))
        return gy * slope


def hardswish(input, inplace=False):
    """x · relu6(x + 3) / 6, the cheap swish of MobileNetV3 (Howard et al. 2019)."""
    return Hardswish()(float_tensor(input, "hardswish"))


class Hardsigmoid(Function):
    """y = relu6(x + 3) / 6;  dx = gy / 6 where −3 < x < 3, else 0 (also at the kinks, PyTorch's rule).

    Shapes: x: any shape → y: the same shape (elementwise).
    """

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        x = self.inputs[0].array
        return gy * (((x > -3) & (x < 3)) / 6).astype(gy.dtype)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return Hardsigmoid()(float_tensor(input, "hardsigmoid"))
