"""``DataLoader``: batches from a dataset, in a seeded order, prepared ahead in a background thread.

    loader = DataLoader(train_set, batch_size=64, shuffle=True, seed=0)
    for epoch in range(epochs):
        for images, labels in loader:      # each epoch a new order, determined by (seed, epoch)
            ...

The order of epoch e is a function of (seed, e) only, so a resumed run that calls
``loader.set_epoch(e)`` sees exactly the batches the uninterrupted run saw.  While the model
computes on one batch, a background thread already assembles the next ``prefetch`` batches
(NumPy releases the GIL in its copies, so the two overlap).
"""
import concurrent.futures
import queue
import threading

import numpy as np

from .. import backend
from .. import random as _random
from ..tensor import Tensor
from .dataset import _BatchedSample


def default_collate(samples):
    """Stack a list of samples into a batch: arrays/Tensors → one Tensor with a batch dim,
    numbers → a 1-D Tensor, tuples/dicts → collated field by field."""
    if isinstance(samples, _BatchedSample):
        return tuple(Tensor._wrap(_as_batch_array(a), False) for a in samples)
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(np.stack([s.data for s in samples]) if not first.is_cuda else
                            backend.get_array_module(first.data).stack([s.data for s in samples]), False)
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor._wrap(_as_batch_array(np.stack(samples)), False)
    if isinstance(first, (bool, int, float)):
        return Tensor(np.asarray(samples, dtype=np.float32 if isinstance(first, float) else None))
    if isinstance(first, tuple) or isinstance(first, list):
        return type(first)(default_collate([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


def _as_batch_array(array):
    """Integer labels become int64 (what cross_entropy expects); everything else keeps its dtype."""
    if array.dtype.kind in "iu" and array.ndim == 1:
        return array.astype(np.int64)
    return array


class DataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None, generator=None,
                 num_workers=0, prefetch=2, device=None, collate_fn=None):
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.num_workers, self.prefetch, self.device = num_workers, prefetch, device
        self.collate_fn = collate_fn or default_collate
        if generator is not None:
            seed = int(generator.integers(2**63)) if hasattr(generator, "integers") else int(generator)
        if seed is None:
            seed = int(_random.generator(np).integers(2**63))  # follows minidl.manual_seed
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch):
        """Choose which epoch's order the next iteration uses (for resuming)."""
        self.epoch = int(epoch)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def batch_indices(self, epoch=None):
        """The index batches of one epoch: a permutation seeded by (seed, epoch) when shuffling."""
        epoch = self.epoch if epoch is None else epoch
        n = len(self.dataset)
        order = np.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        return [order[i:i + self.batch_size] for i in range(0, stop, self.batch_size)]

    def _load(self, indices, pool):
        if hasattr(self.dataset, "__getitems__"):
            samples = self.dataset.__getitems__(indices.tolist())
        elif pool is not None:
            samples = list(pool.map(self.dataset.__getitem__, indices.tolist()))
        else:
            samples = [self.dataset[i] for i in indices.tolist()]
        batch = self.collate_fn(samples)
        return _to_device(batch, self.device) if self.device is not None else batch

    def __iter__(self):
        batches = self.batch_indices()
        self.epoch += 1
        pool = concurrent.futures.ThreadPoolExecutor(self.num_workers) if self.num_workers > 0 else None
        try:
            if self.prefetch <= 0:
                for indices in batches:
                    yield self._load(indices, pool)
                return
            yield from self._prefetched(batches, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=False)

    def _prefetched(self, batches, pool):
        """A producer thread fills a bounded queue; we yield from it in order."""
        ready = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        done = object()

        def produce():
            try:
                for indices in batches:
                    if stop.is_set():
                        return
                    ready.put(self._load(indices, pool))
                ready.put(done)
            except BaseException as error:  # hand the error to the consumer
                ready.put(error)

        worker = threading.Thread(target=produce, daemon=True, name="minidl-prefetch")
        worker.start()
        try:
            while True:
                item = ready.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                try:
                    ready.get_nowait()
                except queue.Empty:
                    worker.join(timeout=0.01)


def _to_device(batch, device):
    if isinstance(batch, Tensor):
        return batch.to(device)
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch
