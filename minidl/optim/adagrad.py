"""Adagrad (Duchi et al. 2011), PyTorch's formula.

    s ← s + g²,     θ ← θ − (lr / (1 + (t − 1)·lr_decay)) · g / (√s + ε)
"""
from .optimizer import Optimizer, buffer


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        if lr < 0 or lr_decay < 0 or weight_decay < 0 or eps < 0 or initial_accumulator_value < 0:
            raise ValueError(f"Adagrad: invalid hyper-parameters lr={lr}, lr_decay={lr_decay}, eps={eps}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def update(self, param, grad, state, group):
        if "sum" not in state:
            buffer(state, "sum", param.array)[...] = group["initial_accumulator_value"]
        state["step"] = state.get("step", 0) + 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"].array
        total += grad * grad
        param.array -= clr * grad / (total ** 0.5 + group["eps"])
