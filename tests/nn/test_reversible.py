"""Reversible blocks (nn.ReversibleBlock, nn.ReversibleSequence, Gomez et al. 2017): the inverse,
gradients equal to the ordinary (graph-keeping) computation in float64, finite differences, BatchNorm
running statistics moved once, and the activation memory the recomputation saves (tracemalloc)."""
import copy
import tracemalloc

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.gradcheck import gradcheck


def residual_fn(c, batchnorm=True):
    layers = [nn.BatchNorm2d(c)] if batchnorm else []
    return nn.Sequential(*layers, nn.Tanh(), nn.Conv2d(c, c, 3, padding=1))


def stack(depth, c=4, batchnorm=True, seed=0):
    minidl.manual_seed(seed)
    return [nn.ReversibleBlock(residual_fn(c, batchnorm), residual_fn(c, batchnorm)) for _ in range(depth)]


def test_inverse_recovers_the_input():
    block = nn.ReversibleBlock(*stack(1, batchnorm=False)[0].children())
    x = minidl.randn(2, 8, 5, 5)
    y = block(x)
    np.testing.assert_allclose(block.inverse(y).numpy(), x.numpy(), atol=1e-5)
    y1, y2 = y.detach().chunk(2, 1)
    x1, x2 = x.chunk(2, 1)
    np.testing.assert_allclose(y1.numpy(), (x1 + block.f(x2)).detach().numpy(), atol=1e-6)  # eq. 1


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradients_equal_the_ordinary_blocks(mode):
    """float64: input and parameter gradients, and BatchNorm's running statistics, as if the
    blocks had kept their graphs (nn.Sequential of the same blocks, deep-copied)."""
    blocks = stack(3)
    reversible = nn.ReversibleSequence(*blocks).to(minidl.float64)
    ordinary = copy.deepcopy(nn.Sequential(*reversible.blocks))
    getattr(reversible, mode)()
    getattr(ordinary, mode)()
    x_np = np.random.default_rng(0).standard_normal((3, 8, 5, 5))
    upstream = minidl.tensor(np.random.default_rng(1).standard_normal((3, 8, 5, 5)))
    grads = []
    for model in (reversible, ordinary):
        x = minidl.tensor(x_np, requires_grad=True)
        out = model(x)
        (out * upstream).sum().backward()
        grads.append((out.detach().numpy(), x.grad.numpy(), [p.grad.numpy() for p in model.parameters()],
                      [b.numpy().copy() for b in model.buffers()]))
    (out_r, gx_r, gp_r, buf_r), (out_o, gx_o, gp_o, buf_o) = grads
    assert type(reversible(minidl.tensor(x_np, requires_grad=True)).creator).__name__ == "_ReversibleFunction"
    np.testing.assert_allclose(out_r, out_o, rtol=1e-12)
    np.testing.assert_allclose(gx_r, gx_o, rtol=1e-9, atol=1e-12)
    for a, b in zip(gp_r, gp_o):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    for a, b in zip(buf_r, buf_o):  # updated once by the forward, not again by the recomputation
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_gradcheck_through_the_recomputing_backward():
    model = nn.ReversibleSequence(*stack(2, c=2, batchnorm=False)).to(minidl.float64)
    x = minidl.tensor(np.random.default_rng(2).uniform(-1, 1, (2, 4, 3, 3)), requires_grad=True)
    assert gradcheck(lambda t: model(t), [x])


def test_no_grad_runs_the_blocks_plainly():
    model = nn.ReversibleSequence(*stack(2))
    model.eval()
    x = minidl.randn(2, 8, 4, 4)
    with minidl.no_grad():
        out = model(x)
    assert out.creator is None
    np.testing.assert_allclose(out.numpy(), nn.Sequential(*model.blocks)(x).detach().numpy(), rtol=1e-6)


def _kept_after_forward(model, x):
    """Bytes the graph holds between forward and backward (traced NumPy allocations)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = model(x)
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    out.sum().backward()
    return kept


def test_memory_kept_does_not_grow_with_depth():
    """The lesson of the paper in one assertion: the ordinary stack keeps every block's activations
    (∝ depth); the reversible one keeps one output whatever the depth.  (docs/models.md has the
    measurement at a larger size: 30 MB per block against 2 MB in all.)"""
    x = minidl.randn(4, 8, 16, 16, requires_grad=True)
    ordinary = {d: _kept_after_forward(nn.Sequential(*stack(d)), x) for d in (2, 8)}
    reversible = {d: _kept_after_forward(nn.ReversibleSequence(*stack(d)), x) for d in (2, 8)}
    assert ordinary[8] > 3.5 * ordinary[2]
    assert reversible[8] < 1.1 * reversible[2] + 4096
    assert reversible[8] < ordinary[8] / 10
    assert reversible[8] <= 1.5 * x.numel() * 4  # about one output array


def test_errors():
    with pytest.raises(ValueError, match=r"even number of channels C, got shape \(2, 5, 3, 3\)"):
        nn.ReversibleBlock(nn.Identity(), nn.Identity())(minidl.randn(2, 5, 3, 3))
    with pytest.raises(TypeError, match="every block must be a ReversibleBlock, got \\['Conv2d'\\]"):
        nn.ReversibleSequence(nn.Conv2d(2, 2, 1))
