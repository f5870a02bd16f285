"""``torch.utils.data.distributed``'s names (minidl/data/distributed.py)."""
from ...data.distributed import DistributedSampler  # noqa: F401
