"""The only module that knows NumPy from CuPy.

Every other module asks ``get_array_module(*arrays)`` for ``xp`` and then writes
``xp.exp(x)``, ``xp.zeros(...)``: the same line runs on the CPU (NumPy) and on an
NVIDIA GPU (CuPy).  CuPy is imported lazily, so ``import minidl`` never needs it.
"""
import contextlib
import sys

import numpy as np

CUDA_INSTALL_HINT = (
    "install CuPy for your CUDA version: `pip install minidl[cuda12]` (CUDA 12.x) "
    "or `pip install minidl[cuda13]` (CUDA 13.x)"
)


class CudaUnavailableError(RuntimeError):
    """A CUDA device was asked for, but CuPy or a GPU is missing."""


class DeviceMismatchError(RuntimeError):
    """One operation received arrays that live on different devices."""


class HostTransferError(RuntimeError):
    """GPU data was copied to the host inside ``forbid_host_transfers()``."""


_host_transfers = {"forbidden": False}


class forbid_host_transfers(contextlib.ContextDecorator):
    """Debug switch: inside ``with minidl.forbid_host_transfers():`` every copy of GPU data to the
    host — ``tensor.item()``, ``float(t)``, ``if t:``, ``t.tolist()``, ``t.cpu()``,
    ``np.asarray(t)`` — raises ``HostTransferError`` instead of silently waiting for the GPU.

    Each such copy stops the Python thread until the GPU has finished all queued work, so one
    ``loss.item()`` per step can halve GPU throughput.  Wrap a training step in this switch to
    prove that it stays on the device; read the loss outside it.
    """

    def __enter__(self):
        self.previous = _host_transfers["forbidden"]
        _host_transfers["forbidden"] = True
        return self

    def __exit__(self, *exc_info):
        _host_transfers["forbidden"] = self.previous
        return False


def _counts_as_device_data(array):
    """Whether copying ``array`` to the host is a device→host transfer (a seam for the CPU tests)."""
    return is_cupy_array(array)


def check_host_transfer(array, what):
    """Raise ``HostTransferError`` when ``what`` would copy GPU data to the host while forbidden."""
    if _host_transfers["forbidden"] and _counts_as_device_data(array):
        raise HostTransferError(
            f"{what} copies a {getattr(array, 'shape', ())}-shaped array from {device_of(array)} to the host inside "
            "minidl.forbid_host_transfers(): keep the value on the device (a Tensor), or read it after the block"
        )


def cupy_or_none():
    """Return the ``cupy`` module if it can be imported, else ``None``."""
    if "cupy" in sys.modules:
        return sys.modules["cupy"]
    try:
        import cupy  # noqa: F401  (imported for its side effect on sys.modules)
    except Exception:  # ImportError, or a CuPy built for a missing CUDA runtime
        return None
    return sys.modules["cupy"]


def require_cupy():
    """Return ``cupy``, or raise a clear error saying how to install it."""
    cp = cupy_or_none()
    if cp is None:
        raise CudaUnavailableError(f"a CUDA device was requested but CuPy is not installed: {CUDA_INSTALL_HINT}")
    return cp


def cuda_device_count():
    """Number of GPUs CuPy can see (0 without CuPy or without a driver)."""
    cp = cupy_or_none()
    if cp is None:
        return 0
    try:
        return cp.cuda.runtime.getDeviceCount()
    except Exception:  # no driver, no device
        return 0


def cuda_is_available():
    """True when CuPy is installed and sees at least one GPU."""
    return cuda_device_count() > 0


class Device:
    """Where a tensor's array lives: ``Device("cpu")``, ``Device("cuda")``, ``Device("cuda:1")``."""

    __slots__ = ("type", "index")

    def __init__(self, spec="cpu", index=None):
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if isinstance(spec, int) and not isinstance(spec, bool):
            spec, index = "cuda", spec
        if not isinstance(spec, str):
            raise TypeError(f"device: expected a string like 'cpu', 'cuda' or 'cuda:1', got {spec!r}")
        kind, _, number = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {spec!r}")
        if number:
            if not number.isdigit():
                raise ValueError(f"device: expected a device index after 'cuda:', got {spec!r}")
            if index is not None and index != int(number):
                raise ValueError(f"device: index given twice and differently in {spec!r}, index={index}")
            index = int(number)
        if kind == "cpu":
            if index not in (None, 0):
                raise ValueError(f"device: the cpu device has no index, got {spec!r}")
            index = None
        elif index is None:
            index = 0
        self.type, self.index = kind, index

    def __eq__(self, other):
        if isinstance(other, (str, int)):
            try:
                other = Device(other)
            except (TypeError, ValueError):
                return False
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return "cpu" if self.type == "cpu" else f"cuda:{self.index}"

    def __repr__(self):
        if self.type == "cpu":
            return "device(type='cpu')"
        return f"device(type='cuda', index={self.index})"


CPU = Device("cpu")


def is_cupy_array(array):
    cp = sys.modules.get("cupy")
    return cp is not None and isinstance(array, cp.ndarray)


def get_array_module(*arrays):
    """``numpy`` or ``cupy``, whichever the arrays belong to (NumPy for plain Python values)."""
    cp = sys.modules.get("cupy")
    if cp is not None:
        for array in arrays:
            if isinstance(array, cp.ndarray):
                return cp
    return np


def device_of(array):
    """The ``Device`` an array lives on."""
    if is_cupy_array(array):
        return Device("cuda", array.device.id)
    return CPU


def check_same_device(arrays, op_name):
    """Raise ``DeviceMismatchError`` unless all arrays live on one device.

    NumPy and CuPy arrays are never mixed silently: a silent copy would hide a slow host
    round-trip, and CuPy's own error for this case does not say which argument is wrong.
    """
    if "cupy" not in sys.modules:  # fast path: without CuPy loaded, everything is on the CPU
        return
    devices = [device_of(a) for a in arrays]
    first = devices[0]
    for position, device in enumerate(devices):
        if device != first:
            raise DeviceMismatchError(
                f"{op_name}: expected all tensors on the same device, but input 0 is on {first} "
                f"and input {position} is on {device}; move them with .to(device) first"
            )


def to_device(array, device):
    """Return ``array`` on ``device`` (the same object when it is already there)."""
    device = Device(device)
    if device.type == "cpu":
        check_host_transfer(array, "a copy to the CPU")
        if is_cupy_array(array):
            return array.get()
        return np.asarray(array)
    cp = require_cupy()
    count = cuda_device_count()
    if device.index >= count:
        raise CudaUnavailableError(
            f"device {device} was requested but CuPy sees {count} GPU(s)"
            + ("" if count else " (is the NVIDIA driver installed and a GPU visible?)")
        )
    if isinstance(array, cp.ndarray) and array.device.id == device.index:
        return array
    with cp.cuda.Device(device.index):
        return cp.asarray(array)
