"""``torch.utils.data.dataset``'s names (minidl/data/dataset.py)."""
from ...data.dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split  # noqa: F401
