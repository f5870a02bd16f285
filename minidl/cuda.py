"""``minidl.cuda``: is a GPU usable, and how many."""
from .backend import cuda_device_count, cuda_is_available


def is_available():
    """True when CuPy is installed and sees a GPU (minidl then runs ops on it via ``device='cuda'``)."""
    return cuda_is_available()


def device_count():
    return cuda_device_count()


def synchronize():
    """Wait for queued GPU work to finish (for timing); a no-op without a GPU."""
    if cuda_is_available():
        from .backend import require_cupy

        require_cupy().cuda.Stream.null.synchronize()
