"""Elementwise math and activations: gradcheck/gradgradcheck on hypothesis shapes, parity with PyTorch."""
import math

import hypothesis.extra.numpy as hnp
import pytest
from hypothesis import given

import minidl
import minidl.functions as F
from minidl.testing import check_op, compare_with_torch, random_inputs

# name: (minidl fn, torch fn name or callable, (low, high), kink to keep away from, twice differentiable)
UNARY = {
    "exp": (minidl.exp, "exp", (-2, 2), None, True),
    "log": (minidl.log, "log", (0.2, 3), None, True),
    "log1p": (minidl.log1p, "log1p", (-0.5, 2), None, True),
    "sqrt": (minidl.sqrt, "sqrt", (0.2, 3), None, True),
    "rsqrt": (minidl.rsqrt, "rsqrt", (0.2, 3), None, True),
    "abs": (minidl.abs, "abs", (-2, 2), 0.0, True),
    "neg": (minidl.neg, "neg", (-2, 2), None, True),
    "square": (minidl.square, "square", (-2, 2), None, True),
    "sin": (minidl.sin, "sin", (-3, 3), None, True),
    "cos": (minidl.cos, "cos", (-3, 3), None, True),
    "erf": (F.erf, "erf", (-2, 2), None, True),
    "tanh": (minidl.tanh, "tanh", (-3, 3), None, True),
    "sigmoid": (minidl.sigmoid, "sigmoid", (-4, 4), None, True),
    "relu": (F.relu, "relu", (-2, 2), 0.0, True),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: torch_mod().nn.functional.leaky_relu(x, 0.1), (-2, 2), 0.0, True),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: torch_mod().nn.functional.elu(x, 0.7), (-2, 2), 0.0, True),
    "gelu": (F.gelu, lambda x: torch_mod().nn.functional.gelu(x), (-3, 3), None, True),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: torch_mod().nn.functional.gelu(x, approximate="tanh"), (-3, 3), None, True),
    "softplus": (lambda x: F.softplus(x, beta=2.0, threshold=3.0), lambda x: torch_mod().nn.functional.softplus(x, beta=2.0, threshold=3.0), (-3, 3), 1.5, True),
    "silu": (F.silu, lambda x: torch_mod().nn.functional.silu(x), (-3, 3), None, True),
    "hardswish": (F.hardswish, lambda x: torch_mod().nn.functional.hardswish(x), (-5, 5), 3.0, True),
    "clamp": (lambda x: minidl.clamp(x, -0.5, 0.7), lambda x: x.clamp(-0.5, 0.7), (-2, 2), None, True),
    "pow_scalar": (lambda x: x ** 3, lambda x: x ** 3, (-2, 2), None, True),
    "rpow_scalar": (lambda x: 2.0 ** x, lambda x: 2.0 ** x, (-2, 2), None, True),
    "rdiv_scalar": (lambda x: 1.5 / x, lambda x: 1.5 / x, (0.3, 2), None, True),
}


def torch_mod():
    import torch

    return torch


def _torch_fn(spec):
    if callable(spec):
        return spec
    return lambda x: getattr(torch_mod(), spec)(x)


def _kinks(name):
    """Points where the op is not smooth, to keep finite differences away from."""
    kinks = {"clamp": (-0.5, 0.7), "hardswish": (-3.0, 3.0), "softplus": (1.5,)}
    spec = UNARY[name][3]
    return kinks.get(name, () if spec is None else (spec,))


def _inputs(name, shape, device):
    low, high = UNARY[name][2]
    (x,) = random_inputs([shape], seed=len(shape), low=low, high=high, device=device)
    for kink in _kinks(name):
        close = abs(x.array - kink) < 1e-3
        x.array[close] = kink + 2e-3
    return x


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
def test_unary_gradcheck(name, shape, device):
    fn, _, _, _, twice = UNARY[name]
    check_op(fn, [_inputs(name, shape, device)], gradgrad=twice)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5))
def test_unary_matches_torch(name, shape):
    pytest.importorskip("torch")
    fn, torch_spec, _, _, _ = UNARY[name]
    assert compare_with_torch(fn, _torch_fn(torch_spec), [_inputs(name, shape, "cpu")])


@pytest.mark.parametrize("name", ["exp", "sigmoid", "tanh", "relu", "gelu", "log"])
def test_float32_stays_float32(name):
    fn = UNARY[name][0]
    x = minidl.rand(3, 4, requires_grad=True) + 0.5
    x.retain_grad()
    y = fn(x)
    assert y.dtype == minidl.float32
    y.sum().backward()
    assert x.grad.dtype == minidl.float32


def test_integer_inputs_become_float():
    assert minidl.exp(minidl.tensor([0, 1])).dtype == minidl.float32
    assert minidl.sqrt(minidl.tensor([4])).item() == 2.0


def test_sigmoid_is_stable_for_large_inputs():
    x = minidl.tensor([-1000.0, 0.0, 1000.0])
    assert minidl.sigmoid(x).tolist() == [0.0, 0.5, 1.0]
    assert math.isfinite(F.softplus(minidl.tensor(1000.0)).item())
