"""Datasets: anything with ``__len__`` and ``__getitem__(i) -> sample``.

A dataset may also define ``__getitems__(indices) -> list of samples`` to fetch a whole batch at
once (PyTorch's protocol); the DataLoader uses it when present.
"""
import bisect

import numpy as np

from .. import random
from ..tensor import Tensor


class Dataset:
    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: implement ``__iter__`` (yield samples); the DataLoader reads it in order."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other):
        raise TypeError("IterableDataset: use itertools.chain to join streams")


class ImageDataset(Dataset):
    """Images in ``self.data`` (uint8 array) and integer labels in ``self.targets``, with the
    torchvision-style ``transform`` / ``target_transform`` applied per sample."""

    transform = target_transform = None

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        image, label = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


class TensorDataset(Dataset):
    """Samples are the i-th rows of each tensor: ``TensorDataset(images, labels)[i] == (images[i], labels[i])``."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        lengths = {len(t) for t in tensors}
        if len(lengths) != 1:
            raise ValueError(f"TensorDataset: all tensors need the same first dimension, got sizes {[len(t) for t in tensors]}")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors)

    def __getitem__(self, index):
        return tuple(Tensor._wrap(t.array[index], False) for t in self.tensors)

    def __getitems__(self, indices):
        """A batch in one fancy-indexing operation per tensor (no per-sample Python loop)."""
        return _BatchedSample(tuple(t.array[np.asarray(indices)] for t in self.tensors))

    def __len__(self):
        return len(self.tensors[0])


class _BatchedSample(tuple):
    """Marks a batch that ``__getitems__`` has already stacked, so collation only wraps it."""


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices):
        chosen = [self.indices[i] for i in indices]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(chosen)
        return [self.dataset[i] for i in chosen]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one dataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = 0 if which == 0 else int(self.cumulative_sizes[which - 1])
        return self.datasets[which][index - start]


def random_split(dataset, lengths, seed=None):
    """Split into non-overlapping Subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin, as PyTorch does
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} sum to {sum(lengths)}, but the dataset has {n} samples")
    rng = np.random.default_rng(seed) if seed is not None else random.generator(np)
    order = rng.permutation(n)
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length].tolist()))
        start += length
    return subsets
