"""Devices and the NumPy/CuPy boundary."""
import sys
import types

import numpy as np
import pytest

import minidl
from minidl import backend
from tests.conftest import CUDA_SKIP


def test_device_parsing():
    assert str(minidl.device("cpu")) == "cpu"
    assert minidl.device("cuda") == minidl.device("cuda:0")
    assert minidl.device("cuda:1").index == 1
    assert minidl.device(2) == "cuda:2"
    assert repr(minidl.device("cuda:1")) == "device(type='cuda', index=1)"
    with pytest.raises(ValueError, match="expected 'cpu', 'cuda' or 'cuda:N', got 'gpu'"):
        minidl.device("gpu")
    with pytest.raises(ValueError, match="device index"):
        minidl.device("cuda:x")


def test_get_array_module_is_numpy_for_numpy():
    assert backend.get_array_module(np.zeros(1), 3.0) is np


def test_cuda_request_without_cupy_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backend, "cupy_or_none", lambda: None)
    assert not minidl.cuda.is_available()
    with pytest.raises(minidl.CudaUnavailableError, match=r"CuPy is not installed.*pip install minidl\[cuda12\]"):
        minidl.zeros(2, device="cuda")
    with pytest.raises(minidl.CudaUnavailableError, match="CuPy is not installed"):
        minidl.ones(2).to("cuda")


class _FakeCupyArray(np.ndarray):
    """Stands in for a cupy.ndarray so the mixing check can be tested without a GPU."""

    device = types.SimpleNamespace(id=0)


def test_mixing_numpy_and_cupy_arrays_names_both_devices(monkeypatch):
    fake = types.ModuleType("cupy")
    fake.ndarray = _FakeCupyArray
    monkeypatch.setitem(sys.modules, "cupy", fake)
    host = minidl.ones(3)
    gpu = minidl.Tensor._wrap(np.ones(3, dtype=np.float32).view(_FakeCupyArray), False)
    assert gpu.device == "cuda:0"
    with pytest.raises(minidl.DeviceMismatchError, match="Add: expected all tensors on the same device, but input 0 is on cpu and input 1 is on cuda:0"):
        host + gpu


def test_importing_minidl_does_not_import_cupy():
    import subprocess

    code = "import sys, minidl; sys.exit(1 if 'cupy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@CUDA_SKIP
@pytest.mark.cuda
def test_cuda_round_trip():
    x = minidl.randn(3, device="cuda", requires_grad=True)
    (x.cpu() * 2).sum().backward()
    assert x.grad.device == minidl.device("cuda")
