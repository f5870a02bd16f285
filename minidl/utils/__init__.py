"""Utilities: a profiler, allocator tuning and memory measurement."""
from .memory import current_rss_mib, peak_rss_mib, tune_malloc  # noqa: F401
from .profiler import Profile, profile  # noqa: F401
