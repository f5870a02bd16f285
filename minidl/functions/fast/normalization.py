"""Fast twins of batch norm in training (functions/normalization.py) on NumPy.

- per-channel sums as one einsum pass over (N, C, L), with no (N, C, H, W) temporary;
- the backward on arrays (when no graph of the gradient is wanted), dx regrouped per channel as
  a·dy + b·x̂ + c: four passes over the activations instead of eight.
"""
from ... import autograd, backend
from ...tensor import Tensor
from ..dispatch import twin_of
from ..normalization import BatchNormStats, batch_norm_backward, batch_norm_forward


def channel_sums(a, b=None):
    """Σ a, or Σ a·b, over every axis but the channels (axis 1): a (C,) vector."""
    xp = backend.get_array_module(a)
    n, c = a.shape[:2]
    if b is None:
        return xp.einsum("ncl->c", a.reshape(n, c, -1))
    return xp.einsum("ncl,ncl->c", a.reshape(n, c, -1), b.reshape(n, c, -1))


@twin_of(batch_norm_forward)
def batch_norm_forward_fast(x, weight, bias, axes, eps):
    if tuple(axes) != (0,) + tuple(range(2, x.ndim)):
        return NotImplemented
    xp = backend.get_array_module(x)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    count = x.size // x.shape[1]
    mean = channel_sums(x).reshape(shape) / count
    x_hat = x - mean
    var = channel_sums(x_hat, x_hat).reshape(shape) / count
    inv_std = 1.0 / xp.sqrt(var + x.dtype.type(eps))
    x_hat *= inv_std
    y = x_hat * weight.reshape(shape)
    y += bias.reshape(shape)
    return y, BatchNormStats(mean, var, inv_std, x_hat)


@twin_of(batch_norm_backward)
def batch_norm_backward_fast(gy, x, weight, stats, axes, eps, needs_input_grad):
    """The reference's gradients on raw arrays, dx regrouped per channel (four passes, not eight)."""
    # With a = γ/√(σ² + ε):  dx = a·dy + (−a·dγ/M)·x̂ + (−a·dβ/M).
    if autograd.is_grad_enabled():  # create_graph: the reference's Tensor ops are differentiable
        return NotImplemented
    dy, x_hat, shape = gy.array, stats.x_hat, stats.mean.shape
    count = dy.size // dy.shape[1]
    grad_bias = channel_sums(dy)
    grad_weight = channel_sums(dy, x_hat)
    grad_x = None
    if needs_input_grad[0]:
        a = weight.array.reshape(shape) * stats.inv_std
        grad_x = dy * a
        grad_x += x_hat * (a * (-grad_weight / count).reshape(shape))
        grad_x += a * (-grad_bias / count).reshape(shape)
        grad_x = Tensor._wrap(grad_x, False)
    return (grad_x, Tensor._wrap(grad_weight, False) if needs_input_grad[1] else None,
            Tensor._wrap(grad_bias, False) if needs_input_grad[2] else None)
