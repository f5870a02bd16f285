"""gather, scatter, scatter_add: values and gradients equal PyTorch's; index checks; gradcheck."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
from minidl.testing import check_op


@given(dim=st.integers(0, 2), seed=st.integers(0, 100), name=st.sampled_from(["gather", "scatter", "scatter_add"]))
def test_matches_pytorch(dim, seed, name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4, 5))
    index_shape = tuple(rng.integers(1, n + 1) for n in x.shape)
    index = rng.integers(0, x.shape[dim], index_shape)
    if name == "scatter":  # one source per target: PyTorch leaves the winner of a duplicate undefined
        moved = np.moveaxis(index, dim, -1)  # a view: writing into it writes into index
        for position in np.ndindex(moved.shape[:-1]):
            moved[position] = rng.permutation(x.shape[dim])[:moved.shape[-1]]
    src = rng.standard_normal(index.shape)
    ours_x, theirs_x = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_s, theirs_s = minidl.tensor(src, requires_grad=True), torch.tensor(src, requires_grad=True)
    if name == "gather":
        y, ty = minidl.gather(ours_x, dim, minidl.tensor(index)), torch.gather(theirs_x, dim, torch.tensor(index))
    else:
        y = getattr(minidl, name)(ours_x, dim, minidl.tensor(index), ours_s)
        ty = getattr(torch, name)(theirs_x, dim, torch.tensor(index), theirs_s)
    upstream = rng.standard_normal(ty.shape)
    y.backward(minidl.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12)
    if name != "gather":
        np.testing.assert_allclose(ours_s.grad.numpy(), theirs_s.grad.numpy(), rtol=1e-12)


def test_gradcheck_and_errors():
    index = minidl.tensor([[0, 2], [1, 1]])
    check_op(lambda t: minidl.gather(t, 1, index), [(2, 3)], gradgrad=True)
    check_op(lambda a, b: minidl.scatter_add(a, 1, index, b), [(2, 3), (2, 2)])
    assert minidl.zeros(3).scatter(0, minidl.tensor([0, 2]), value=5.0).tolist() == [5.0, 0.0, 5.0]
    assert minidl.zeros(2, 3).gather(1, index).shape == (2, 2)
    with pytest.raises(IndexError, match="index out of range for dim 1 of size 3"):
        minidl.gather(minidl.zeros(2, 3), 1, minidl.tensor([[3]]))
    with pytest.raises(RuntimeError, match="expected an integer index tensor"):
        minidl.gather(minidl.zeros(2, 3), 1, minidl.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="index has 1 dims, input has 2"):
        minidl.gather(minidl.zeros(2, 3), 1, minidl.tensor([0]))
    with pytest.raises(TypeError, match="exactly one of src and value"):
        minidl.scatter(minidl.zeros(3), 0, minidl.tensor([0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_unbatched_losses_match_pytorch(reduction):
    """cross_entropy on (C,) logits with a probability or a 0-d index target; nll_loss on (C,)."""
    torch = pytest.importorskip("torch")
    x, p = np.array([1.0, 2.0, 0.5]), np.array([0.2, 0.5, 0.3])
    F, T = minidl.nn.functional, torch.nn.functional
    pairs = [(F.cross_entropy(minidl.tensor(x, requires_grad=True), minidl.tensor(p), reduction=reduction),
              T.cross_entropy(torch.tensor(x), torch.tensor(p), reduction=reduction)),
             (F.cross_entropy(minidl.tensor(x), minidl.tensor(1), reduction=reduction, label_smoothing=0.1),
              T.cross_entropy(torch.tensor(x), torch.tensor(1), reduction=reduction, label_smoothing=0.1)),
             (F.nll_loss(minidl.tensor(x), minidl.tensor(2), reduction=reduction),
              T.nll_loss(torch.tensor(x), torch.tensor(2), reduction=reduction))]
    for ours, theirs in pairs:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.numpy(), rtol=1e-12)
