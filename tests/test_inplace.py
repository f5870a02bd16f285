"""In-place operations are real and safe: augmented operators modify the tensor, version counters
catch a saved tensor changed before backward (PyTorch's rule), views share the counter."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minidl

MODIFIED = "modified by an inplace operation"


def test_hand_written_sgd_updates_the_parameter_itself():
    w = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    same = w
    with minidl.no_grad():
        w -= 0.1 * w.grad
    assert w is same and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6, 2.4], rtol=1e-6)


@given(op=st.sampled_from(["+=", "-=", "*=", "/=", "**="]), shape=st.sampled_from([(3,), (2, 3), ()]),
       other_is_tensor=st.booleans())
def test_augmented_operators_write_into_the_same_memory(op, shape, other_is_tensor):
    rng = np.random.default_rng(0)
    start = rng.uniform(0.5, 2.0, shape).astype(np.float32)
    other_np = rng.uniform(0.5, 2.0, shape).astype(np.float32) if other_is_tensor else 1.5
    x = minidl.tensor(start.copy())
    view = x.view(-1) if shape else x
    memory, version = x.array, x._version
    other = minidl.tensor(other_np) if other_is_tensor else other_np
    namespace = {"x": x, "other": other}
    exec(f"x {op} other", namespace)
    expected = eval(f"start {op[:-1]} other_np")
    assert namespace["x"] is x and x.array is memory and x._version == version + 1
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(view.numpy().reshape(shape), expected, rtol=1e-6)  # views see it


def test_in_place_rules_match_pytorch():
    w = minidl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad is being used in an in-place operation"):
        w += 1
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.add_(1)
    ints = minidl.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired output type int64"):
        ints += 1.5
    floats = minidl.zeros(3)
    floats += minidl.tensor([1, 2, 3])  # int into float: allowed
    assert floats.tolist() == [1.0, 2.0, 3.0] and floats.dtype == minidl.float32
    with pytest.raises(RuntimeError, match=r"the result has shape \(2, 3\)"):
        floats += minidl.ones(2, 3)  # the destination is not broadcast


def test_in_place_on_a_graph_tensor_is_recorded_like_pytorch():
    """out += identity in a residual block: the gradients of the in-place and out-of-place forms agree."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a_np, b_np = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    a, b = minidl.tensor(a_np, requires_grad=True), minidl.tensor(b_np, requires_grad=True)
    out = a * 2
    out += b
    out *= b  # needs the old value of out: kept by the recorded op
    (out * out).sum().backward()
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    tout = ta * 2
    tout += tb
    tout *= tb
    (tout * tout).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())
    h = a * 1
    h += h  # the tensor on both sides
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy() + 2)


@pytest.mark.parametrize("mutate", [
    lambda x, w: x.fill_(0), lambda x, w: x.zero_(), lambda x, w: x.copy_(minidl.ones(3)),
    lambda x, w: x.__setitem__(0, 5.0), lambda x, w: x.__iadd__(1), lambda x, w: x[1:].mul_(2),
])
def test_a_saved_tensor_changed_in_place_makes_backward_raise(mutate):
    """The replayed report: y = (w * x).sum(); x changed in place; y.backward() used the new x."""
    w = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = minidl.tensor([4.0, 5.0, 6.0])
    y = (w * x).sum()
    mutate(x, w)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


def test_an_optimizer_step_before_backward_is_caught():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    x = minidl.tensor([3.0, 4.0], requires_grad=True)
    optimizer = minidl.optim.SGD([w], lr=0.1)
    first = (w * x).sum()
    second = (w * x).sum()
    first.backward()
    optimizer.step()  # w changes in place; second's graph saved the old w
    with pytest.raises(RuntimeError, match=r"input 0 of Mul .* is at version 1; expected version 0"):
        second.backward()


def test_views_share_the_counter_and_unread_inputs_are_not_checked():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    base = minidl.tensor([1.0, 2.0, 3.0, 4.0])
    y = (w * base[1:3]).sum()  # saved: a view of base
    base.zero_()
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()
    base = minidl.tensor([1.0, 2.0])
    y = (w * base).sum()
    base.detach()[0] = 7.0  # detach() shares the memory: same counter
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()
    x = minidl.tensor([1.0, 2.0])
    z = (w + x).sum()  # Add never reads its inputs: PyTorch allows this, and so do we
    x.zero_()
    z.backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_a_saved_output_changed_in_place_is_caught():
    w = minidl.tensor([0.5, 1.0], requires_grad=True)
    e = w.exp()  # exp's backward reads its output
    e += 1
    with pytest.raises(RuntimeError, match="output 0 of Exp"):
        e.sum().backward()


def test_inplace_flag_on_layers_gives_the_same_values_and_leaves_the_input():
    x = minidl.tensor([-1.0, 2.0], requires_grad=True)
    y = minidl.nn.ReLU(inplace=True)(x)
    assert y.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("case", ["exp", "add", "tanh"])
def test_nodes_recorded_before_an_in_place_op_keep_their_gradient(case):
    """A later in-place op must not reroute the gradient of ops that used the old value (found by review)."""
    torch = pytest.importorskip("torch")

    def run(lib, a):
        if case == "exp":
            x = a * 1
            y = x.exp()
            x *= 3
            return y.sum()
        if case == "add":
            x = a * 1
            y = x + 1
            x *= 3
            return y.sum() + x.sum()
        h = a * 2
        out = h.tanh()
        h += a
        return out.sum() + h.sum()

    ours, theirs = minidl.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    run(minidl, ours).backward()
    run(torch, theirs).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_in_place_on_a_view_in_the_graph_raises_instead_of_losing_the_gradient():
    a = minidl.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x = a * 1
    for mutate in (lambda: x.view(2, 2).mul_(2), lambda: x[1:].__imul__(3), lambda: x.chunk(2)[0].__iadd__(10)):
        with pytest.raises(RuntimeError, match="is a view"):
            mutate()
    w = minidl.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="is a view"):
        v = w[1:]
        v += 1
    assert w.tolist() == [1.0, 2.0, 3.0, 4.0]  # and the leaf is untouched
    with minidl.no_grad():
        w[1:] += 1  # outside the graph: allowed, as in PyTorch
    assert w.tolist() == [1.0, 3.0, 4.0, 5.0]


def test_inputs_whose_values_backward_never_reads_may_change():
    """w·2: w's value is not needed for any gradient, so changing it is fine (PyTorch agrees)."""
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 2).sum()
    with minidl.no_grad():
        w -= 1
    y.backward()
    assert w.grad.tolist() == [2.0, 2.0]
    layer = minidl.nn.Linear(2, 3)
    out = layer(minidl.randn(4, 2)).sum()  # the input needs no gradient: the weight is not read
    out.backward(retain_graph=True)
    minidl.optim.SGD(layer.parameters(), lr=0.1).step()
    out.backward()


def test_integer_indexing_gives_a_view():
    x = minidl.tensor([1.0, 2.0])
    first = x[0]
    x *= 3
    assert first.item() == 3.0
    second = x[1]
    second += 100
    assert x.tolist() == [3.0, 106.0]


def test_fill_refuses_a_value_an_integer_tensor_cannot_hold():
    for value in (float("nan"), float("inf"), 2**63):
        with pytest.raises(RuntimeError, match="without overflow"):
            minidl.zeros(2, dtype=minidl.int64).fill_(value)
    assert minidl.zeros(2, dtype=minidl.int8).fill_(-128).tolist() == [-128, -128]
