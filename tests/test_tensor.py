"""Tensor construction, dtype rules, conversion and printing."""
import numpy as np
import pytest

import minidl


def test_python_values_take_pytorch_dtypes():
    assert minidl.tensor(1.5).dtype == minidl.float32
    assert minidl.tensor([1, 2]).dtype == minidl.int64
    assert minidl.tensor([True]).dtype == minidl.bool
    assert minidl.tensor(np.zeros(2)).dtype == minidl.float64  # NumPy arrays keep their dtype
    assert minidl.tensor([1, 2], dtype=minidl.float64).dtype == minidl.float64


def test_tensor_copies_but_as_tensor_shares():
    array = np.zeros(3, dtype=np.float32)
    copied, shared = minidl.tensor(array), minidl.as_tensor(array)
    array[0] = 5
    assert copied[0].item() == 0 and shared[0].item() == 5


@pytest.mark.parametrize("factory", [minidl.zeros, minidl.ones, minidl.empty, minidl.rand, minidl.randn])
def test_factories(factory, device):
    t = factory(2, 3, dtype=minidl.float64, device=device, requires_grad=True)
    assert t.shape == (2, 3) and t.dtype == minidl.float64 and t.requires_grad
    assert t.device == minidl.device(device)
    assert factory((4,)).dtype == minidl.float32


def test_other_factories():
    assert minidl.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert minidl.arange(5).dtype == minidl.int64
    assert minidl.arange(0, 1, 0.25).dtype == minidl.float32
    assert minidl.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert minidl.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert minidl.full((2,), 7).dtype == minidl.int64
    assert minidl.full((2,), 7.0).tolist() == [7.0, 7.0]
    x = minidl.randn(2, 3, dtype=minidl.float64)
    assert minidl.zeros_like(x).dtype == minidl.float64
    assert minidl.ones_like(x).shape == (2, 3)
    assert minidl.randn_like(x).shape == (2, 3)
    r = minidl.randint(0, 10, (100,))
    assert r.dtype == minidl.int64 and 0 <= r.min().item() and r.max().item() < 10


def test_manual_seed_reproduces():
    minidl.manual_seed(123)
    a = minidl.randn(5)
    minidl.manual_seed(123)
    b = minidl.randn(5)
    assert a.tolist() == b.tolist()


def test_rng_state_round_trip():
    minidl.manual_seed(7)
    state = minidl.get_rng_state()
    a = minidl.rand(3)
    minidl.set_rng_state(state)
    assert minidl.rand(3).tolist() == a.tolist()


def test_properties_and_conversions():
    t = minidl.arange(6.0).reshape(2, 3)
    assert t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6 and t.ndim == 2
    assert t[1, 2].item() == 5.0
    assert isinstance(t.numpy(), np.ndarray)
    assert t.to(minidl.float64).dtype == minidl.float64
    assert t.double().dtype == minidl.float64 and t.long().dtype == minidl.int64
    assert t.to("cpu") is t
    assert len(t) == 2
    assert float(t.sum()) == 15.0


def test_to_dtype_is_differentiable():
    x = minidl.ones(2, requires_grad=True)
    y = x.double() * 3
    y.sum().backward()
    assert x.grad.dtype == minidl.float32 and x.grad.tolist() == [3.0, 3.0]


def test_numpy_refuses_tensor_requiring_grad():
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        minidl.ones(2, requires_grad=True).numpy()


def test_item_needs_one_element():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        minidl.ones(2).item()


def test_repr_looks_like_pytorch():
    assert repr(minidl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "requires_grad=True" in repr(minidl.ones(1, requires_grad=True))
    assert "grad_fn=<Mul>" in repr(minidl.ones(1, requires_grad=True) * 2)
    assert "dtype=minidl.float64" in repr(minidl.ones(1, dtype=minidl.float64))
