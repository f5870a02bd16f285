"""Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), PyTorch's formulas.

    m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²          (moment estimates)
    θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)        (bias-corrected step)

Adam adds weight decay to the gradient (g ← g + λθ); AdamW decays the weights directly
(θ ← θ − lr·λ·θ), which does not get rescaled by √v.
"""
import math

from .. import backend
from .optimizer import Optimizer, buffer


class Adam(Optimizer):
    decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False):
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"{type(self).__name__}: invalid hyper-parameters lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay:
            if self.decoupled_weight_decay:
                param.array *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param.array
        state["step"] = state.get("step", 0) + 1
        step = state["step"]
        exp_avg = buffer(state, "exp_avg", param.array)
        exp_avg_sq = buffer(state, "exp_avg_sq", param.array)
        exp_avg += (1 - beta1) * (grad - exp_avg)  # = β₁m + (1 − β₁)g, PyTorch's lerp
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            max_sq = buffer(state, "max_exp_avg_sq", param.array)
            backend.get_array_module(max_sq).maximum(max_sq, exp_avg_sq, out=max_sq)
            second_moment = max_sq
        denominator = second_moment ** 0.5 / bias_correction2_sqrt + group["eps"]
        param.array -= (lr / bias_correction1) * exp_avg / denominator


class AdamW(Adam):
    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
