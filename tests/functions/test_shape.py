"""Shape ops, indexing, joining and matmul."""
import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl
from minidl.testing import check_op, compare_with_torch, random_inputs

SHAPE_OPS = {
    "reshape": (lambda x: x.reshape(-1), (2, 3, 4)),
    "reshape_2": (lambda x: x.reshape(4, 6), (2, 3, 4)),
    "view": (lambda x: x.view(3, -1), (2, 3, 4)),
    "flatten": (lambda x: x.flatten(1), (2, 3, 4)),
    "transpose": (lambda x: x.transpose(0, 2), (2, 3, 4)),
    "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    "mT": (lambda x: x.mT, (2, 3, 4)),
    "squeeze": (lambda x: x.squeeze(), (2, 1, 4, 1)),
    "squeeze_dim": (lambda x: x.squeeze(1), (2, 1, 4)),
    "unsqueeze": (lambda x: x.unsqueeze(-1), (2, 3)),
    "expand": (lambda x: x.expand(3, -1, 4), (2, 1)),
    "broadcast_to": (lambda x: x.broadcast_to((2, 3, 4)), (3, 1)),
    "contiguous": (lambda x: x.transpose(0, 1).contiguous(), (2, 3)),
    "getitem_basic": (lambda x: x[1:, ::2, None, -1], (3, 4, 2)),
    "getitem_int": (lambda x: x[0, 1], (3, 4)),
    "getitem_ellipsis": (lambda x: x[..., 1], (3, 4, 2)),
    "getitem_repeated": (lambda x: x[[0, 0, 2, 0]], (3, 4)),
    "getitem_pairs": (lambda x: x[[0, 2, 0], [1, 1, 1]], (3, 4)),
    "getitem_mixed": (lambda x: x[:, [3, 0, 3]], (3, 4)),
    "getitem_mask": (lambda x: x[x > 0], (3, 4)),
    "cat": (lambda x: minidl.cat([x, x * 2, x[:1]], 0), (3, 4)),
    "cat_dim1": (lambda x: minidl.cat([x, x[:, :2]], 1), (3, 4)),
    "stack": (lambda x: minidl.stack([x, -x], 1), (3, 4)),
    "split": (lambda x: x.split(2, 1), (3, 5)),
    "split_sections": (lambda x: x.split([1, 3, 1], 1), (3, 5)),
    "split_unused": (lambda x: x.split(2, 0)[1], (4, 3)),
    "chunk": (lambda x: x.chunk(3, 0), (7, 2)),
    "pad": (lambda x: minidl.functions.pad(x, (1, 2, 0, 1), value=0.5), (2, 3, 4)),
}
TORCH_OVERRIDES = {
    "pad": lambda x: __import__("torch").nn.functional.pad(x, (1, 2, 0, 1), value=0.5),
    "cat": lambda x: __import__("torch").cat([x, x * 2, x[:1]], 0),
    "cat_dim1": lambda x: __import__("torch").cat([x, x[:, :2]], 1),
    "stack": lambda x: __import__("torch").stack([x, -x], 1),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_gradcheck(name, device):
    fn, shape = SHAPE_OPS[name]
    check_op(fn, [shape], device=device)


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_matches_torch(name):
    pytest.importorskip("torch")
    fn, shape = SHAPE_OPS[name]
    (x,) = random_inputs([shape])
    assert compare_with_torch(fn, TORCH_OVERRIDES.get(name, fn), [x])


@given(shapes=hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3))
def test_matmul_gradcheck(shapes, device):
    check_op(lambda a, b: a @ b, list(shapes.input_shapes), device=device)


@given(shapes=hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=4))
def test_matmul_matches_torch(shapes):
    pytest.importorskip("torch")
    inputs = random_inputs(list(shapes.input_shapes))
    assert compare_with_torch(lambda a, b: a @ b, lambda a, b: a @ b, inputs)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=3), data=st.data())
def test_random_permutation_gradcheck(shape, data, device):
    perm = data.draw(st.permutations(range(len(shape))))
    check_op(lambda x: x.permute(*perm) * 2, [shape], device=device)


def test_repeated_indices_accumulate():
    x = minidl.zeros(3, requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_index_with_tensor():
    x = minidl.arange(6.0).reshape(2, 3)
    assert x[minidl.tensor([1, 0])].tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]


def test_matmul_shape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4, 5\)"):
        minidl.ones(2, 3) @ minidl.ones(4, 5)


def test_reshape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"shape \(4,\) is invalid for a tensor of shape \(2, 3\)"):
        minidl.ones(2, 3).reshape(4)


def test_split_sections_must_sum():
    with pytest.raises(ValueError, match="sum to 3"):
        minidl.ones(5).split([1, 2])


def test_cat_mismatch_is_named():
    with pytest.raises(RuntimeError, match="tensor 1 has shape"):
        minidl.cat([minidl.ones(2, 3), minidl.ones(2, 4)])


def test_setitem_under_no_grad():
    w = minidl.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 1.0
    with minidl.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0, 0.0]


HYPOTHESIS_SHAPE_OPS = ["reshape", "flatten", "transpose", "squeeze", "unsqueeze", "expand", "getitem", "cat",
                        "stack", "split", "chunk", "pad", "contiguous"]


@st.composite
def shape_op_case(draw, op):
    """A random shape and the shape op ``op`` with arguments drawn to fit it."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    dim = draw(st.integers(-ndim, ndim - 1))
    if op == "reshape":
        return shape, lambda x: x.reshape(-1, shape[-1]), lambda x: x.reshape(-1, shape[-1])
    if op == "flatten":
        start = draw(st.integers(0, ndim - 1))
        return shape, lambda x: x.flatten(start), lambda x: x.flatten(start)
    if op == "transpose":
        other = draw(st.integers(0, ndim - 1))
        return shape, lambda x: x.transpose(dim, other), lambda x: x.transpose(dim, other)
    if op == "squeeze":
        return shape, lambda x: x.unsqueeze(dim).squeeze(dim), lambda x: x.unsqueeze(dim).squeeze(dim)
    if op == "unsqueeze":
        return shape, lambda x: x.unsqueeze(dim), lambda x: x.unsqueeze(dim)
    if op == "expand":
        repeats = draw(st.integers(1, 3))
        return (shape, lambda x: x.unsqueeze(0).expand(repeats, *shape),
                lambda x: x.unsqueeze(0).expand(repeats, *shape))
    if op == "getitem":
        start = draw(st.integers(0, shape[0] - 1))
        step = draw(st.integers(1, 2))
        return shape, lambda x: x[start::step], lambda x: x[start::step]
    if op == "cat":
        return (shape, lambda x: minidl.cat([x, x * 2], dim), lambda x: __import__("torch").cat([x, x * 2], dim))
    if op == "stack":
        return (shape, lambda x: minidl.stack([x, -x], dim), lambda x: __import__("torch").stack([x, -x], dim))
    if op == "split":
        size = draw(st.integers(1, 3))
        return shape, lambda x: x.split(size, dim), lambda x: x.split(size, dim)
    if op == "chunk":
        chunks = draw(st.integers(1, 3))
        return shape, lambda x: x.chunk(chunks, dim), lambda x: x.chunk(chunks, dim)
    if op == "pad":
        pads = tuple(draw(st.integers(0, 2)) for _ in range(2 * min(ndim, 2)))
        return (shape, lambda x: minidl.functions.pad(x, pads, value=0.5),
                lambda x: __import__("torch").nn.functional.pad(x, pads, value=0.5))
    return shape, lambda x: x.mT.contiguous() if ndim > 1 else x.contiguous(), lambda x: x.mT.contiguous() if ndim > 1 else x.contiguous()


@pytest.mark.parametrize("op", HYPOTHESIS_SHAPE_OPS)
@given(data=st.data())
def test_shape_ops_on_hypothesis_shapes(op, data, device):
    shape, ours, _ = data.draw(shape_op_case(op))
    check_op(ours, [shape], device=device)


@pytest.mark.parametrize("op", HYPOTHESIS_SHAPE_OPS)
@given(data=st.data())
def test_shape_ops_on_hypothesis_shapes_match_torch(op, data):
    pytest.importorskip("torch")
    shape, ours, theirs = data.draw(shape_op_case(op))
    assert compare_with_torch(ours, theirs, random_inputs([shape]))
