"""``minidl.utils.data``: PyTorch's layout (``torch.utils.data``) for minidl's data loading.

One implementation, in minidl/data/; this package only gives it PyTorch's import paths, so that
``from torch.utils.data import DataLoader, TensorDataset`` becomes
``from minidl.utils.data import DataLoader, TensorDataset``.
"""
from ...data.dataloader import DataLoader, WorkerInfo, default_collate, get_worker_info  # noqa: F401
from ...data.dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split  # noqa: F401
from ...data.sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
from ...data.distributed import DistributedSampler  # noqa: F401
from . import dataloader, dataset, distributed, sampler  # noqa: F401,E402
