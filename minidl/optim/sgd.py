"""Stochastic gradient descent with momentum, in PyTorch's form.

    g ← ∇θ + λθ                                  (weight decay λ)
    b ← g                     on the first step,
    b ← μ·b + (1 − τ)·g       afterwards          (momentum μ, dampening τ)
    g ← g + μ·b   if nesterov,  else  g ← b
    θ ← θ − lr·g

Chainer, DeZero and CS231n write v ← μv − lr·g; θ ← θ + v instead: the same trajectory only
while lr is constant (with a schedule, PyTorch's form applies the new lr to the whole buffer).
"""
from ..tensor import Tensor
from .optimizer import Optimizer, add_scaled_


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be non-negative, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum requires a momentum > 0 and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def update(self, param, grad, state, group):
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param.array
        momentum = group["momentum"]
        if momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = Tensor._wrap(grad.copy(), False)
            else:  # in place, no temporaries: these buffers are as big as the parameters
                buf = state["momentum_buffer"].array
                buf *= momentum
                if group["dampening"]:
                    add_scaled_(buf, 1 - group["dampening"], grad)
                else:
                    buf += grad
            buf = state["momentum_buffer"].array
            grad = grad + momentum * buf if group["nesterov"] else buf
        add_scaled_(param.array, -group["lr"], grad)

