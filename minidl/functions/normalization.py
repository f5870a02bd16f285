"""Normalization: ``batch_norm``, ``layer_norm``, ``group_norm``, ``local_response_norm``.

Batch, layer and group norm share one core, ``Normalize``: over some axes, subtract the mean
and divide by the standard deviation,

    x̂ = (x − μ) / √(σ² + ε),      μ, σ² the mean and *biased* variance over the M elements,

followed by an ordinary per-channel affine γ·x̂ + β (mul and add; autograd handles γ and β).
Their only difference is the axes: (N, H, W) per channel for batch norm, (C, H, W) per sample
for layer norm, (C/G, H, W) per sample and group for group norm.

Normalize's backward is a closed form, derived by differentiating through μ and σ² (the
derivation is docs/batchnorm.md's; the formula is in the body of ``Normalize.backward``, which a
coursework assignment hides), and costs two reductions instead of the dozen ops autograd would
record for the composition.  Batch norm in training folds γ and β into its own node
(``BatchNormTrain``, also without an affine: γ = 1, β = 0 then); its array functions
marked ``@twinned`` may be replaced by a fast twin (fast/normalization.py).  naive.py has the
staged forward and backward they are tested against.
"""
from typing import NamedTuple

from .. import amp, autograd, backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from ._utils import to_tensor
from .dispatch import twinned


class Normalize(Function):
    """x̂ = (x − mean) / √(var + ε) over ``axes`` (keepdims).  Saves mean and var for callers.

    Shapes: x: any shape → x̂: the same shape; mean and var keep x's shape with 1 on ``axes``.
    """

    saves_outputs = True

    def __init__(self, axes, eps):
        self.axes, self.eps = axes, eps

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.mean = x.mean(axis=self.axes, keepdims=True)
        centered = x - self.mean
        self.var = (centered * centered).mean(axis=self.axes, keepdims=True)
        self.inv_std = 1.0 / xp.sqrt(self.var + x.dtype.type(self.eps))
        centered *= self.inv_std
        return centered

    def backward(self, g):
        # dx = (1/√(σ² + ε)) · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))       (means over self.axes)
        if autograd.is_grad_enabled():
            # create_graph=True: rebuild x̂ and 1/σ from x with tensor ops so that the formula
            # below is differentiable with respect to x as well.
            x = self.inputs[0]
            centered = x - x.mean(self.axes, keepdim=True)
            inv_std = ((centered * centered).mean(self.axes, keepdim=True) + self.eps).rsqrt()
            x_hat = centered * inv_std
        else:
            x_hat, inv_std = self.output(), Tensor._wrap(self.inv_std, False)
        return inv_std * (g - g.mean(self.axes, keepdim=True) - x_hat * (g * x_hat).mean(self.axes, keepdim=True))


class BatchNormTrain(Function):
    """Training-mode batch norm *with* its affine transform γ, β, in one node.

    Shapes: x: (N, C, ...), weight γ: (C,), bias β: (C,) → y: like x.  Means and sums run over
    the M = N·H·W values of each channel.

        forward    μ = mean x,   σ² = mean (x − μ)²   (biased: ÷ M),   x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β
        backward   dβ, dγ and dx (batch_norm_backward); dx differentiates through μ and σ², which
                   depend on every x of the channel

    Saves mean and var for the running statistics.
    """

    def __init__(self, axes, eps, channel_shape):
        self.axes, self.eps, self.channel_shape = axes, eps, channel_shape

    def forward(self, x, weight, bias):
        y, self.stats = batch_norm_forward(x, weight, bias, self.axes, self.eps)
        self.mean, self.var = self.stats.mean, self.stats.var
        return y

    def backward(self, gy):
        x, weight, _ = self.inputs
        return batch_norm_backward(gy, x, weight, self.stats, self.axes, self.eps, self.needs_input_grad)


class BatchNormStats(NamedTuple):
    """What forward keeps: mean, var and 1/√(var + ε) shaped (1, C, 1, ...), and x̂ shaped like x."""

    mean: object
    var: object
    inv_std: object
    x_hat: object


@twinned
def batch_norm_forward(x, weight, bias, axes, eps):
    """x: (N, C, ...), weight, bias: (C,) → (y like x, BatchNormStats), normalizing over ``axes``."""
    xp = backend.get_array_module(x)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    x_hat = x - mean
    var = (x_hat * x_hat).mean(axis=axes, keepdims=True)  # biased: ÷ M
    inv_std = 1 / xp.sqrt(var + x.dtype.type(eps))
    x_hat *= inv_std
    y = x_hat * weight.reshape(shape) + bias.reshape(shape)
    return y, BatchNormStats(mean, var, inv_std, x_hat)


@twinned
def batch_norm_backward(gy, x, weight, stats, axes, eps, needs_input_grad):
    """(dx, dγ, dβ) as Tensor operations (None for a gradient not needed), M values per channel.

    gy, x: Tensors (N, C, ...), weight: Tensor (C,) → dx like x, dγ and dβ (C,).  x̂ and 1/σ are
    rebuilt from x rather than read from ``stats``, so that with create_graph=True the result can
    be differentiated again.
    """
    # the closed form (docs/batchnorm.md derives it):
    #     dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/√(σ² + ε) · (dy − dβ/M − x̂·dγ/M)
    count = x.numel() // x.shape[1]
    shape = stats.mean.shape
    centered = x - x.mean(axes, keepdim=True)
    inv_std = ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()
    x_hat = centered * inv_std
    grad_bias = gy.sum(axes)
    grad_weight = (gy * x_hat).sum(axes)
    grad_x = None
    if needs_input_grad[0]:
        grad_x = (weight.reshape(shape) * inv_std) * (
            gy - grad_bias.reshape(shape) / count - x_hat * (grad_weight.reshape(shape) / count))
    return (grad_x, grad_weight if needs_input_grad[1] else None, grad_bias if needs_input_grad[2] else None)


class AffineNormalizeEval(Function):
    """Batch norm in eval mode: y = (x − running_mean) · scale + β with fixed statistics — a
    per-channel linear map, so dx = dy · scale (scale = γ / √(running_var + ε)).

    Shapes: x: (N, C, ...), shift and scale: (1, C, 1, ...) → y: x's shape.
    """

    reads_inputs = False

    def __init__(self, shift, scale):
        self.shift, self.scale = shift, scale

    def forward(self, x):
        return (x - self.shift) * self.scale

    def backward(self, gy):
        return gy * self.scale


def _channel_shape(x):
    """(1, C, 1, 1, ...) so a (C,) vector broadcasts over every axis but the channels."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel over the batch (and spatial) axes.  input: (N, C) or (N, C, L) or (N, C, H, W).

    Training: use the batch's mean and biased variance, and update the running statistics in place:
        running_mean ← (1 − m)·running_mean + m·mean
        running_var  ← (1 − m)·running_var  + m·var·M/(M − 1)    (unbiased, M = N·H·W)
    Eval: use the running statistics.
    """
    (x,) = amp.full_precision_inputs(to_tensor(input))
    if x.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input of at least 2 dims (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    for name, vector in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if vector is not None and tuple(vector.shape) != (channels,):
            raise RuntimeError(
                f"batch_norm: expected {name} of shape ({channels},) for input of shape {x.shape}, got {tuple(vector.shape)}"
            )
    shape = _channel_shape(x)
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        count = x.numel() // channels
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of shape {x.shape}")
        # one node for every case: a missing γ is 1 and a missing β is 0 (constants, no gradient)
        xp = backend.get_array_module(x.array)
        gamma = to_tensor(weight) if weight is not None else Tensor._wrap(xp.ones(channels, dtype=x.array.dtype), False)
        beta = to_tensor(bias) if bias is not None else Tensor._wrap(xp.zeros(channels, dtype=x.array.dtype), False)
        node = BatchNormTrain(axes, eps, shape)
        y = node(x, gamma, beta)
        weight = bias = None  # already applied
        if running_mean is not None:
            update_running_stats(_array(running_mean), _array(running_var), node.mean.reshape(channels),
                                 node.var.reshape(channels), count, momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: eval mode needs running_mean and running_var (or pass training=True)")
        xp = backend.get_array_module(x.array)
        rm = _array(running_mean).reshape(shape)
        scale = 1.0 / xp.sqrt(_array(running_var).reshape(shape) + eps)
        y = AffineNormalizeEval(rm.astype(x.dtype, copy=False), scale.astype(x.dtype, copy=False))(x)
    return _channel_affine(y, weight, bias, shape)


def _channel_affine(y, weight, bias, shape):
    """γ·y + β with per-channel (C,) vectors reshaped to broadcast as ``shape``."""
    if weight is not None:
        y = y * to_tensor(weight).reshape(shape)
    if bias is not None:
        y = y + to_tensor(bias).reshape(shape)
    return y


def _array(value):
    return value.array if isinstance(value, Tensor) else value


def update_running_stats(running_mean, running_var, mean, var, count, momentum):
    """Move the running statistics (C,) arrays, in place, towards this batch's (C,) mean and biased
    var over ``count`` = M values per channel, PyTorch's way:

        running_mean ← (1 − m)·running_mean + m·mean
        running_var  ← (1 − m)·running_var  + m·var·M/(M − 1)      (the unbiased variance)
    """
    for running, batch_value in ((running_mean, mean), (running_var, var * (count / (count - 1)))):
        running *= 1 - momentum
        running += momentum * batch_value.astype(running.dtype, copy=False)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial positions (Ulyanov et al. 2016), then γ·x̂ + β.

    input: (N, C, ...).  With running statistics and ``use_input_stats``, they move towards the batch
    average of the per-instance statistics (PyTorch's rule); ``use_input_stats=False`` uses them instead.
    """
    x = to_tensor(input)
    if x.ndim < 3:
        raise RuntimeError(f"instance_norm: expected an input of 3 or more dims (N, C, ...), got shape {x.shape}")
    n, c = x.shape[:2]
    if not use_input_stats:
        return batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    count = x.numel() // max(n * c, 1)
    if count <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, got input of shape {x.shape}")
    node = Normalize(tuple(range(2, x.ndim)), eps)
    y = node(x)
    if running_mean is not None:
        update_running_stats(_array(running_mean), _array(running_var), node.mean.reshape(n, c).mean(axis=0),
                             node.var.reshape(n, c).mean(axis=0), count, momentum)
    return _channel_affine(y, weight, bias, _channel_shape(x))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / √(mean(x²) + ε) over the last len(normalized_shape) dims, times ``weight`` (Zhang & Sennrich 2019).
    ``eps`` None means the dtype's machine epsilon, as PyTorch."""
    x = to_tensor(input)
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"rms_norm: normalized_shape {normalized_shape} does not match the last dims of input "
                           f"shape {x.shape}")
    if eps is None:
        import numpy as np

        eps = float(np.finfo(x.dtype).eps)
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x * ((x * x).mean(axes, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last len(normalized_shape) dims of each sample, then γ·x̂ + β (shaped like those dims)."""
    x = to_tensor(input)
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if x.shape[x.ndim - k:] != normalized_shape:
        raise RuntimeError(
            f"layer_norm: normalized_shape {normalized_shape} does not match the last dims of input shape {x.shape}"
        )
    y = Normalize(tuple(range(x.ndim - k, x.ndim)), eps)(x)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels into ``num_groups`` groups and normalize each group of each sample."""
    x = to_tensor(input)
    n, c = x.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"group_norm: {c} channels (input shape {x.shape}) are not divisible by num_groups={num_groups}")
    grouped = x.reshape(n, num_groups, x.numel() // max(n * num_groups, 1))  # explicit: also for n = 0
    y = Normalize((2,), eps)(grouped).reshape(x.shape)
    return _channel_affine(y, weight, bias, _channel_shape(x))


class ChannelWindowSum(Function):
    """s[n, c] = Σ_{c' = c − before}^{c + after} x[n, c'] (zero outside 0..C−1), for inputs (N, C, ...).

    Linear in x, so its backward is a window sum too (see ``backward``).

    Shapes: x: (N, C, ...) → s: the same shape.
    """

    reads_inputs = False

    def __init__(self, before, after):
        self.before, self.after = before, after

    def forward(self, x):
        # from a cumulative sum along channels: s = S[c + after + 1] − S[c − before]
        xp = backend.get_array_module(x)
        c = x.shape[1]
        zeros = xp.zeros((x.shape[0], 1) + x.shape[2:], dtype=x.dtype)
        cumulative = xp.concatenate([zeros, xp.cumsum(x, axis=1)], axis=1)  # S[k] = Σ_{c' < k} x[c']
        upper = xp.minimum(xp.arange(c) + self.after + 1, c)
        lower = xp.maximum(xp.arange(c) - self.before, 0)
        return cumulative[:, upper] - cumulative[:, lower]

    def backward(self, gy):
        # the adjoint sums over the *mirrored* window: this op with before/after swapped
        return ChannelWindowSum(self.after, self.before)(gy)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """LRN across channels (AlexNet §3.3), PyTorch's formula:

        b_c = a_c · (k + (α / n) · Σ_{c' ∈ window(c)} a_{c'}²)^(−β),   window(c) = [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋]

    The paper writes k + α·Σ a² with k = 2, n = 5, α = 1e-4, β = 0.75: its α is PyTorch's α / n, so
    the paper's constants are ``local_response_norm(x, 5, alpha=5e-4, beta=0.75, k=2.0)``.
    """
    x = to_tensor(input)
    if x.ndim < 3:
        raise RuntimeError(f"local_response_norm: expected an input of 3 or more dims (N, C, ...), got shape {x.shape}")
    if not dtypes.is_floating(x.dtype):
        x = x.to(dtypes.DEFAULT_FLOAT)
    window = ChannelWindowSum(size // 2, (size - 1) // 2)(x * x)
    return x * (window * (alpha / size) + k) ** (-beta)
