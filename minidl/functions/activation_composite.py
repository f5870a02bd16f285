"""Activations built from other ops (autograd derives their backward): SELU, CELU, Mish, LogSigmoid,
Softsign, softmin, GLU, PReLU, RReLU, and ``normalize``.  PyTorch's names, arguments and
defaults; where a kink sits at 0, the branch chosen at exactly 0 gives PyTorch's derivative.
"""
from .. import backend, random
from ._utils import float_tensor, to_tensor
from .activation import elu, sigmoid, softplus, tanh
from .compare import where
from .reductions import norm
from .softmax import softmax

# Klambauer et al. 2017, eq. 14: the constants that make SELU self-normalising.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale · elu(x, α) with α ≈ 1.6733, scale ≈ 1.0507 (self-normalising networks)."""
    return elu(float_tensor(input, "selu"), SELU_ALPHA) * SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    """x for x > 0, α·(exp(x/α) − 1) otherwise (continuously differentiable ELU; slope 1 at 0)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    x = float_tensor(input, "celu")
    return where(x.array > 0, x, (x / alpha).exp().sub(1) * alpha)


def mish(input, inplace=False):
    """x · tanh(softplus(x)) (Misra 2019)."""
    x = float_tensor(input, "mish")
    return x * tanh(softplus(x))


def logsigmoid(input):
    """log σ(x) = −softplus(−x), computed without overflow."""
    return -softplus(-float_tensor(input, "logsigmoid"))


def softsign(input):
    """x / (1 + |x|)."""
    x = float_tensor(input, "softsign")
    return x / (x.abs() + 1)


def softmin(input, dim=None, dtype=None):
    """softmax(−x) along ``dim``."""
    x = float_tensor(input, "softmin")
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        raise TypeError("softmin: give dim (PyTorch's implicit choice of dim is deprecated)")
    return softmax(-x, dim)


def glu(input, dim=-1):
    """Gated linear unit: split x in halves a, b along ``dim``; a · σ(b).  Raises for an odd size."""
    x = to_tensor(input)
    if x.shape[dim] % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {dim} is size {x.shape[dim]}")
    a, b = x.chunk(2, dim)
    return a * sigmoid(b)


def prelu(input, weight):
    """x for x > 0, w·x otherwise, with one learned slope (weight: (1,)) or one per channel (weight: (C,), dim 1)."""
    x, weight = float_tensor(input, "prelu"), to_tensor(weight)
    if weight.ndim != 1:
        raise RuntimeError(f"prelu: weight must be 1-D, got shape {weight.shape}")
    if weight.shape[0] != 1:
        if x.ndim < 2 or x.shape[1] != weight.shape[0]:
            raise RuntimeError(f"prelu: {weight.shape[0]} slopes do not match the {x.shape[1] if x.ndim > 1 else 1} "
                               f"channels of input shape {x.shape}")
        weight = weight.reshape((1, -1) + (1,) * (x.ndim - 2))
    return where(x.array > 0, x, x * weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU (Xu et al. 2015): in training each negative x gets a slope drawn from
    U(lower, upper); in eval the fixed slope (lower + upper) / 2."""
    x = float_tensor(input, "rrelu")
    if not training:
        slope = (lower + upper) / 2
        return where(x.array > 0, x, x * slope)
    xp = backend.get_array_module(x.array)
    draws = random.generator(xp).random(x.shape).astype(x.dtype)
    slopes = draws * (upper - lower) + lower
    return where(x.array > 0, x, x * slopes)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(‖x‖_p, eps) along ``dim``: unit-norm vectors (zero vectors stay zero)."""
    x = float_tensor(input, "normalize")
    denominator = norm(x, p, dim, keepdim=True).clamp(min=eps)
    return x / denominator
