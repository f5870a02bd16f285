"""``clip_grad_norm_`` and ``clip_grad_value_``."""
import math

from .. import autograd, backend
from ..tensor import Tensor


def _with_grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so that their joint norm is at most ``max_norm``.
    Returns the total norm before clipping (a 0-d tensor)."""
    params = _with_grads(parameters)
    if not params:
        return Tensor(0.0)
    xp = backend.get_array_module(params[0].grad.array)
    if norm_type in (float("inf"), "inf"):
        total = max(float(xp.abs(p.grad.array).max()) for p in params)
    else:
        total = sum(float((xp.abs(p.grad.array) ** norm_type).sum()) for p in params) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} is non-finite ({total})")
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        with autograd.no_grad():
            for p in params:
                p.grad.array *= p.grad.dtype.type(coefficient)
    return Tensor(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element to [−clip_value, clip_value]."""
    for p in _with_grads(parameters):
        xp = backend.get_array_module(p.grad.array)
        xp.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)
