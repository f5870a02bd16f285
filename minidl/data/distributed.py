"""``DistributedSampler``: each rank's share of a dataset (``torch.utils.data.distributed``).

With N ranks, rank r takes indices r, r + N, r + 2N, … of one shared order, so the ranks see
disjoint parts that together cover the dataset.  Every rank must draw the *same* order, so the
shuffle is seeded with ``seed + epoch`` (call ``set_epoch(epoch)`` at the start of each epoch,
or every epoch repeats the first one's order).  When len(dataset) is not a multiple of N the
order is padded with its own first indices, so every rank gets ceil(len/N) samples and the
ranks run the same number of steps (a rank with fewer would wait for ever in the all-reduce);
``drop_last=True`` instead drops the tail, giving floor(len/N) each.

Same semantics as PyTorch's; the shuffled order itself differs (NumPy's generator, not torch's).
"""
import math

import numpy as np

from .sampler import Sampler


class DistributedSampler(Sampler):
    """Indices of rank ``rank`` out of ``num_replicas`` (default: the process group's rank and size).

    shuffle: permute with seed ``seed + epoch`` (the same on every rank); drop_last: drop the tail
    instead of padding.  Raises ValueError for a rank outside [0, num_replicas − 1].
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: pass num_replicas and rank, or call "
                                   "minidl.distributed.init_process_group first")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}")
        if not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        size = len(dataset)
        if drop_last and size % num_replicas != 0:
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)  # = floor(size / N)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        size = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(size).tolist()
        else:
            indices = list(range(size))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            while padding > 0:  # repeat the order as often as needed (more ranks than samples)
                indices += indices[:padding]
                padding = self.total_size - len(indices)
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use ``seed + epoch`` for the next shuffle (call it with the same epoch on every rank)."""
        self.epoch = epoch
