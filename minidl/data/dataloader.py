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
from .dataset import IterableDataset, _BatchedSample


def default_collate(samples):
    """Stack a list of samples into a batch: arrays/Tensors → one Tensor with a batch dim,
    numbers → a 1-D Tensor, tuples/dicts → collated field by field."""
    if isinstance(samples, _BatchedSample):
        return tuple(Tensor._wrap(_as_batch_array(a), False) for a in samples)
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(np.stack([s.array for s in samples]) if not first.is_cuda else
                            backend.get_array_module(first.array).stack([s.array for s in samples]), False)
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor._wrap(_as_batch_array(np.stack(samples)), False)
    if isinstance(first, (bool, int, float)):
        return Tensor(np.asarray(samples, dtype=np.float32 if isinstance(first, float) else None))
    if isinstance(first, tuple) or isinstance(first, list):
        return type(first)(default_collate([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


def _no_collate(sample):
    """batch_size=None: samples pass unbatched (NumPy arrays become Tensors, as PyTorch's default_convert)."""
    if isinstance(sample, np.ndarray):
        return Tensor._wrap(sample, False)
    if isinstance(sample, (tuple, list)):
        return type(sample)(_no_collate(s) for s in sample)
    if isinstance(sample, dict):
        return {k: _no_collate(v) for k, v in sample.items()}
    return sample


def _as_batch_array(array):
    """Integer labels become int64 (what cross_entropy expects); everything else keeps its dtype."""
    if array.dtype.kind in "iu" and array.ndim == 1:
        return array.astype(np.int64)
    return array


_WORKER = threading.local()


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a loading worker: its ``id``, ``num_workers``,
    ``seed`` and ``dataset`` (PyTorch's fields)."""

    def __init__(self, id, num_workers, seed, dataset):
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


def get_worker_info():
    """The WorkerInfo of the loading worker this runs in, or None in the main thread."""
    return getattr(_WORKER, "info", None)


class DataLoader:
    """Batches from a dataset (``torch.utils.data.DataLoader``'s arguments and defaults).

    dataset: a map-style Dataset (``__getitem__``/``__len__``) or an IterableDataset.
    batch_size, shuffle, sampler, batch_sampler, drop_last, collate_fn: as in PyTorch (a
    ``batch_sampler`` excludes batch_size/shuffle/sampler/drop_last; ``sampler`` excludes shuffle).
    num_workers: threads that load samples (NumPy releases the GIL in its copies), each set up by
    ``worker_init_fn(worker_id)``; ``get_worker_info()`` works inside them.
    generator: a seed or ``numpy.random.Generator`` for the shuffling order.
    pin_memory, pin_memory_device, persistent_workers, multiprocessing_context, in_order: accepted
    and without effect here (no page-locked memory on a CPU, threads are kept per epoch anyway,
    batches always come in order), as PyTorch accepts pin_memory on a CPU-only machine.
    prefetch_factor: batches prepared ahead per worker (``prefetch`` = total batches ahead);
    timeout: seconds to wait for a batch before raising RuntimeError (0: forever).
    minidl's own: ``seed`` — with shuffling and no sampler, epoch e's order depends on (seed, e)
    only, so ``set_epoch(e)`` resumes exactly; ``device`` — move each batch there.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True, seed=None, prefetch=2, device=None):
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got {batch_size!r}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative int, got {num_workers!r}")
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout must be non-negative, got {timeout!r}")
        if prefetch_factor is not None and num_workers == 0:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in multiprocessing. "
                             "Let num_workers > 0 to enable multiprocessing")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, bool(shuffle), drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.device, self.timeout, self.worker_init_fn = num_workers, device, timeout, worker_init_fn
        self.prefetch = prefetch if prefetch_factor is None else prefetch_factor * num_workers
        self.pin_memory, self.persistent_workers, self.prefetch_factor = pin_memory, persistent_workers, prefetch_factor
        self.collate_fn = collate_fn or (default_collate if batch_size is not None or batch_sampler else _no_collate)
        if seed is None:
            if generator is not None and not hasattr(generator, "permutation"):
                seed = int(generator)
            elif generator is not None:
                seed = int(generator.integers(2**63))
            else:
                seed = int(_random.generator(np).integers(2**63))  # follows minidl.manual_seed
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch):
        """Choose which epoch's order the next iteration uses (for resuming)."""
        self.epoch = int(epoch)

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def batch_indices(self, epoch=None):
        """The index batches of one epoch: from the batch sampler or sampler when given, else a
        permutation seeded by (seed, epoch) when shuffling."""
        if self.batch_sampler is not None:
            return [np.asarray(batch) for batch in self.batch_sampler]
        if self.sampler is not None:
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        else:
            epoch = self.epoch if epoch is None else epoch
            n = len(self.dataset)
            order = np.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            return [np.asarray(i) for i in order]
        n = len(order)
        stop = n - n % self.batch_size if self.drop_last else n
        return [order[i:i + self.batch_size] for i in range(0, stop, self.batch_size)]

    def _load(self, indices, pool):
        if indices.ndim == 0:  # batch_size=None: one sample, not collated
            batch = self.collate_fn(self.dataset[int(indices)])
        else:
            if hasattr(self.dataset, "__getitems__"):
                samples = self.dataset.__getitems__(indices.tolist())
            elif pool is not None:
                samples = list(pool.map(self.dataset.__getitem__, indices.tolist()))
            else:
                samples = [self.dataset[i] for i in indices.tolist()]
            batch = self.collate_fn(samples)
        return _to_device(batch, self.device) if self.device is not None else batch

    def _pool(self):
        if self.num_workers == 0:
            return None
        ids = iter(range(self.num_workers))
        lock = threading.Lock()

        def start_worker():
            with lock:
                worker_id = next(ids)
            _WORKER.info = WorkerInfo(worker_id, self.num_workers, self.seed + worker_id, self.dataset)
            if self.worker_init_fn is not None:
                self.worker_init_fn(worker_id)

        pool = concurrent.futures.ThreadPoolExecutor(self.num_workers, initializer=start_worker)
        everyone = threading.Barrier(self.num_workers)  # n tasks that wait for each other: n threads started
        concurrent.futures.wait([pool.submit(everyone.wait) for _ in range(self.num_workers)])
        return pool

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._iterate_stream()
            return
        batches = self.batch_indices()
        self.epoch += 1
        pool = self._pool()
        try:
            if self.prefetch <= 0:
                for indices in batches:
                    yield self._load(indices, pool)
                return
            yield from self._prefetched(batches, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=False)

    def _iterate_stream(self):
        """An IterableDataset: read it in order, group batch_size samples (the workers do not split it)."""
        batch = []
        for sample in self.dataset:
            if self.batch_size is None:
                yield self._finish(self.collate_fn(sample))
                continue
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self._finish(self.collate_fn(batch))
                batch = []
        if batch and not self.drop_last and self.batch_size is not None:
            yield self._finish(self.collate_fn(batch))

    def _finish(self, batch):
        return _to_device(batch, self.device) if self.device is not None else batch

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
                try:
                    item = ready.get(timeout=self.timeout or None)
                except queue.Empty:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a batch") from None
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
