"""Rprop (Riedmiller & Braun 1993) and ASGD (Polyak & Juditsky 1992), PyTorch's formulas.

Rprop uses only the gradient's sign: each weight's step size grows by η₊ while the sign stays and
shrinks by η₋ when it flips (then that step is skipped), within [min, max] step sizes.
ASGD is SGD with a decaying rate η = lr / (1 + λ·lr·t)^α that also keeps ``ax``, the running
average of the weights after step t₀ (the averaged iterate).
"""
import numpy as np

from .. import backend
from .optimizer import Optimizer, buffer


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
        if lr < 0 or not 0 < etas[0] < 1 < etas[1]:
            raise ValueError(f"Rprop: invalid hyper-parameters lr={lr}, etas={etas}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def update(self, param, grad, state, group):
        xp = backend.get_array_module(param.array)
        eta_minus, eta_plus = group["etas"]
        low, high = group["step_sizes"]
        grad = -grad if group["maximize"] else grad.copy()
        state["step"] = state.get("step", 0) + 1
        prev = buffer(state, "prev", param.array)
        if "step_size" not in state:
            state["step_size"] = type(state["prev"])._wrap(xp.full_like(param.array, group["lr"]), False)
        step_size = state["step_size"].array
        agreement = xp.sign(grad * prev)
        factor = xp.where(agreement > 0, eta_plus, xp.where(agreement < 0, eta_minus, 1.0)).astype(param.dtype)
        step_size *= factor
        xp.clip(step_size, low, high, out=step_size)
        grad[factor == eta_minus] = 0
        param.array -= xp.sign(grad) * step_size
        prev[...] = grad


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=False):
        if lr < 0 or weight_decay < 0:
            raise ValueError(f"ASGD: invalid hyper-parameters lr={lr}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def update(self, param, grad, state, group):
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        state["step"] = step = state.get("step", 0) + 1
        eta, mu = state.get("eta", float(np.float32(group["lr"]))), state.get("mu", 1.0)
        ax = buffer(state, "ax", param.array)
        param.array *= 1 - group["lambd"] * eta
        param.array -= eta * grad
        if mu != 1:
            ax += (param.array - ax) * mu
        else:
            ax[...] = param.array
        # η and μ are float32 scalars in PyTorch's state; kept the same way so the trajectories agree
        state["eta"] = float(np.float32(group["lr"] / (1 + group["lambd"] * group["lr"] * step) ** group["alpha"]))
        state["mu"] = float(np.float32(1 / max(1, step - group["t0"])))
