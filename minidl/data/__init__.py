"""``minidl.data``: datasets, the DataLoader and transforms (mirroring torch.utils.data and torchvision)."""
from . import transforms  # noqa: F401
from . import sampler  # noqa: F401
from .dataloader import DataLoader, default_collate, get_worker_info  # noqa: F401
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split  # noqa: F401
from .sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
from .datasets import (  # noqa: F401
    CIFAR10, IMG_EXTENSIONS, MNIST, DatasetError, DatasetFolder, DatasetNotFoundError, FashionMNIST, ImageFolder,
)
from . import datasets  # noqa: F401
