"""``nn.parallel``: ``DataParallel`` (one device; several belong to minidl.distributed's issue)."""
from .data_parallel import DataParallel  # noqa: F401
