"""batch_norm, layer_norm, group_norm, local_response_norm."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given

import minidl
import minidl.nn.functional as F
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def norm_inputs(draw):
    n = draw(st.integers(2, 3))
    c = draw(st.integers(1, 4))
    spatial = draw(st.sampled_from([(), (3,), (2, 3)]))
    return (n, c) + spatial


@given(shape=norm_inputs(), affine=st.booleans())
def test_batch_norm_training_gradcheck(shape, affine, device):
    c = shape[1]
    inputs = random_inputs([shape] + ([(c,), (c,)] if affine else []), device=device)
    check_op(lambda x, w=None, b=None: F.batch_norm(x, None, None, w, b, training=True), inputs)


@given(shape=norm_inputs(), affine=st.booleans())
def test_batch_norm_matches_torch_train_and_eval(shape, affine):
    torch = pytest.importorskip("torch")
    c = shape[1]
    inputs = random_inputs([shape] + ([(c,), (c,)] if affine else []))
    rng = np.random.default_rng(1)
    mean, var = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    for training in (True, False):
        ours_stats = [mean.copy(), var.copy()]
        theirs_stats = [torch.tensor(mean), torch.tensor(var)]
        assert compare_with_torch(
            lambda x, w=None, b=None: F.batch_norm(x, *ours_stats, w, b, training=training, momentum=0.3),
            lambda x, w=None, b=None: torch.nn.functional.batch_norm(x, *theirs_stats, w, b, training=training, momentum=0.3),
            inputs,
        )
        np.testing.assert_allclose(ours_stats[0], theirs_stats[0].numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_stats[1], theirs_stats[1].numpy(), rtol=1e-12)


@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)))
def test_batch_norm_training_matches_the_naive_staged_graph(shape):
    """y and the three gradients against minidl.functions.naive's step-by-step forward and backward."""
    from minidl.functions import naive

    assume(shape[0] * shape[2] * shape[3] > 1)
    c = shape[1]
    x, w, b = random_inputs([shape, (c,), (c,)])
    y = F.batch_norm(x, None, None, w, b, training=True)
    expected, cache = naive.batch_norm_forward_naive(x.array, w.array, b.array)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    dy = np.random.default_rng(3).standard_normal(shape)
    grads = minidl.autograd.grad(y, [x, w, b], minidl.tensor(dy))
    for ours, theirs in zip(grads, naive.batch_norm_backward_naive(dy, cache)):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-8, atol=1e-10)


def test_batch_norm_eval_gradcheck():
    x, w, b = random_inputs([(3, 2, 2, 2), (2,), (2,)])
    check_op(lambda *t: F.batch_norm(t[0], np.zeros(2), np.full(2, 1.5), t[1], t[2], training=False), [x, w, b])


def test_batch_norm_needs_two_values_per_channel():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(minidl.zeros(1, 3), None, None, training=True)


@given(shape=st.sampled_from([(2, 3), (2, 3, 4), (3, 2, 2, 3)]), k=st.integers(1, 2), affine=st.booleans())
def test_layer_norm(shape, k, affine):
    torch = pytest.importorskip("torch")
    normalized = shape[-k:]
    inputs = random_inputs([shape] + ([normalized, normalized] if affine else []))
    check_op(lambda x, w=None, b=None: F.layer_norm(x, normalized, w, b), inputs,
             torch_fn=lambda x, w=None, b=None: torch.nn.functional.layer_norm(x, normalized, w, b))


@given(groups=st.sampled_from([1, 2, 4]), spatial=st.sampled_from([(3,), (2, 2)]), affine=st.booleans())
def test_group_norm(groups, spatial, affine):
    torch = pytest.importorskip("torch")
    shape = (2, 4) + spatial
    inputs = random_inputs([shape] + ([(4,), (4,)] if affine else []))
    check_op(lambda x, w=None, b=None: F.group_norm(x, groups, w, b), inputs,
             torch_fn=lambda x, w=None, b=None: torch.nn.functional.group_norm(x, groups, w, b))


@given(size=st.integers(1, 6), channels=st.integers(1, 7), alpha=st.floats(1e-4, 1.0), beta=st.floats(0.3, 1.0),
       k=st.floats(0.5, 2.5))
def test_local_response_norm(size, channels, alpha, beta, k):
    torch = pytest.importorskip("torch")
    check_op(lambda x: F.local_response_norm(x, size, alpha, beta, k), [(2, channels, 2, 3)],
             torch_fn=lambda x: torch.nn.functional.local_response_norm(x, size, alpha, beta, k))


def test_lrn_formula_by_hand():
    """b_c = a_c (k + α/n Σ a²)^(−β) with window [c − 2, c + 2] for n = 5, zero outside."""
    a = np.arange(1.0, 7.0).reshape(1, 6, 1, 1)
    ours = F.local_response_norm(minidl.tensor(a), 5, alpha=5e-4 * 5, beta=0.75, k=2.0).numpy().reshape(-1)
    squares = a.reshape(-1) ** 2
    for c in range(6):
        window = squares[max(0, c - 2):c + 3].sum()
        assert np.isclose(ours[c], a.reshape(-1)[c] * (2.0 + 5e-4 * window) ** -0.75)  # the paper's constants
