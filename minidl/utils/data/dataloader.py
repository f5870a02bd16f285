"""``torch.utils.data.dataloader``'s names (minidl/data/dataloader.py)."""
from ...data.dataloader import DataLoader, WorkerInfo, default_collate, get_worker_info  # noqa: F401
