"""Adamax, NAdam and RAdam: Adam with another norm, with Nesterov momentum, and rectified — PyTorch's formulas.

    Adamax (Kingma & Ba 2015, §7.1):  m ← β₁m + (1 − β₁)g,  u ← max(β₂u, |g| + ε),  θ ← θ − lr/(1 − β₁ᵗ)·m/u
    NAdam (Dozat 2016):  μₜ = β₁(1 − ½·0.96^(t·ψ)); the step mixes g and m with μₜ, μₜ₊₁ and Π μ
    RAdam (Liu et al. 2020):  with ρ∞ = 2/(1 − β₂) − 1 and ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ), the adaptive step is
        used only once ρₜ > 5, scaled by r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)); before, plain momentum SGD.
"""
import math

import numpy as np

from .. import backend
from .optimizer import Optimizer, buffer


def _check(name, lr, betas, eps, weight_decay):
    if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
        raise ValueError(f"{name}: invalid hyper-parameters lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}")


def _moments(state, param, grad, beta1, beta2):
    """Adam's moment estimates, updated in place: m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²."""
    exp_avg, exp_avg_sq = buffer(state, "exp_avg", param.array), buffer(state, "exp_avg_sq", param.array)
    exp_avg += (1 - beta1) * (grad - exp_avg)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    return exp_avg, exp_avg_sq


def _decay(param, grad, group):
    """L2 penalty into the gradient, or decoupled decay of the weights (AdamW's way)."""
    if not group["weight_decay"]:
        return grad
    if group.get("decoupled_weight_decay"):
        param.array *= 1 - group["lr"] * group["weight_decay"]
        return grad
    return grad + group["weight_decay"] * param.array


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
        _check("Adamax", lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize))

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        grad = _decay(param, -grad if group["maximize"] else grad, group)
        state["step"] = step = state.get("step", 0) + 1
        exp_avg, exp_inf = buffer(state, "exp_avg", param.array), buffer(state, "exp_inf", param.array)
        exp_avg += (1 - beta1) * (grad - exp_avg)
        xp = backend.get_array_module(exp_inf)
        exp_inf *= beta2
        xp.maximum(exp_inf, xp.abs(grad) + group["eps"], out=exp_inf)
        param.array -= group["lr"] / (1 - beta1 ** step) * exp_avg / exp_inf


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, maximize=False):
        _check("NAdam", lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, psi = group["lr"], group["momentum_decay"]
        grad = _decay(param, -grad if group["maximize"] else grad, group)
        state["step"] = step = state.get("step", 0) + 1
        mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi))
        # Π μ is kept as a float32 scalar, as PyTorch keeps it (so the trajectories agree to float64 precision)
        state["mu_product"] = mu_product = float(np.float32(state.get("mu_product", 1.0)) * np.float32(mu))
        exp_avg, exp_avg_sq = _moments(state, param, grad, beta1, beta2)
        denominator = (exp_avg_sq / (1 - beta2 ** step)) ** 0.5 + group["eps"]
        param.array -= lr * (1 - mu) / (1 - mu_product) * grad / denominator
        param.array -= lr * mu_next / (1 - mu_product * mu_next) * exp_avg / denominator


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 maximize=False):
        _check("RAdam", lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        grad = _decay(param, -grad if group["maximize"] else grad, group)
        state["step"] = step = state.get("step", 0) + 1
        exp_avg, exp_avg_sq = _moments(state, param, grad, beta1, beta2)
        bias_correction1, bias_correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2 ** step / bias_correction2
        corrected = exp_avg / bias_correction1
        if rho > 5:
            rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            adaptive = math.sqrt(bias_correction2) / (exp_avg_sq ** 0.5 + group["eps"])
            param.array -= group["lr"] * corrected * rect * adaptive
        else:
            param.array -= group["lr"] * corrected
