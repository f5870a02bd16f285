"""Adadelta (Zeiler 2012), PyTorch's formulas: a step size from the ratio of two running RMS values.

    v ← ρv + (1 − ρ)g²          Δ = √(u + ε) / √(v + ε) · g          u ← ρu + (1 − ρ)Δ²          θ ← θ − lr·Δ
"""
from .optimizer import Optimizer, buffer


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
        if lr < 0 or not 0 <= rho <= 1 or eps < 0 or weight_decay < 0:
            raise ValueError(f"Adadelta: invalid hyper-parameters lr={lr}, rho={rho}, eps={eps}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        state["step"] = state.get("step", 0) + 1
        square_avg = buffer(state, "square_avg", param.array)
        acc_delta = buffer(state, "acc_delta", param.array)
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = (acc_delta + eps) ** 0.5 / (square_avg + eps) ** 0.5 * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param.array -= group["lr"] * delta
