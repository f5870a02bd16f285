"""dropout, linear and the losses."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn.functional as F
from minidl.testing import check_op, compare_with_torch, random_inputs


def test_dropout_scales_survivors_and_is_identity_in_eval():
    x = minidl.ones(1000, 10)
    y = F.dropout(x, 0.3, training=True)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7, rtol=1e-6)
    assert F.dropout(x, 0.3, training=False) is x


def test_dropout_gradient_uses_the_same_mask():
    x = minidl.randn(20, 20, dtype=minidl.float64, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y.detach().numpy() != 0)


def test_dropout_gradcheck_with_fixed_seed():
    def fn(t):
        minidl.manual_seed(3)  # the same mask for every finite-difference evaluation
        return F.dropout(t, 0.4)

    check_op(fn, [(4, 5)])


def test_dropout2d_drops_whole_channels():
    y = F.dropout2d(minidl.ones(50, 8, 3, 3), 0.5).numpy()
    per_channel = y.reshape(50, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))


def test_dropout_seeded_reproducible():
    minidl.manual_seed(5)
    a = F.dropout(minidl.ones(100), 0.5).tolist()
    minidl.manual_seed(5)
    assert F.dropout(minidl.ones(100), 0.5).tolist() == a


def test_dropout_bad_p():
    with pytest.raises(ValueError, match="p must be a probability"):
        F.dropout(minidl.ones(2), 1.5)


@given(batch=st.sampled_from([(), (2,), (2, 3)]), bias=st.booleans())
def test_linear(batch, bias):
    torch = pytest.importorskip("torch")
    inputs = random_inputs([batch + (4,), (3, 4)] + ([(3,)] if bias else []))
    check_op(lambda x, w, b=None: F.linear(x, w, b), inputs, torch_fn=lambda x, w, b=None: torch.nn.functional.linear(x, w, b))


def test_linear_weight_gradient_is_dyT_x_and_contiguous():
    # .grad of a big classifier must not be a transposed view: storing it would copy it element
    # by element (what x @ w.mT through autograd gave).
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.standard_normal((2, 3, 5)), requires_grad=True)
    w = minidl.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = minidl.tensor(rng.standard_normal(4), requires_grad=True)
    gy = rng.standard_normal((2, 3, 4))
    F.linear(x, w, b).backward(minidl.tensor(gy))
    np.testing.assert_allclose(w.grad.numpy(), gy.reshape(6, 4).T @ x.detach().numpy().reshape(6, 5), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), gy.sum((0, 1)), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), gy @ w.detach().numpy(), rtol=1e-12)
    assert w.grad.numpy().flags.c_contiguous


def test_linear_bias_shape_and_dtype_promotion():
    with pytest.raises(RuntimeError, match=r"expected bias of shape \(3,\), got \(4,\)"):
        F.linear(minidl.zeros(2, 5), minidl.zeros(3, 5), minidl.zeros(4))
    y = F.linear(minidl.zeros(2, 5), minidl.zeros(3, 5), minidl.zeros(3, dtype=minidl.float64))
    assert y.dtype == minidl.float64  # PyTorch-style promotion, as for x @ w.mT + b


def test_linear_feature_mismatch_message():
    with pytest.raises(RuntimeError, match=r"input has 5 features \(shape \(2, 5\)\) but weight expects 4"):
        F.linear(minidl.zeros(2, 5), minidl.zeros(3, 4))


@st.composite
def classification(draw):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(2, 4))
    extra = draw(st.sampled_from([(), (2,), (2, 3)]))
    seed = draw(st.integers(0, 100))
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, (n,) + extra)
    if draw(st.booleans()):
        target.reshape(-1)[0] = -100  # one ignored target
        if (target == -100).all():
            target.reshape(-1)[0] = 0
    return (n, c) + extra, target, rng.uniform(0.5, 2.0, c)


@given(case=classification(), reduction=st.sampled_from(["mean", "sum", "none"]),
       smoothing=st.sampled_from([0.0, 0.1]), weighted=st.booleans())
def test_cross_entropy_with_class_indices(case, reduction, smoothing, weighted):
    torch = pytest.importorskip("torch")
    shape, target, weight = case
    w = weight if weighted else None
    check_op(
        lambda x: F.cross_entropy(x, minidl.tensor(target), weight=None if w is None else minidl.tensor(w),
                                  reduction=reduction, label_smoothing=smoothing),
        [shape],
        torch_fn=lambda x: torch.nn.functional.cross_entropy(
            x, torch.from_numpy(target), weight=None if w is None else torch.from_numpy(w),
            reduction=reduction, label_smoothing=smoothing),
    )


@given(case=classification(), reduction=st.sampled_from(["mean", "sum", "none"]), weighted=st.booleans())
def test_nll_loss(case, reduction, weighted):
    torch = pytest.importorskip("torch")
    shape, target, weight = case
    w = weight if weighted else None
    check_op(
        lambda x: F.nll_loss(x.log_softmax(1), minidl.tensor(target), None if w is None else minidl.tensor(w),
                             reduction=reduction),
        [shape],
        torch_fn=lambda x: torch.nn.functional.nll_loss(
            x.log_softmax(1), torch.from_numpy(target), None if w is None else torch.from_numpy(w), reduction=reduction),
    )


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_probabilities(smoothing):
    torch = pytest.importorskip("torch")
    probs = np.random.default_rng(0).dirichlet(np.ones(4), size=3)
    check_op(lambda x: F.cross_entropy(x, minidl.tensor(probs), label_smoothing=smoothing), [(3, 4)],
             torch_fn=lambda x: torch.nn.functional.cross_entropy(x, torch.from_numpy(probs), label_smoothing=smoothing))


def test_cross_entropy_is_stable_for_huge_logits():
    loss = F.cross_entropy(minidl.tensor([[1e4, 0.0, -1e4]]), minidl.tensor([1]))
    assert np.isclose(loss.item(), 1e4)


def test_cross_entropy_bad_target_messages():
    with pytest.raises(IndexError, match="target 7 is out of bounds for 3 classes"):
        F.cross_entropy(minidl.zeros(2, 3), minidl.tensor([0, 7]))
    with pytest.raises(RuntimeError, match=r"expected target of shape \(2,\)"):
        F.cross_entropy(minidl.zeros(2, 3), minidl.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="must be integers"):
        F.nll_loss(minidl.zeros(2, 3), minidl.tensor([0.5, 1.0]))
    with pytest.raises(RuntimeError, match=r"probability targets must have the input's shape \(2, 3\)"):
        F.cross_entropy(minidl.zeros(2, 3), minidl.tensor([0.5, 1.0]))


LOSSES = {
    "mse": (F.mse_loss, "mse_loss", (-2, 2)),
    "l1": (F.l1_loss, "l1_loss", (-2, 2)),
    "bce": (F.binary_cross_entropy, "binary_cross_entropy", (0.05, 0.95)),
    "bce_logits": (F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", (-3, 3)),
    "kl": (lambda x, t, reduction: F.kl_div(x, t, reduction=reduction), "kl_div", (-3, 0)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_binary_losses(name, reduction):
    torch = pytest.importorskip("torch")
    fn, torch_name, (low, high) = LOSSES[name]
    target = np.random.default_rng(1).uniform(0, 1, (3, 4))
    (x,) = random_inputs([(3, 4)], low=low, high=high, away_from=(0.0, 0.05) if name == "l1" else None)
    if name == "l1":
        target = np.round(target)  # keep |x − t| away from 0
    check_op(lambda t: fn(t, minidl.tensor(target), reduction=reduction), [x],
             torch_fn=lambda t: getattr(torch.nn.functional, torch_name)(t, torch.from_numpy(target), reduction=reduction))


def test_bce_with_logits_pos_weight_and_kl_batchmean():
    torch = pytest.importorskip("torch")
    target = np.random.default_rng(2).uniform(0, 1, (3, 4))
    pos_weight = np.array([1.0, 2.0, 0.5, 3.0])
    check_op(lambda t: F.binary_cross_entropy_with_logits(t, minidl.tensor(target), pos_weight=minidl.tensor(pos_weight)),
             [(3, 4)], torch_fn=lambda t: torch.nn.functional.binary_cross_entropy_with_logits(
                 t, torch.from_numpy(target), pos_weight=torch.from_numpy(pos_weight)))
    probs = np.random.default_rng(3).dirichlet(np.ones(4), 3)
    check_op(lambda t: F.kl_div(t.log_softmax(1), minidl.tensor(probs), reduction="batchmean"), [(3, 4)],
             torch_fn=lambda t: torch.nn.functional.kl_div(t.log_softmax(1), torch.from_numpy(probs), reduction="batchmean"))


def test_loss_shape_mismatch_message():
    with pytest.raises(RuntimeError, match=r"input shape \(3, 1\) and target shape \(3,\) differ"):
        F.mse_loss(minidl.zeros(3, 1), minidl.zeros(3))
