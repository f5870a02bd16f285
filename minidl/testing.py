"""A harness for testing an op in a few lines: gradcheck, gradgradcheck and PyTorch parity.

    from minidl.testing import check_op
    check_op(lambda x: minidl.exp(x), [(3, 4)], torch_fn=lambda x: torch.exp(x))

draws float64 inputs of the given shapes, checks the first (and second) derivatives against
finite differences with a random upstream gradient, and, when PyTorch is installed, compares
forward values and input gradients with the PyTorch expression.
"""
import numpy as np

from . import backend
from .gradcheck import gradcheck, gradgradcheck
from .tensor import Tensor


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def available_devices():
    """``["cpu"]``, plus ``"cuda"`` when CuPy sees a GPU."""
    return ["cpu", "cuda"] if backend.cuda_is_available() else ["cpu"]


def random_inputs(shapes, seed=0, low=-1.0, high=1.0, device="cpu", requires_grad=True, away_from=None):
    """float64 Tensors of the given shapes, uniform in [low, high).

    ``away_from=(value, margin)`` nudges elements away from a kink (e.g. relu at 0) so that
    finite differences do not straddle it.
    """
    rng = np.random.default_rng(seed)
    tensors = []
    for shape in shapes:
        array = rng.uniform(low, high, size=shape)
        if away_from is not None:
            value, margin = away_from
            close = np.abs(array - value) < margin
            array[close] = value + np.sign(array[close] - value + 1e-12) * margin
        tensors.append(Tensor(backend.to_device(array, device), requires_grad=requires_grad))
    return tensors


def _to_numpy(tensor):
    return backend.to_device(tensor.detach().array, "cpu")


def _flatten_outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def compare_with_torch(fn, torch_fn, inputs, rtol=1e-5, atol=1e-8, seed=0, check_backward=True):
    """Run ``fn`` on minidl tensors and ``torch_fn`` on equal torch tensors; compare outputs and
    the gradients of ``Σ upstream · output`` with respect to every input that requires grad."""
    torch = torch_or_none()
    if torch is None:
        return False
    torch_inputs = []
    for x in inputs:
        if isinstance(x, Tensor):
            t = torch.from_numpy(np.array(_to_numpy(x)))
            t.requires_grad_(x.requires_grad)
            torch_inputs.append(t)
        else:
            torch_inputs.append(x)
    ours = _flatten_outputs(fn(*inputs))
    theirs = _flatten_outputs(torch_fn(*torch_inputs))
    assert len(ours) == len(theirs), f"{len(ours)} outputs from minidl, {len(theirs)} from torch"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        expected = b.detach().numpy()
        assert tuple(a.shape) == tuple(expected.shape), f"output {i}: shape {a.shape} vs torch {tuple(expected.shape)}"
        np.testing.assert_allclose(_to_numpy(a), expected, rtol=rtol, atol=atol, err_msg=f"forward output {i}")
    if not check_backward:
        return True
    rng = np.random.default_rng(seed)
    pairs = [(a, b) for a, b in zip(ours, theirs) if a.requires_grad and b.requires_grad]
    if not pairs:
        return True
    upstream = [rng.standard_normal(a.shape).astype(a.dtype) for a, _ in pairs]
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    from .autograd import grad

    our_grads = grad(
        [a for a, _ in pairs], [inputs[i] for i in wanted],
        [Tensor(backend.to_device(u, a.device)) for u, (a, _) in zip(upstream, pairs)], allow_unused=True,
    )
    their_grads = torch.autograd.grad(
        [b for _, b in pairs], [torch_inputs[i] for i in wanted],
        [torch.from_numpy(u) for u in upstream], allow_unused=True,
    )
    for i, g_ours, g_theirs in zip(wanted, our_grads, their_grads):
        if g_theirs is None:
            assert g_ours is None or not np.any(_to_numpy(g_ours)), f"input {i}: torch gives no gradient"
            continue
        assert g_ours is not None, f"input {i}: minidl gives no gradient, torch does"
        np.testing.assert_allclose(
            _to_numpy(g_ours), g_theirs.numpy(), rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )
    return True


def check_op(fn, inputs, torch_fn=None, gradgrad=True, seed=0, low=-1.0, high=1.0, atol=1e-5, rtol=1e-3,
             away_from=None, device="cpu"):
    """gradcheck (+ gradgradcheck) ``fn`` and compare it with ``torch_fn`` when torch is installed.

    ``inputs`` is a list of shapes (random float64 tensors are drawn) or of ready tensors.
    Returns the inputs used, for further checks.
    """
    if all(isinstance(s, tuple) for s in inputs):
        inputs = random_inputs(inputs, seed=seed, low=low, high=high, device=device, away_from=away_from)
    gradcheck(fn, inputs, atol=atol, rtol=rtol)
    if gradgrad:
        gradgradcheck(fn, inputs, atol=atol, rtol=rtol)
    if torch_fn is not None:
        compare_with_torch(fn, torch_fn, inputs)
    return inputs
