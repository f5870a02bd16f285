"""``minidl.data``: datasets, the DataLoader and transforms (mirroring torch.utils.data and torchvision)."""
from . import transforms  # noqa: F401
from .dataloader import DataLoader, default_collate  # noqa: F401
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split  # noqa: F401
from .datasets import CIFAR10, MNIST, DatasetError, DatasetNotFoundError, FashionMNIST  # noqa: F401
