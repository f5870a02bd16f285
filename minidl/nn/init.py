"""Weight initialisation, with ``torch.nn.init``'s names and formulas.

Why it matters: with fan_in inputs of unit variance, a weight of variance v gives outputs of
variance fan_in·v.  Keeping that near 1 layer after layer (Glorot & Bengio 2010; He et al. 2015
for ReLU, which halves the variance) keeps activations and gradients from vanishing or exploding.
"""
import math

import numpy as np

from .. import autograd, backend, inplace, random


def calculate_gain(nonlinearity, param=None):
    """The gain that keeps the variance of activations unchanged through ``nonlinearity``."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    """For (out, in, kh, kw) weights: fan_in = in·kh·kw, fan_out = out·kh·kw."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor of at least 2 dims, got shape {tensor.shape}")
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor, mode):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def fill_with(tensor, draw):
    """Overwrite ``tensor`` in place with ``draw(rng, shape)`` (drawn on the CPU, then moved); the
    write is counted like any in-place write (not through ``.data``, as in PyTorch)."""
    with autograd.no_grad():
        values = draw(random.generator(np), tensor.shape)
        tensor.array[...] = backend.to_device(np.asarray(values, dtype=tensor.dtype), tensor.device)
    inplace.bump(tensor)
    return tensor


def _float_dtype(tensor):
    """Draw directly in float32 for float32 tensors (half the time and memory of float64)."""
    return np.float32 if tensor.dtype == np.float32 else np.float64


def uniform_(tensor, a=0.0, b=1.0):
    dtype = _float_dtype(tensor)
    return fill_with(tensor, lambda rng, shape: rng.random(shape, dtype=dtype) * dtype(b - a) + dtype(a))


def normal_(tensor, mean=0.0, std=1.0):
    dtype = _float_dtype(tensor)
    return fill_with(tensor, lambda rng, shape: rng.standard_normal(shape, dtype=dtype) * dtype(std) + dtype(mean))


def constant_(tensor, val):
    with autograd.no_grad():
        tensor.array[...] = val
    inplace.bump(tensor)
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0):
    """U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """U(−bound, bound), bound = gain·√(3 / fan): He et al. 2015 for ReLU-family nets."""
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """N(0, std²), std = gain / √fan."""
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)))
