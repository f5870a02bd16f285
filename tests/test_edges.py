"""Correct at the edges: singular points, kinks, smooth composites, NaN, empty tensors and the
arguments PyTorch accepts.  The expected values are written out (so the tests hold without
PyTorch); where PyTorch is installed it is the oracle for drawn inputs too."""
import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
import minidl.nn.functional as F


def _grad(fn, values, dtype=minidl.float64):
    x = minidl.tensor(values, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


def _torch_grad(name, values, **kwargs):
    torch = pytest.importorskip("torch")
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    fn = getattr(torch.nn.functional, name, None) or getattr(torch, name)
    fn(t, **kwargs).sum().backward()
    return t.grad.tolist()


# ------------------------------------------------------------------ 2. singular points

@pytest.mark.parametrize("exponent", [0, 0.0, "tensor"])
def test_power_zero_has_zero_gradient_at_zero(exponent):
    e = minidl.tensor(0.0, dtype=minidl.float64) if exponent == "tensor" else exponent
    assert _grad(lambda x: x ** e, [0.0, 2.0]) == [0.0, 0.0]


def test_norm_and_std_at_their_singular_points():
    assert _grad(lambda x: minidl.norm(x, 3), [0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]
    for p in (1, 2, float("inf"), 0.5):
        assert _grad(lambda x: x.norm(p), [0.0, 0.0]) == [0.0, 0.0]
    assert _grad(lambda x: x.std(), [1.0, 1.0, 1.0]) == [0.0, 0.0, 0.0]


@given(values=st.lists(st.sampled_from([0.0, 1.0, -2.0, 0.5, 3.0]), min_size=1, max_size=5),
       p=st.sampled_from([0.5, 1.5, 3, 4.0]))
def test_p_norm_matches_pytorch_including_zeros(values, p):
    torch = pytest.importorskip("torch")
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    torch.linalg.vector_norm(t, p).backward()
    np.testing.assert_allclose(_grad(lambda x: minidl.norm(x, p), values), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    nonzero = [v if v else 0.7 for v in values]
    assert minidl.gradcheck(lambda x: minidl.norm(x, p), [minidl.tensor(nonzero, dtype=minidl.float64, requires_grad=True)])


# ------------------------------------------------------------------ 3. smooth composites

def test_bce_with_logits_gradient_at_zero_logit():
    bce = lambda t, **kw: (lambda x: F.binary_cross_entropy_with_logits(x, minidl.tensor(t, dtype=minidl.float64), reduction="sum", **kw))  # noqa: E731
    assert _grad(bce([0.0]), [0.0]) == [0.5]
    assert _grad(bce([1.0]), [0.0]) == [-0.5]  # a zero-initialised last layer must still learn
    pos_weight = minidl.tensor([2.0, 3.0, 4.0], dtype=minidl.float64)
    weight = minidl.tensor([1.0, 0.5, 2.0], dtype=minidl.float64)
    x, t = [0.0, 1.0, -2.0], [0.0, 1.0, 0.5]
    sig = [1 / (1 + math.exp(-v)) for v in x]
    expected = [w * ((1 - ti) * s - p * ti * (1 - s)) for w, ti, s, p in zip([1.0, 0.5, 2.0], t, sig, [2.0, 3.0, 4.0])]
    np.testing.assert_allclose(_grad(bce(t, weight=weight, pos_weight=pos_weight), x), expected, rtol=1e-12)


@given(x=st.lists(st.sampled_from([0.0, -1.5, 2.0, 40.0, -40.0]), min_size=1, max_size=4), target=st.floats(0, 1))
def test_bce_with_logits_matches_pytorch_and_gradchecks(x, target):
    torch = pytest.importorskip("torch")
    t = [target] * len(x)
    ours = minidl.tensor(x, dtype=minidl.float64, requires_grad=True)
    tgt = minidl.tensor(t, dtype=minidl.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(ours, tgt)
    loss.backward()
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(t, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(tx, tt)
    tl.backward()
    np.testing.assert_allclose(loss.item(), tl.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(tgt.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-15)
    assert minidl.gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b), [ours.detach().requires_grad_(), tgt.detach().requires_grad_()])


def test_bce_on_probabilities_at_zero_and_one_is_finite():
    bce = lambda t: (lambda x: F.binary_cross_entropy(x, minidl.tensor(t, dtype=minidl.float64)))  # noqa: E731
    assert _grad(bce([0.0, 1.0]), [0.0, 1.0]) == [0.0, 0.0]
    assert all(math.isfinite(g) for g in _grad(bce([1.0, 0.0]), [0.0, 1.0]))
    assert F.binary_cross_entropy(minidl.tensor([0.0]), minidl.tensor([1.0])).item() == 100.0  # log clamped at −100


# ------------------------------------------------------------------ 4. kinks: PyTorch's subgradients

@pytest.mark.parametrize("name,points,expected", [
    ("relu6", [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
    ("hardtanh", [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
    ("hardsigmoid", [-3.0, 3.0, 0.0], [0.0, 0.0, 1 / 6]),
    ("hardswish", [-3.0, 3.0, 0.0], [0.0, 1.0, 0.5]),
    ("relu", [0.0], [0.0]),
    ("leaky_relu", [0.0], [0.01]),
])
def test_subgradients_at_kinks(name, points, expected):
    np.testing.assert_allclose(_grad(getattr(F, name), points), expected, rtol=1e-12)


@given(values=st.lists(st.sampled_from([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 2.5, -0.5]), min_size=1, max_size=6),
       name=st.sampled_from(["relu6", "hardtanh", "hardsigmoid", "hardswish", "relu", "leaky_relu", "elu", "softplus",
                             "silu", "gelu", "sigmoid", "tanh"]))
def test_kinked_activations_match_pytorch_on_a_grid_with_the_kinks(values, name):
    # rtol 1e-7: PyTorch computes hardsigmoid's 1/6 in float32 even for float64 inputs
    np.testing.assert_allclose(_grad(getattr(F, name), values), _torch_grad(name, values), rtol=1e-7, atol=1e-15)


def test_clamp_with_a_tensor_bound_gives_the_tie_to_the_input():
    x = minidl.tensor([1.0, 2.0, 0.0], requires_grad=True)
    low = minidl.tensor([1.0, 1.0, 1.0], requires_grad=True)
    minidl.clamp(x, min=low).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0] and low.grad.tolist() == [0.0, 0.0, 1.0]
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    high = minidl.tensor([1.0, 1.5], requires_grad=True)
    minidl.clamp(x, max=high).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0] and high.grad.tolist() == [0.0, 1.0]
    assert _grad(lambda t: t.clamp(0.0, 1.0), [0.0, 1.0, 2.0]) == [1.0, 1.0, 0.0]  # scalar bounds: inclusive


# ------------------------------------------------------------------ 5. NaN and empty inputs

@pytest.mark.parametrize("fast", [True, False])
def test_max_pool_picks_the_nan(fast):
    with minidl.use_fast_paths(fast):
        x = minidl.tensor([[[[1.0, float("nan")], [float("nan"), -float("inf")]]]], requires_grad=True)
        y, index = F.max_pool2d(x, 2, return_indices=True)
        y.sum().backward()
        assert math.isnan(y.item()) and index.item() == 2  # PyTorch: the last NaN in row-major order
        assert x.grad.tolist() == [[[[0.0, 0.0], [1.0, 0.0]]]]
        with minidl.no_grad():
            assert math.isnan(F.max_pool2d(x, 2).item())
        x = minidl.tensor([[[[-float("inf"), float("nan")], [3.0, 2.0]]]])
        assert F.max_pool2d(x, 2, return_indices=True)[1].item() == 1


def test_cross_entropy_with_every_target_ignored():
    logits = minidl.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(logits, minidl.tensor([-100, -100, -100, -100]))
    assert math.isnan(loss.item())  # as PyTorch: 0/0
    loss.backward()
    assert logits.grad.tolist() == [[0.0] * 3] * 4  # not NaN: the weights stay finite
    smoothed = F.cross_entropy(logits, minidl.tensor([-100] * 4), label_smoothing=0.1)
    assert math.isnan(smoothed.item())


def test_zero_size_tensors():
    x = minidl.zeros(5, 0, 0, requires_grad=True)
    assert F.softmax(x, dim=1).shape == (5, 0, 0) and F.log_softmax(x, dim=2).shape == (5, 0, 0)
    F.log_softmax(x, 1).sum().backward()
    assert x.grad.shape == (5, 0, 0)
    assert minidl.logsumexp(minidl.zeros(0), 0).item() == -math.inf
    assert F.group_norm(minidl.zeros(0, 2), 1).shape == (0, 2)
    assert F.group_norm(minidl.zeros(0, 4, 3, 3), 2).shape == (0, 4, 3, 3)
    assert minidl.cat([minidl.zeros(0), minidl.ones(2, 3)]).shape == (2, 3)  # PyTorch's legacy rule
    assert minidl.cat([minidl.ones(2, 3), minidl.zeros(0), minidl.ones(1, 3)]).shape == (3, 3)


_INDEX_ITEMS = st.one_of(st.integers(0, 1), st.just(slice(None)), st.just(slice(1, None)), st.just(None),
                         st.lists(st.integers(0, 1), min_size=1, max_size=3))


@given(items=st.lists(_INDEX_ITEMS, min_size=1, max_size=4), ellipsis_at=st.integers(-1, 4))
def test_mixed_integer_and_tensor_indices_follow_pytorch(items, ellipsis_at):
    torch = pytest.importorskip("torch")
    if 0 <= ellipsis_at <= len(items):
        items = items[:ellipsis_at] + [Ellipsis] + items[ellipsis_at:]
    data = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    ours = tuple(minidl.tensor(i) if isinstance(i, list) else i for i in items)
    theirs = tuple(torch.tensor(i) if isinstance(i, list) else i for i in items)
    try:
        expected = torch.from_numpy(data)[theirs].numpy()
    except (IndexError, RuntimeError, ValueError):
        with pytest.raises((IndexError, RuntimeError, ValueError)):
            minidl.tensor(data)[ours]
        return
    got = minidl.tensor(data)[ours].numpy()
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


# ------------------------------------------------------------------ 6. arguments PyTorch accepts

def test_batch_norm_momentum_none_is_a_cumulative_average():
    bn = minidl.nn.BatchNorm2d(2, momentum=None)
    means = []
    for shift in range(3):
        x = minidl.randn(4, 2, 3, 3) + shift
        means.append(x.numpy().mean(axis=(0, 2, 3)))
        bn(x)
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean(means, axis=0), rtol=1e-5)
    with pytest.raises(ValueError, match="momentum must be between 0 and 1 or None"):
        minidl.nn.BatchNorm2d(2, momentum=1.5)


def test_pooling_takes_one_tuples_and_an_empty_stride():
    torch = pytest.importorskip("torch")
    data = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    for name, kwargs in (("avg_pool2d", dict(kernel_size=2, padding=(1,))), ("max_pool2d", dict(kernel_size=(3,), stride=())),
                         ("max_pool2d", dict(kernel_size=2, stride=(1,), padding=(1,)))):
        ours = getattr(F, name)(minidl.tensor(data), **kwargs).numpy()
        theirs = getattr(torch.nn.functional, name)(torch.from_numpy(data), **kwargs).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_where_with_two_scalars():
    condition = minidl.tensor([True, False])
    assert minidl.where(condition, 4, 2).tolist() == [4, 2] and minidl.where(condition, 4, 2).dtype == minidl.int64
    assert minidl.where(condition, 4, 2.5).dtype == minidl.float32
    assert minidl.where(condition, True, False).dtype == minidl.bool


def test_floor_division_and_remainder_follow_python_and_pytorch():
    x = minidl.tensor([-3, -1, 1, 3])
    assert (x // 2).tolist() == [-2, -1, 0, 1] and (x // 2).dtype == minidl.int64
    assert (x % 2).tolist() == [1, 1, 1, 1]
    assert (7 // x).tolist() == [-3, -7, 7, 2] and (7 % x).tolist() == [-2, 0, 0, 1]
    assert (x // 2.5).dtype == minidl.float32
    with pytest.raises(ZeroDivisionError):
        x // 0
    y = minidl.tensor([5.5, -3.2], dtype=minidl.float64, requires_grad=True)
    assert minidl.gradcheck(lambda t: t % 2.0, [y])


_OPERATORS = ["a + b", "a - b", "a * b", "a / b", "a // b", "a % b", "a ** b", "a & b", "a | b", "a ^ b", "~a",
              "a == b", "a != b", "a < b", "a <= b", "a > b", "a >= b", "-a", "b // a", "b % a"]


@pytest.mark.parametrize("op", _OPERATORS)
@pytest.mark.parametrize("a_kind", ["int64", "float32", "bool", "int32"])
@pytest.mark.parametrize("b_kind", ["int64", "float32", "bool", "int scalar", "float scalar", "bool scalar"])
def test_the_operator_table_matches_pytorch(op, a_kind, b_kind):
    """Values and result dtypes of every operator for mixed dtypes; where PyTorch refuses, so do we."""
    torch = pytest.importorskip("torch")
    a_np = np.array([-3, 2, 5, 0]).astype(a_kind)
    b_values = {"int scalar": 2, "float scalar": 2.5, "bool scalar": True}
    if b_kind in b_values:
        ours_b = theirs_b = b_values[b_kind]
    else:
        b_np = np.array([2, -1, 3, 4]).astype(b_kind)
        ours_b, theirs_b = minidl.tensor(b_np), torch.from_numpy(b_np)
    try:
        expected = eval(op, {"a": torch.from_numpy(a_np), "b": theirs_b})
    except (RuntimeError, TypeError, ZeroDivisionError):
        with pytest.raises((RuntimeError, TypeError, ZeroDivisionError)):
            eval(op, {"a": minidl.tensor(a_np), "b": ours_b})
        return
    got = eval(op, {"a": minidl.tensor(a_np), "b": ours_b})
    assert str(got.dtype).replace("minidl.", "") == str(expected.dtype).replace("torch.", ""), (op, got.dtype, expected.dtype)
    np.testing.assert_allclose(got.numpy().astype(np.float64), expected.numpy().astype(np.float64), rtol=1e-6)


def test_zero_d_index_tensor_acts_as_an_integer():
    torch = pytest.importorskip("torch")
    data = np.arange(24.0).reshape(2, 3, 4)
    ours = minidl.tensor(data)[minidl.tensor(1), :, minidl.tensor([0, 2])]
    theirs = torch.tensor(data)[torch.tensor(1), :, torch.tensor([0, 2])]
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    target = minidl.tensor(data.copy())
    target[minidl.tensor(1), :, minidl.tensor([0, 2])] = minidl.zeros(3, 2, dtype=minidl.float64)
    assert target[1, :, 0].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("fast", [True, False])
def test_max_pool_of_minus_infinity_points_at_a_real_pixel(fast):
    """All −∞ with padding: the index and the gradient go to the window's first real pixel, not to padding."""
    with minidl.use_fast_paths(fast):
        x = minidl.full((1, 1, 2, 2), -math.inf, requires_grad=True)
        y, index = F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
        y.sum().backward()
    assert index.item() == 0 and x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("fast", [True, False])
def test_transposed_convolution_with_output_padding_and_dilation(fast):
    torch = pytest.importorskip("torch")
    x, w = np.random.default_rng(0).standard_normal((1, 1, 5, 5)), np.random.default_rng(1).standard_normal((1, 4, 3, 3))
    with minidl.use_fast_paths(fast):
        ours = F.conv_transpose2d(minidl.tensor(x), minidl.tensor(w), stride=1, dilation=2, output_padding=1)
    theirs = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=1, dilation=2, output_padding=1)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
