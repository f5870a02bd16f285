"""Utilities: a profiler, allocator tuning and memory measurement, and ``utils.data`` (PyTorch's layout)."""
from .memory import current_rss_mib, peak_rss_mib, tune_malloc  # noqa: F401
from .profiler import Profile, profile  # noqa: F401
from . import data  # noqa: F401,E402  (torch.utils.data's layout)
