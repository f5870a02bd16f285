"""``minidl.accelerator``: PyTorch's device-agnostic questions (``torch.accelerator``)."""
from .backend import Device, cuda_device_count, cuda_is_available


def is_available():
    """True when a GPU usable by minidl (through CuPy) is present."""
    return cuda_is_available()


def current_accelerator():
    """``Device('cuda')`` when a GPU is available, else None (PyTorch's answer without one)."""
    return Device("cuda") if cuda_is_available() else None


def device_count():
    """How many GPUs minidl can use."""
    return cuda_device_count()
