"""``nn.parallel``: ``DataParallel`` (one device) and ``DistributedDataParallel`` (one process per rank)."""
from .data_parallel import DataParallel  # noqa: F401
from .distributed import DistributedDataParallel  # noqa: F401
