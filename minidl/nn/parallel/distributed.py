"""``DistributedDataParallel``: one process per rank, each on its own slice of the batch.

Every rank holds a full copy of the model.  At wrap time rank 0's parameters and buffers are
broadcast, so all copies start equal; each step every rank runs forward and backward on its own
shard of the global batch, then the gradients are averaged across ranks, so every rank applies
the same update and the copies stay equal.  With equal shards the averaged gradient *is* the
gradient of the whole batch's mean loss (docs/distributed.md has the one-line proof).

Bucketing (as PyTorch's reducer does): the parameters, in reverse registration order — roughly
the order backward produces their gradients — are packed into flat buckets of about
``bucket_cap_mb`` MB (the first one 1 MB, so communication starts early).  A gradient hook on
each parameter copies its gradient into its bucket; a bucket whose gradients have all arrived
is all-reduced at once, non-blocking, buckets always in the same order on every rank (MPI
requires it).  The hook of the last gradient waits for all buckets and writes the averages
back into ``.grad``.  One large message per bucket costs far fewer latencies than one per
parameter.  (minidl's autograd runs the leaves' hooks together at the end of backward, so here
the buckets overlap each other's copying, not the backward arithmetic; see docs/distributed.md.)
"""
import contextlib

from ... import autograd, backend
from ... import distributed as dist
from ...tensor import Tensor
from ..module import Module

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's first bucket is small too (torch.distributed's default 1 MiB)


class _Bucket:
    """A flat buffer for the gradients of ``params`` (same dtype and device) and its state."""

    def __init__(self, params):
        xp = backend.get_array_module(params[0].array)
        self.params, self.slices, start = params, [], 0
        for p in params:
            self.slices.append(slice(start, start + p.numel()))
            start += p.numel()
        self.buffer = xp.zeros(start, params[0].dtype)
        self.pending, self.work = len(params), None


def _broadcast_coalesced(tensors, src=0):
    """Broadcast many tensors from ``src`` with one message per dtype/device."""
    groups = {}
    for t in tensors:
        groups.setdefault((str(t.dtype), str(t.device)), []).append(t)
    for group in groups.values():
        xp = backend.get_array_module(group[0].array)
        flat = xp.concatenate([t.array.reshape(-1) for t in group])
        dist.broadcast(Tensor._wrap(flat, False), src)
        start = 0
        for t in group:
            t.array[...] = flat[start:start + t.numel()].reshape(t.shape)
            start += t.numel()


def _leaves_reached(output):
    """ids of the leaf tensors that ``output``'s graph reaches (for find_unused_parameters)."""
    stack, seen, leaves = [], set(), set()

    def visit(value):
        if isinstance(value, Tensor):
            if value.creator is None:
                leaves.add(id(value))
            else:
                stack.append(value.creator)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
    visit(output)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for tensor in node.__dict__.get("inputs", ()):
            visit(tensor)
    return leaves


class DistributedDataParallel(Module):
    """Wraps ``module`` for data-parallel training over the default process group.

    module: the model (on this rank's device).  broadcast_buffers: broadcast rank 0's buffers
    (BatchNorm running statistics) before each training forward.  bucket_cap_mb: bucket size in
    MB (default 25).  find_unused_parameters: let some parameters go without a gradient in a step
    (they are found by walking the output's graph and reduced as zeros); without it, a parameter
    that gets no gradient raises at the next forward, as in PyTorch.
    ``no_sync()``: a context in which forward/backward only accumulate local gradients; the next
    synchronised backward averages the accumulated sums.

    Raises RuntimeError when the process group is not initialised.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel: the default process group is not initialized; "
                               "call minidl.distributed.init_process_group('mpi') first")
        dist.distributed_c10d._default_group(process_group)
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError(f"DistributedDataParallel: one device per process, got device_ids={device_ids}")
        self.module, self.device_ids, self.output_device, self.dim = module, device_ids, output_device, dim
        self.broadcast_buffers, self.find_unused_parameters = broadcast_buffers, find_unused_parameters
        self.bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size()
        _broadcast_coalesced(list(module.parameters()) + [b for b in module.buffers() if b is not None])
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._names = {id(p): name for name, p in module.named_parameters()}
        self._buckets, self._where = self._build_buckets(self._params)
        self._sync_this_backward, self._ready, self._next_bucket, self._reduced = False, set(), 0, False
        for p in self._params:
            p.register_hook(self._make_hook(p))

    def _build_buckets(self, params):
        buckets, current, size, cap = [], [], 0, FIRST_BUCKET_BYTES
        for p in reversed(params):  # reverse registration order ≈ the order gradients arrive
            if current and (size >= cap or (p.dtype, p.device) != (current[0].dtype, current[0].device)):
                buckets.append(_Bucket(current))
                current, size, cap = [], 0, self.bucket_cap_mb * 1024 * 1024
            current.append(p)
            size += p.numel() * p.array.itemsize
        if current:
            buckets.append(_Bucket(current))
        where = {id(p): (b, s) for b in buckets for p, s in zip(b.params, b.slices)}
        return buckets, where

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._ready:
            missing = [self._names[id(p)] for p in self._params if id(p) not in self._ready]
            self._ready = set()
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior iteration before "
                f"starting a new one; these parameters got no gradient: {missing}. Pass "
                "find_unused_parameters=True if some parameters do not take part in the loss")
        if self.training and self.broadcast_buffers:
            buffers = [b for b in self.module.buffers() if b is not None]
            if buffers:
                _broadcast_coalesced(buffers)
        self._sync_this_backward = autograd.is_grad_enabled() and self.require_backward_grad_sync
        self._next_bucket, self._reduced = 0, False
        for bucket in self._buckets:
            bucket.pending, bucket.work = len(bucket.params), None
        output = self.module(*inputs, **kwargs)
        if self._sync_this_backward and self.find_unused_parameters:
            reached = _leaves_reached(output)
            for p in self._params:
                if id(p) not in reached:
                    self._mark_ready(p, None)
            if self._next_bucket == len(self._buckets):
                self._finish_reduction(None)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Inside: backward accumulates local gradients without communicating."""
        previous, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # ------------------------------------------------------------------ backward: the reducer
    def _make_hook(self, param):
        def hook(grad):
            if not self._sync_this_backward:
                return None
            if self._reduced:
                raise RuntimeError("DistributedDataParallel: a second backward after one forward; the gradients "
                                   "were averaged already (run forward again, or that backward under no_sync())")
            self._mark_ready(param, grad)
            if self._next_bucket < len(self._buckets):
                return None
            return self._finish_reduction(param)
        return hook

    def _mark_ready(self, param, grad):
        """Copy this step's gradient (plus what no_sync accumulated) into the bucket."""
        if id(param) in self._ready:
            raise RuntimeError(f"DistributedDataParallel: parameter {self._names[id(param)]!r} received a gradient "
                               "twice in one synchronised backward; run backward once per forward")
        self._ready.add(id(param))
        bucket, where = self._where[id(param)]
        if grad is None and param.grad is None:
            bucket.buffer[where] = 0
        elif grad is None or param.grad is None:
            bucket.buffer[where] = (param.grad if grad is None else grad).array.reshape(-1)
        else:
            bucket.buffer[where] = (param.grad.array + grad.array).reshape(-1)
        bucket.pending -= 1
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            ready = self._buckets[self._next_bucket]
            ready.work = dist.all_reduce(Tensor._wrap(ready.buffer, False), async_op=True)
            self._next_bucket += 1

    def _finish_reduction(self, current):
        """Wait for every bucket, average, write ``.grad``; return ``current``'s averaged gradient
        (autograd stores it after this hook returns: the parameters before it are stored already)."""
        result = None
        for bucket in self._buckets:
            bucket.work.wait()
            bucket.buffer /= self.world_size
            for p, where in zip(bucket.params, bucket.slices):
                averaged = Tensor._wrap(bucket.buffer[where].reshape(p.shape).copy(), False)
                if p is current:
                    p.grad, result = None, averaged
                else:
                    p.grad = averaged
        self._ready, self._reduced = set(), True
        return result
