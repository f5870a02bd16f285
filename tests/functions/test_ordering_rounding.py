"""sort, argsort, topk, flip, roll, cumsum, repeat, masked_fill, dot/mv/outer/addmm, rounding, reciprocal
and isnan/isinf/isfinite: gradcheck on drawn shapes and PyTorch parity (values and gradients); ties,
NaN, 0-d and empty corners; the Tensor method forms scripts use."""
import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
from minidl.testing import check_op

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _torch():
    return pytest.importorskip("torch")


@given(shape=SHAPES, data=st.data())
def test_sort_topk_flip_roll_cumsum_gradcheck(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    descending = data.draw(st.booleans())
    check_op(lambda t: minidl.sort(t, dim, descending=descending).values, [shape], gradgrad=False)
    check_op(lambda t: minidl.topk(t, k, dim, largest=descending).values, [shape], gradgrad=False)
    check_op(lambda t: minidl.flip(t, (dim,)), [shape])
    check_op(lambda t: minidl.roll(t, 2, dim), [shape])
    check_op(lambda t: minidl.cumsum(t, dim), [shape])


@given(shape=SHAPES, data=st.data())
def test_ordering_matches_pytorch(shape, data):
    torch = _torch()
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    x = np.random.default_rng(len(shape)).integers(-3, 3, shape).astype(np.float64)  # many ties
    ours, theirs = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for name, args in [("sort", (dim, True)), ("topk", (k, dim)), ("flip", ((dim,),)), ("roll", (1, dim)),
                       ("cumsum", (dim,))]:
        if name == "sort":
            y, ty = minidl.sort(ours, dim, descending=True, stable=True), torch.sort(theirs, dim=dim, descending=True, stable=True)
        else:
            y, ty = getattr(minidl, name)(ours, *args), getattr(torch, name)(theirs, *args)
        if name == "topk":  # PyTorch's order among equal values is unspecified: compare the values
            y, ty = y.values, ty.values
        elif name == "sort":
            assert y.indices.tolist() == ty.indices.tolist()
            y, ty = y.values, ty.values
        upstream = np.random.default_rng(0).standard_normal(tuple(ty.shape))
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy(), err_msg=name)
        if name != "topk":
            ours.grad, theirs.grad = None, None
            y.backward(minidl.tensor(upstream))
            ty.backward(torch.tensor(upstream))
            np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), err_msg=name)


def test_sort_and_topk_nan_corners_and_errors():
    torch = _torch()
    x = [3.0, float("nan"), 1.0, 3.0]
    for descending in (False, True):
        ours, theirs = minidl.sort(minidl.tensor(x), descending=descending), torch.sort(torch.tensor(x), descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        assert ours.indices.tolist() == theirs.indices.tolist()
    assert minidl.topk(minidl.tensor(x), 2).indices.tolist() == [1, 0]  # NaN counts as the largest
    assert minidl.topk(minidl.tensor(5.0), 1).values.item() == 5.0
    assert minidl.sort(minidl.zeros(0)).values.shape == (0,)
    assert minidl.argsort(minidl.tensor([2, 0, 1]), descending=True).tolist() == [0, 2, 1]
    assert minidl.cumsum(minidl.tensor([True, True]), 0).dtype == minidl.int64
    with pytest.raises(RuntimeError, match="k=4 is out of range"):
        minidl.topk(minidl.zeros(3), 4)
    with pytest.raises(RuntimeError, match="shifts must be one integer"):
        minidl.roll(minidl.zeros(3), (1, 2))


def test_imagenet_style_topk_accuracy_matches_pytorch():
    torch = _torch()
    rng = np.random.default_rng(0)
    output, target = rng.standard_normal((8, 10)), rng.integers(0, 10, 8)

    def accuracy(engine, output, target, topk=(1, 5)):
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        return [correct[:k].reshape(-1).float().sum(0, keepdim=True).mul_(100.0 / batch_size).item() for k in topk]

    assert accuracy(minidl, minidl.tensor(output), minidl.tensor(target)) == \
        accuracy(torch, torch.tensor(output), torch.tensor(target))


@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), data=st.data())
def test_repeat_matches_pytorch_and_gradchecks(shape, data):
    torch = _torch()
    sizes = tuple(data.draw(st.lists(st.integers(0, 3), min_size=max(1, len(shape)), max_size=len(shape) + 2)))
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_array_equal(minidl.tensor(x).repeat(*sizes).numpy(), torch.tensor(x).repeat(*sizes).numpy())
    if all(n > 0 for n in shape + sizes):
        check_op(lambda t: t.repeat(sizes), [shape])
    with pytest.raises(RuntimeError, match="can not be smaller"):
        minidl.zeros(2, 2).repeat(2)


def test_masked_fill_values_gradients_and_errors():
    torch = _torch()
    x = np.random.default_rng(1).standard_normal((3, 4))
    mask = x > 0.3
    ours, theirs = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours.masked_fill(minidl.tensor(mask[0]), -1e9), theirs.masked_fill(torch.tensor(mask[0]), -1e9)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    check_op(lambda t: minidl.masked_fill(t, minidl.tensor(mask), 0.5), [(3, 4)])
    z = minidl.zeros(3, dtype=minidl.int64)
    z.masked_fill_(minidl.tensor([True, False, True]), 7)
    assert z.tolist() == [7, 0, 7]
    with pytest.raises(RuntimeError, match="expected mask of dtype bool"):
        minidl.zeros(3).masked_fill(minidl.tensor([1, 0, 1]), 1.0)


def test_dot_mv_outer_addmm():
    torch = _torch()
    check_op(minidl.dot, [(4,), (4,)], torch_fn=torch.dot)
    check_op(minidl.mv, [(3, 4), (4,)], torch_fn=torch.mv)
    check_op(minidl.outer, [(3,), (4,)], torch_fn=torch.outer)
    check_op(lambda c, a, b: minidl.addmm(c, a, b, beta=0.5, alpha=2.0), [(4,), (3, 2), (2, 4)],
             torch_fn=lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0))
    with pytest.raises(RuntimeError, match="dot: other must be 1-D"):
        minidl.dot(minidl.zeros(2), minidl.zeros(2, 2))


@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
def test_rounding_and_reciprocal_match_pytorch(shape):
    torch = _torch()
    x = np.random.default_rng(2).uniform(-3, 3, shape)
    x[np.abs(x) < 0.1] = 0.5  # keep the reciprocal away from its pole; 0.5 also tests round-half-to-even
    for name in ("round", "floor", "ceil", "trunc", "frac", "reciprocal"):
        ours, theirs = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = getattr(minidl, name)(ours), getattr(torch, name)(theirs)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, err_msg=name)
    if all(shape):
        check_op(minidl.reciprocal, [shape], low=0.5, high=2.0)
        check_op(minidl.frac, [shape], low=0.1, high=0.9)


def test_isnan_isinf_isfinite_and_integer_rounding():
    x = minidl.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert minidl.isnan(x).tolist() == [False, True, False, False]
    assert x.isinf().tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert minidl.isfinite(minidl.tensor([1, 2])).tolist() == [True, True]
    assert minidl.round(minidl.tensor([3])).dtype == minidl.int64
    assert minidl.round(minidl.tensor([1.234]), decimals=2).tolist() == pytest.approx([1.23])


def test_tensor_method_forms_scripts_use():
    x = minidl.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert x.t().tolist() == [[1.0, 3.0], [-2.0, 4.0]]
    assert x.where(x > 0, minidl.tensor(0.0)).tolist() == [[1.0, 0.0], [3.0, 4.0]]
    assert x.type_as(minidl.tensor([1])).dtype == minidl.int64
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_ones((1,)).dtype == minidl.float32
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0] and x.new_tensor([1, 2]).dtype == minidl.float32
    assert x.new_empty(3, dtype=minidl.int64).dtype == minidl.int64
    assert x.nelement() == 4 and x.ndimension() == 2 and x.stride() == (2, 1) and x.t().stride(0) == 1
    assert x.is_contiguous() and not x.t().is_contiguous()
    w = minidl.zeros(200, 50)
    w.normal_(0, 0.01)
    assert abs(w.std().item() - 0.01) < 1e-3 and w.dtype == minidl.float32
    w.uniform_(-0.1, 0.1)
    assert -0.1 <= w.min().item() and w.max().item() <= 0.1
    w.bernoulli_(0.25)
    assert set(np.unique(w.numpy())) <= {0.0, 1.0} and abs(w.mean().item() - 0.25) < 0.02
    y = minidl.tensor([-1.0, 0.0, 2.0])
    y.sigmoid_()
    np.testing.assert_allclose(y.numpy(), 1 / (1 + np.exp([1.0, 0.0, -2.0])), rtol=1e-6)
    p = minidl.nn.Parameter(minidl.zeros(3))
    with pytest.raises(RuntimeError, match="in-place"):
        p.normal_()  # a leaf that requires grad, while recording
    p.data.normal_(0, 1)  # the older idiom: through .data
    assert p.abs().sum().item() > 0


def test_review_fixes_zero_coefficients_negative_repeats_overflow_and_random_fills():
    """From a break-it review against PyTorch."""
    nan, inf = float("nan"), float("inf")
    assert minidl.addmm(minidl.full((1, 1), nan), minidl.ones(1, 2), minidl.ones(2, 1), beta=0).tolist() == [[2.0]]
    assert minidl.addmm(minidl.ones(1, 1), minidl.tensor([[inf, 1.0]]), minidl.ones(2, 1), alpha=0).tolist() == [[1.0]]
    with pytest.raises(RuntimeError, match="negative dimension"):
        minidl.ones(3, 4).repeat(-1, 2)
    with pytest.raises(RuntimeError, match="without overflow"):
        minidl.masked_fill(minidl.tensor([1, 2]), minidl.tensor([True, False]), nan)
    with pytest.raises(RuntimeError, match="without overflow"):
        minidl.masked_fill(minidl.tensor([1], dtype=minidl.int8), minidl.tensor([True]), 300)
    with pytest.raises(NotImplementedError, match="int64"):
        minidl.tensor([[0, 1]]).normal_()
    x = minidl.zeros(3, 4)
    for bad in (lambda: x.bernoulli_(1.5), lambda: x.normal_(0, -1), lambda: x.uniform_(2, 1)):
        with pytest.raises(RuntimeError):
            bad()
    x.uniform_(**{"from": 3, "to": 4})
    assert 3 <= x.min().item() and x.max().item() <= 4
    assert minidl.zeros(5, dtype=minidl.int64).bernoulli_(1.0).tolist() == [1] * 5
    assert x.flip(0, 1).shape == (3, 4) and minidl.flip(x, (1,)).shape == (3, 4)


def test_dot_and_mv_refuse_mixed_dtypes():
    with pytest.raises(RuntimeError, match="same dtype"):
        minidl.dot(minidl.ones(2), minidl.ones(2, dtype=minidl.float64))
    with pytest.raises(RuntimeError, match="same dtype"):
        minidl.mv(minidl.ones(2, 2), minidl.ones(2, dtype=minidl.int64))
