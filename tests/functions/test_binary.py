"""Broadcasting binary ops: gradients summed back to each input's shape (size-1 dims, 0-d, empty)."""
import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given

import minidl
from minidl.testing import check_op, compare_with_torch, random_inputs

BINARY = {
    "add": (lambda a, b: a + b, (-2, 2), (-2, 2)),
    "sub": (lambda a, b: a - b, (-2, 2), (-2, 2)),
    "mul": (lambda a, b: a * b, (-2, 2), (-2, 2)),
    "div": (lambda a, b: a / b, (-2, 2), (0.5, 2)),
    "pow": (lambda a, b: a ** b, (0.5, 2), (-2, 2)),
    "maximum": (lambda a, b: minidl.maximum(a, b), (-2, 2), (-2, 2)),
    "minimum": (lambda a, b: minidl.minimum(a, b), (-2, 2), (-2, 2)),
    "where": (lambda a, b: minidl.where(a > b, a * 2, b), (-2, 2), (-2, 2)),
    "add_alpha": (lambda a, b: minidl.add(a, b, alpha=0.5), (-2, 2), (-2, 2)),
}
TORCH = {
    "maximum": lambda a, b: __import__("torch").maximum(a, b),
    "minimum": lambda a, b: __import__("torch").minimum(a, b),
    "where": lambda a, b: __import__("torch").where(a > b, a * 2, b),
    "add_alpha": lambda a, b: __import__("torch").add(a, b, alpha=0.5),
}

broadcastable = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3)


def _pair(name, shapes, device, seed=0):
    _, range_a, range_b = BINARY[name]
    (a,) = random_inputs([shapes[0]], seed=seed, low=range_a[0], high=range_a[1], device=device)
    (b,) = random_inputs([shapes[1]], seed=seed + 1, low=range_b[0], high=range_b[1], device=device)
    return [a, b]


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=broadcastable)
def test_binary_gradcheck(name, shapes, device):
    check_op(BINARY[name][0], _pair(name, shapes.input_shapes, device))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=broadcastable)
def test_binary_matches_torch(name, shapes):
    pytest.importorskip("torch")
    fn = BINARY[name][0]
    assert compare_with_torch(fn, TORCH.get(name, fn), _pair(name, shapes.input_shapes, "cpu"))


def test_scalar_operands_keep_dtype():
    x = minidl.ones(3)
    assert (x * 2.0).dtype == minidl.float32
    assert (2 * x).dtype == minidl.float32
    assert (x + minidl.tensor(1.0, dtype=minidl.float64)).dtype == minidl.float32  # 0-d does not promote
    assert (minidl.tensor([1, 2]) * 2.5).dtype == minidl.float32
    assert (minidl.tensor([1, 2]) * 2).dtype == minidl.int64
    assert (minidl.tensor([1, 2]) / 2).dtype == minidl.float32
    assert (x + minidl.ones(3, dtype=minidl.float64)).dtype == minidl.float64


def test_float32_gradients_stay_float32():
    a = minidl.randn(2, 3, requires_grad=True)
    b = minidl.randn(3, requires_grad=True)
    ((a * b + 1.0) / 3.0 - b ** 2).sum().backward()
    assert a.grad.dtype == minidl.float32 and b.grad.dtype == minidl.float32
    assert b.grad.shape == (3,)


def test_numpy_array_on_the_left():
    x = minidl.ones(3, requires_grad=True)
    y = np.arange(3.0, dtype=np.float32) * x
    assert isinstance(y, minidl.Tensor)
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 2.0]


def test_mismatched_shapes_name_both():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4,\)"):
        minidl.ones(2, 3) + minidl.ones(4)


def test_comparisons_have_no_gradient():
    x = minidl.randn(3, requires_grad=True)
    for y in (x > 0, x >= 0, x < 0, x <= 0, x == 0, x != 0):
        assert y.dtype == minidl.bool and not y.requires_grad
