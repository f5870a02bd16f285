"""RMSprop (Hinton's lecture 6e), PyTorch's formula.

    s ← αs + (1 − α)g²                              (running mean of squared gradients)
    centered:  a ← αa + (1 − α)g,  d = √(s − a²) + ε,  else  d = √s + ε
    momentum μ > 0:  b ← μb + g/d,  θ ← θ − lr·b;   otherwise  θ ← θ − lr·g/d
"""
from .optimizer import Optimizer, buffer


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        if lr < 0 or eps < 0 or weight_decay < 0 or momentum < 0 or not 0 <= alpha <= 1:
            raise ValueError(f"RMSprop: invalid hyper-parameters lr={lr}, alpha={alpha}, eps={eps}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered))

    def update(self, param, grad, state, group):
        alpha = group["alpha"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        state["step"] = state.get("step", 0) + 1
        square_avg = buffer(state, "square_avg", param.array)
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = buffer(state, "grad_avg", param.array)
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            denominator = (square_avg - grad_avg * grad_avg) ** 0.5 + group["eps"]
        else:
            denominator = square_avg ** 0.5 + group["eps"]
        if group["momentum"] > 0:
            momentum_buffer = buffer(state, "momentum_buffer", param.array)
            momentum_buffer *= group["momentum"]
            momentum_buffer += grad / denominator
            param.array -= group["lr"] * momentum_buffer
        else:
            param.array -= group["lr"] * grad / denominator
