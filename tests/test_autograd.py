"""The backward engine: order, accumulation, hooks, graph freeing, higher order, errors."""
import gc
import weakref

import numpy as np
import pytest

import minidl
from minidl.autograd import Function


def test_chain_of_10000_ops_is_iterative():
    x = minidl.tensor(1.0, dtype=minidl.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert np.isclose(x.grad.item(), 1.0001 ** 10_000)


def test_diamond_graph_sums_both_paths():
    x = minidl.tensor(3.0, requires_grad=True)
    a = x * 2
    y = a * a + a  # dy/dx = (2a + 1)·2 = 26
    y.backward()
    assert x.grad.item() == 26.0


def test_gradients_accumulate_across_backward_calls():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    assert x.grad.tolist() == [7.0, 7.0]
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_grad_of_shared_leaf_is_not_aliased():
    a = minidl.ones(3, requires_grad=True)
    b = minidl.ones(3, requires_grad=True)
    (a + b).sum().backward()
    with minidl.no_grad():
        a.grad.array *= 10
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


# A leaf keeps the array its gradient arrived in (no copy) only when nothing else can see it;
# each test below is a way something else could, and changes .grad in place to prove it cannot.

def test_leaf_grad_does_not_alias_the_callers_gradient():
    x = minidl.zeros(3, requires_grad=True)
    upstream = minidl.ones(3)
    x.backward(upstream)  # the leaf is the root: its gradient is the caller's array
    with minidl.no_grad():
        x.grad.array *= 10
    assert upstream.tolist() == [1.0, 1.0, 1.0]


def test_leaf_grad_does_not_alias_a_retained_grad():
    x = minidl.ones(3, requires_grad=True)
    y = x + 0  # Add hands its incoming gradient array to x unchanged
    y.retain_grad()
    (y * minidl.tensor([1.0, 2.0, 3.0])).sum().backward()
    with minidl.no_grad():
        x.grad.array *= 10
    assert y.grad.tolist() == [1.0, 2.0, 3.0]


def test_leaf_grad_does_not_alias_what_a_hook_kept():
    kept = []
    x = minidl.ones(3, requires_grad=True)
    y = x + 0
    y.register_hook(kept.append)  # sees the array that then flows on to x
    x.register_hook(kept.append)
    (y * 2).sum().backward()
    with minidl.no_grad():
        x.grad.array *= 10
    assert [k.tolist() for k in kept] == [[2.0, 2.0, 2.0]] * 2


def test_leaf_grad_does_not_alias_a_view():
    x = minidl.ones(2, 3, requires_grad=True)
    flat = x.reshape(6)  # Reshape's backward returns a view of the incoming gradient
    flat.retain_grad()
    (flat * 3).sum().backward()
    with minidl.no_grad():
        x.grad.array *= 10
    assert flat.grad.tolist() == [3.0] * 6


def test_hooks_run_in_registration_order_and_can_replace_grad():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(("first", g.tolist())))
    handle = x.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: calls.append(("third", g.tolist())))
    (x * 2).sum().backward()
    assert calls == [("first", [2.0, 2.0]), ("third", [20.0, 20.0])]
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_hook_on_intermediate_sees_total_gradient():
    x = minidl.tensor(2.0, requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    (y * y + y).backward()  # d/dy = 2y + 1 = 13
    assert seen == [13.0]


def test_hook_fires_even_when_the_tensor_object_is_dropped():
    x = minidl.ones(3, requires_grad=True)
    seen = []
    hidden = x * 2
    hidden.register_hook(lambda g: seen.append(g.tolist()))
    loss = (hidden @ minidl.ones(3)).sum()  # the matmul node holds the only reference...
    del hidden                              # ...and releases it during backward
    loss.backward()
    assert seen == [[1.0, 1.0, 1.0]]


def test_retain_grad_on_intermediate():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]


def test_no_grad_and_enable_grad():
    x = minidl.ones(2, requires_grad=True)
    with minidl.no_grad():
        y = x * 2
        with minidl.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.creator is None
    assert z.requires_grad
    with minidl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minidl.is_grad_enabled()

    @minidl.no_grad()
    def evaluate():
        return x * 2

    assert not evaluate().requires_grad


def test_second_backward_through_freed_graph_raises():
    x = minidl.ones(2, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = minidl.ones(2, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.e * np.ones(2), rtol=1e-6)


def test_graph_saved_arrays_are_released_after_backward():
    x = minidl.randn(100, requires_grad=True)
    hidden = x.exp()
    hidden_ref = weakref.ref(hidden)
    node_ref = weakref.ref(hidden.creator)
    loss = (hidden * 3).sum()
    del hidden
    gc.collect()
    assert hidden_ref() is not None  # still needed by the graph
    loss.backward()
    gc.collect()
    assert hidden_ref() is None  # the Mul node let go of its input after backward
    node = node_ref()
    assert node is None or node._released


def test_create_graph_gives_second_derivatives():
    x = minidl.tensor(2.0, dtype=minidl.float64, requires_grad=True)
    y = x ** 3
    (dy,) = minidl.autograd.grad(y, x, create_graph=True)
    assert dy.item() == 12.0  # 3x²
    (d2y,) = minidl.autograd.grad(dy, x)
    assert d2y.item() == 12.0  # 6x
    assert x.grad is None  # grad() does not accumulate


def test_backward_with_create_graph_then_differentiate_grad():
    x = minidl.tensor([1.0, 2.0], dtype=minidl.float64, requires_grad=True)
    (x.sin() * x).sum().backward(create_graph=True)
    g = x.grad  # sin x + x cos x
    x.grad = None
    g.sum().backward()  # 2 cos x - x sin x
    expected = 2 * np.cos([1.0, 2.0]) - np.array([1.0, 2.0]) * np.sin([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_third_derivative():
    x = minidl.tensor(0.5, dtype=minidl.float64, requires_grad=True)
    y = x.exp() * x
    (g1,) = minidl.autograd.grad(y, x, create_graph=True)
    (g2,) = minidl.autograd.grad(g1, x, create_graph=True)
    (g3,) = minidl.autograd.grad(g2, x)
    assert np.isclose(g3.item(), np.exp(0.5) * (0.5 + 3))


def test_grad_with_respect_to_intermediate():
    x = minidl.tensor(2.0, requires_grad=True)
    h = x * 3
    y = h * h
    (dh,) = minidl.autograd.grad(y, h)
    assert dh.item() == 12.0


def test_grad_unused_input():
    x = minidl.ones(2, requires_grad=True)
    unused = minidl.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"inputs\[1\] was not used"):
        minidl.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = minidl.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None and gx.tolist() == [2.0, 2.0]


def test_multiple_outputs_with_one_unused():
    x = minidl.arange(4.0).requires_grad_()
    first, second = x.split(2)
    (first * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 0.0, 0.0]


def test_backward_needs_gradient_for_non_scalar():
    x = minidl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*\(3,\)"):
        (x * 2).backward()
    (x * 2).backward(minidl.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match=r"expected shape \(3,\), got \(2,\)"):
        (x * 2).backward(minidl.ones(2))


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minidl.ones(2).sum().backward()


def test_wrong_gradient_shape_from_a_custom_function_is_caught():
    class BadSum(Function):
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return gy  # forgot to broadcast back to x's shape

    x = minidl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BadSum.backward returned a gradient of shape \(\) for input 0, whose shape is \(3,\)"):
        BadSum()(x).backward()


def test_gradient_of_another_dtype_from_a_custom_function_is_caught():
    class WideningDouble(Function):
        def forward(self, x):
            return 2 * x

        def backward(self, gy):
            return gy * minidl.tensor(np.full(3, 2.0))  # a float64 tensor: the product is float64

    x = minidl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WideningDouble.backward returned a float64 gradient for input 0, "
                                           r"whose dtype is float32"):
        WideningDouble()(x).sum().backward()


def test_root_gradient_of_another_dtype_is_cast_like_pytorch():
    x = minidl.ones(3, requires_grad=True)
    (x * 2).backward(minidl.ones(3, dtype=minidl.float64))
    assert x.grad.dtype == minidl.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating-point tensors.*int64"):
        minidl.tensor([1, 2], requires_grad=True)
    x = minidl.randn(3, requires_grad=True)
    assert not x.argmax().requires_grad


def test_detach_cuts_the_graph():
    x = minidl.ones(2, requires_grad=True)
    y = (x * 2).detach() * x
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_inplace_update_of_leaf_needs_no_grad():
    w = minidl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.zero_()
    with minidl.no_grad():
        w.zero_()
    assert w.tolist() == [0.0, 0.0]
