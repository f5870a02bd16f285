"""Shared fixtures: the device list (cpu always, cuda when CuPy sees a GPU) and hypothesis settings."""
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import minidl
from minidl.testing import available_devices

settings.register_profile(
    "minidl",
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("minidl")

CUDA_SKIP = pytest.mark.skipif("cuda" not in available_devices(), reason="no GPU visible to CuPy")


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=[CUDA_SKIP, pytest.mark.cuda])])
def device(request):
    """Run the test once per device; the cuda run skips with a one-line reason without a GPU."""
    return request.param


@pytest.fixture(autouse=True)
def _seed():
    minidl.manual_seed(0)
    np.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        # The oracle runs single-threaded: on a 2-core machine PyTorch's thread pool competing with
        # NumPy's (and with other jobs) made its forward+backward passes up to 30x slower.
        torch.set_num_threads(1)
    yield
