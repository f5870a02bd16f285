"""SELU, CELU, Mish, LogSigmoid, Softsign, softmin, GLU, PReLU, RReLU, normalize: values and gradients
against PyTorch on drawn inputs that include the kinks (0), plus gradcheck; the layers' parameters."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn.functional as F
from minidl.testing import check_op

VALUES = st.lists(st.sampled_from([0.0, -2.5, -0.3, 0.7, 3.0, -40.0, 25.0]), min_size=4, max_size=4)

CASES = {
    "selu": (lambda t: F.selu(t), lambda t, T: T.nn.functional.selu(t)),
    "celu": (lambda t: F.celu(t, 0.7), lambda t, T: T.nn.functional.celu(t, 0.7)),
    "mish": (lambda t: F.mish(t), lambda t, T: T.nn.functional.mish(t)),
    "logsigmoid": (lambda t: F.logsigmoid(t), lambda t, T: T.nn.functional.logsigmoid(t)),
    "softsign": (lambda t: F.softsign(t), lambda t, T: T.nn.functional.softsign(t)),
    "softmin": (lambda t: F.softmin(t, dim=1), lambda t, T: T.nn.functional.softmin(t, dim=1)),
    "glu": (lambda t: F.glu(t, dim=1), lambda t, T: T.nn.functional.glu(t, dim=1)),
    "prelu": (lambda t: F.prelu(t, minidl.tensor([0.25, -0.5], dtype=minidl.float64)),
              lambda t, T: T.nn.functional.prelu(t, T.tensor([0.25, -0.5], dtype=T.float64))),
    "rrelu_eval": (lambda t: F.rrelu(t), lambda t, T: T.nn.functional.rrelu(t)),
    "normalize": (lambda t: F.normalize(t, p=2, dim=1), lambda t, T: T.nn.functional.normalize(t, p=2, dim=1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@given(values=VALUES)
def test_matches_pytorch_including_zero(name, values):
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name]
    data = np.array(values, dtype=np.float64).reshape(2, 2)
    x = minidl.tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    y, ty = ours(x), theirs(t, torch)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = np.linspace(-1, 1, y.numel()).reshape(y.shape)
    y.backward(minidl.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    # rtol 1e-7: PyTorch keeps some activation constants (celu's 1/α) in float32 even for float64
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    check_op(CASES[name][0], [minidl.tensor([[0.3, -1.2], [2.0, -0.4]], dtype=minidl.float64, requires_grad=True)])


def test_layers_and_errors():
    prelu = minidl.nn.PReLU(3)
    assert prelu.weight.tolist() == [0.25] * 3 and len(list(prelu.parameters())) == 1
    x = minidl.randn(2, 3, 4)
    assert prelu(x).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="3 slopes do not match the 5 channels"):
        minidl.nn.PReLU(3)(minidl.randn(2, 5))
    with pytest.raises(RuntimeError, match="halving dimension must be even"):
        F.glu(minidl.randn(2, 3))
    rrelu = minidl.nn.RReLU().train()
    y = rrelu(-minidl.ones(1000))
    assert 1 / 8 <= -y.max().item() and -y.min().item() <= 1 / 3 and len(set(y.tolist())) > 100
    np.testing.assert_allclose(minidl.nn.RReLU().eval()(-minidl.ones(2)).numpy(), [-(1 / 8 + 1 / 3) / 2] * 2, rtol=1e-6)
    for layer in (minidl.nn.SELU(), minidl.nn.CELU(), minidl.nn.Mish(), minidl.nn.LogSigmoid(), minidl.nn.Softsign(),
                  minidl.nn.Softmin(dim=1), minidl.nn.GLU()):
        assert layer(minidl.randn(2, 4)).shape[0] == 2
