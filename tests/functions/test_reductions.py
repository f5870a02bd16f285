"""Reductions with dim/keepdim, softmax, log_softmax."""
import hypothesis.strategies as st
import pytest
from hypothesis import given

import minidl
from minidl.testing import check_op, compare_with_torch, random_inputs


@st.composite
def shape_and_dim(draw, min_dims=1):
    ndim = draw(st.integers(min_dims, 3))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dim = draw(st.integers(-ndim, ndim - 1))
    keepdim = draw(st.booleans())
    return shape, dim, keepdim


# name: (fn(x, dim, keepdim), torch fn(x, dim, keepdim), low, high)
REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda x, d, k: x.sum(d, keepdim=k)),
    "sum_all": (lambda x, d, k: x.sum(), lambda x, d, k: x.sum()),
    "sum_dims": (lambda x, d, k: x.sum((0, d), keepdim=k) if d % x.ndim else x.sum(d, keepdim=k),
                 lambda x, d, k: x.sum((0, d), keepdim=k) if d % x.ndim else x.sum(d, keepdim=k)),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), lambda x, d, k: x.mean(d, keepdim=k)),
    "mean_all": (lambda x, d, k: x.mean(), lambda x, d, k: x.mean()),
    "prod": (lambda x, d, k: x.prod(d, keepdim=k), lambda x, d, k: x.prod(d, keepdim=k)),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), lambda x, d, k: x.amax(d, keepdim=k)),
    "amin": (lambda x, d, k: x.amin(d, keepdim=k), lambda x, d, k: x.amin(d, keepdim=k)),
    "max_dim": (lambda x, d, k: x.max(d, keepdim=k).values, lambda x, d, k: x.max(d, keepdim=k).values),
    "min_dim": (lambda x, d, k: x.min(d, keepdim=k)[0], lambda x, d, k: x.min(d, keepdim=k)[0]),
    "max_all": (lambda x, d, k: x.max(), lambda x, d, k: x.max()),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda x, d, k: x.var(d, keepdim=k)),
    "var_biased": (lambda x, d, k: x.var(d, keepdim=k, correction=0), lambda x, d, k: x.var(d, keepdim=k, correction=0)),
    "std": (lambda x, d, k: x.std(d, keepdim=k), lambda x, d, k: x.std(d, keepdim=k)),
    "logsumexp": (lambda x, d, k: x.logsumexp(d, keepdim=k), lambda x, d, k: x.logsumexp(d, keepdim=k)),
    "norm": (lambda x, d, k: x.norm(dim=d, keepdim=k), lambda x, d, k: x.norm(dim=d, keepdim=k)),
    "norm_all": (lambda x, d, k: x.norm(), lambda x, d, k: x.norm()),
    "norm_p1": (lambda x, d, k: x.norm(p=1, dim=d, keepdim=k), lambda x, d, k: x.norm(p=1, dim=d, keepdim=k)),
    "norm_p3": (lambda x, d, k: x.norm(p=3, dim=d, keepdim=k), lambda x, d, k: x.norm(p=3, dim=d, keepdim=k)),
    "softmax": (lambda x, d, k: x.softmax(d), lambda x, d, k: x.softmax(d)),
    "log_softmax": (lambda x, d, k: x.log_softmax(d), lambda x, d, k: x.log_softmax(d)),
}
NEEDS_TWO = {"var", "std"}  # the unbiased estimate needs at least two elements
KINKED = {"amax", "amin", "max_dim", "min_dim", "max_all", "norm_p1"}


def _x(name, shape, device):
    low, high = (0.3, 1.5) if name.startswith("norm_p1") else (-2, 2)
    (x,) = random_inputs([shape], seed=sum(shape), low=low, high=high, device=device)
    return x


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=shape_and_dim())
def test_reduction_gradcheck(name, case, device):
    shape, dim, keepdim = case
    if name in NEEDS_TWO and shape[dim] < 2:
        shape = shape[:dim % len(shape)] + (2,) + shape[dim % len(shape) + 1:]
    fn = REDUCTIONS[name][0]
    check_op(lambda x: fn(x, dim, keepdim), [_x(name, shape, device)], gradgrad=name not in KINKED)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=shape_and_dim())
def test_reduction_matches_torch(name, case):
    pytest.importorskip("torch")
    shape, dim, keepdim = case
    if name in NEEDS_TWO and shape[dim] < 2:
        return
    ours, theirs = REDUCTIONS[name]
    assert compare_with_torch(lambda x: ours(x, dim, keepdim), lambda x: theirs(x, dim, keepdim), [_x(name, shape, "cpu")])


def test_ties_share_the_gradient_in_amax():
    x = minidl.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.amax().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_max_with_dim_gives_gradient_to_first_index():
    x = minidl.tensor([[3.0, 3.0, 1.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0]
    values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0]]


def test_prod_with_zeros():
    x = minidl.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0]], dtype=minidl.float64, requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]]


def test_argmax_argmin_and_integer_sum():
    x = minidl.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert x.argmax().item() == 3
    assert x.argmax(1).tolist() == [1, 0]
    assert x.argmin(0, keepdim=True).tolist() == [[0, 1, 0]]
    assert minidl.tensor([True, True, False]).sum().item() == 2
    assert minidl.tensor([1, 2]).sum().dtype == minidl.int64


def test_softmax_requires_dim_and_is_stable():
    x = minidl.tensor([[1000.0, 0.0]])
    assert x.softmax(1).tolist() == [[1.0, 0.0]]
    with pytest.raises(TypeError, match="dim="):
        minidl.softmax(x)


def test_norm_gradient_at_zero_is_zero():
    x = minidl.zeros(3, dtype=minidl.float64, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_empty_sum():
    x = minidl.zeros(0, 3, requires_grad=True)
    x.sum().backward()
    assert x.grad.shape == (0, 3)


def test_bad_dim_is_named():
    with pytest.raises(IndexError, match="dim=2 is out of range for a tensor with 2 dimensions"):
        minidl.ones(2, 3).sum(2)
