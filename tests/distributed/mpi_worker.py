"""Run under ``mpiexec -n N``: each named check runs on every rank; any failure raises, and the
abort hook of init_process_group stops the whole job.  Launched by test_distributed.py.

    mpiexec -n 2 python tests/distributed/mpi_worker.py collectives ddp syncbn
"""
import datetime
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import minidl  # noqa: E402
import minidl.distributed as dist  # noqa: E402
from minidl import nn  # noqa: E402
from minidl.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

ReduceOp = dist.ReduceOp


def rank_data(r, size, dtype):
    """What rank r contributes: the same on every rank, so each can compute the expected result."""
    values = np.random.default_rng(100 + r).standard_normal(size) * 10
    return values.astype(dtype) if np.dtype(dtype).kind == "f" else np.round(values).astype(dtype)


def check_collectives():
    rank, world = dist.get_rank(), dist.get_world_size()
    for dtype in (np.float32, np.float64, np.int64):
        size = 2 * world + 1  # not a multiple of the world size
        data = [rank_data(r, size, dtype) for r in range(world)]
        ops = {ReduceOp.SUM: np.sum, ReduceOp.MAX: np.max, ReduceOp.MIN: np.min, ReduceOp.PRODUCT: np.prod}
        if np.dtype(dtype).kind == "f":
            ops[ReduceOp.AVG] = np.mean
        for op, reference in ops.items():
            t = minidl.tensor(data[rank].copy())
            dist.all_reduce(t, op)
            expected = reference(np.stack(data), axis=0).astype(dtype)
            tol = 1e-5 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(t.array, expected, rtol=tol, err_msg=f"all_reduce {op} {dtype}")
            assert t.dtype == minidl.tensor(data[rank]).dtype
        # broadcast from the last rank
        t = minidl.tensor(data[rank].copy())
        dist.broadcast(t, src=world - 1)
        np.testing.assert_array_equal(t.array, data[world - 1])
        # all_gather with uneven sizes: rank r sends r + 1 values
        uneven = [rank_data(r, r + 1, dtype) for r in range(world)]
        out = [minidl.tensor(np.zeros(r + 1, dtype)) for r in range(world)]
        dist.all_gather(out, minidl.tensor(uneven[rank]))
        for r in range(world):
            np.testing.assert_array_equal(out[r].array, uneven[r])
        gathered = minidl.tensor(np.zeros((world, size), dtype))
        dist.all_gather_into_tensor(gathered, minidl.tensor(data[rank]))
        np.testing.assert_array_equal(gathered.array, np.stack(data))
        # reduce_scatter with uneven blocks: block r has r + 2 values
        inputs = [[rank_data(10 * s + r, r + 2, dtype) for r in range(world)] for s in range(world)]
        out = minidl.tensor(np.zeros(rank + 2, dtype))
        dist.reduce_scatter(out, [minidl.tensor(a) for a in inputs[rank]])
        np.testing.assert_allclose(out.array, sum(inputs[s][rank] for s in range(world)), rtol=1e-6)
        out = minidl.tensor(np.zeros(size, dtype))
        dist.reduce_scatter_tensor(out, minidl.tensor(np.concatenate(data)), op=ReduceOp.MAX)
        np.testing.assert_array_equal(out.array, np.max([d[rank * size:(rank + 1) * size] for d in
                                                          [np.concatenate(data)] * world], axis=0))
        # send/recv around a ring
        t = minidl.tensor(np.zeros(size, dtype))
        if rank % 2 == 0:
            dist.send(minidl.tensor(data[rank]), (rank + 1) % world)
            source = dist.recv(t, (rank - 1) % world)
        else:
            source = dist.recv(t, (rank - 1) % world)
            dist.send(minidl.tensor(data[rank]), (rank + 1) % world)
        assert source == (rank - 1) % world
        np.testing.assert_array_equal(t.array, data[(rank - 1) % world])
    # a non-contiguous tensor is reduced in place through a contiguous copy
    base = np.arange(12.0).reshape(3, 4) * (rank + 1)
    t = minidl.tensor(base.copy()).T
    dist.all_reduce(t)
    np.testing.assert_array_equal(t.array, (np.arange(12.0).reshape(3, 4) * sum(range(1, world + 1))).T)
    # async_op returns a Work
    t = minidl.tensor(np.ones(3))
    work = dist.all_reduce(t, async_op=True)
    work.wait()
    assert work.is_completed() and (t.array == world).all()
    try:
        dist.all_reduce(minidl.tensor(np.ones(3, np.int64)), ReduceOp.AVG)
    except TypeError as error:
        assert "AVG" in str(error)
    else:
        raise AssertionError("AVG on int64 should raise TypeError")
    dist.barrier()


def check_nccl_buffers():
    """NCCLBackend's pointer/count/padding logic on the MPI stand-in communicator."""
    from mpi4py import MPI
    from minidl.distributed import distributed_c10d as c10d
    from minidl.distributed.nccl_backend import NCCLBackend
    from tests.distributed import nccl_shim
    mpi_backend = c10d._state["backend"]
    comm = MPI.COMM_WORLD.Dup()
    shim = NCCLBackend(nccl_shim.ShimCommunicator(comm), comm.Get_rank(), comm.Get_size(), 30.0, nccl_shim.nccl, np,
                       mpi_comm=comm)
    shim.check_array = lambda array, name: None
    c10d._state["backend"] = shim
    try:
        check_collectives()
    finally:
        c10d._state["backend"] = mpi_backend


def mlp(seed, batchnorm=False):
    minidl.manual_seed(seed)
    layers = [nn.Linear(5, 8), nn.Tanh()]
    if batchnorm:  # not right after a Linear: that bias would get a zero gradient, pure rounding noise
        layers.append(nn.BatchNorm1d(8))
    layers += [nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)]
    return nn.Sequential(*layers).double()


def train(model, optimizer, batches, accumulate, ddp=None):
    """Each step: ``accumulate`` micro-batches; all but the last under no_sync when ``ddp``."""
    loss_fn = nn.MSELoss()
    for step_batches in batches:
        optimizer.zero_grad()
        for i, (x, y) in enumerate(step_batches):
            quiet = ddp is not None and i < len(step_batches) - 1
            context = ddp.no_sync() if quiet else _nothing()
            with context:
                loss = loss_fn((ddp or model)(minidl.tensor(x)), minidl.tensor(y)) / len(step_batches)
                loss.backward()
        optimizer.step()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def check_ddp():
    """N steps on all ranks with the global batch split = one process on the whole batch (float64)."""
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(7)
    per_rank, steps = 2, 3
    for make_opt in (lambda p: minidl.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
                     lambda p: minidl.optim.Adam(p, lr=0.01)):
        for accumulate in (1, 2):
            for batchnorm, bucket_cap_mb in ((False, None), (False, 1e-4), (True, 1e-4)):
                data = [[(rng.standard_normal((world * per_rank, 5)), rng.standard_normal((world * per_rank, 3)))
                         for _ in range(accumulate)] for _ in range(steps)]
                reference = mlp(0, batchnorm)
                train(reference, make_opt(reference.parameters()), data, accumulate)
                local = mlp(0, batchnorm)
                with minidl.no_grad():  # different starting weights: DDP must broadcast rank 0's
                    for p in local.parameters():
                        p.array += rank
                if batchnorm:
                    local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
                ddp = DDP(local, bucket_cap_mb=bucket_cap_mb)
                shard = slice(rank * per_rank, (rank + 1) * per_rank)
                mine = [[(x[shard], y[shard]) for x, y in step] for step in data]
                ddp_opt = make_opt(ddp.parameters())
                train(local, ddp_opt, mine, accumulate, ddp)
                for (name, p), q in zip(local.named_parameters(), reference.parameters()):
                    np.testing.assert_allclose(p.array, q.array, rtol=0, atol=1e-10, err_msg=(
                        f"{name} ({type(ddp_opt).__name__}, accumulate={accumulate}, batchnorm={batchnorm})"))
                for b, c in zip(local.buffers(), reference.buffers()):
                    np.testing.assert_allclose(b.array, c.array, rtol=0, atol=1e-10)
    # broadcast_buffers: rank 0's running statistics overwrite the others' before each training forward
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    ddp = DDP(model)
    with minidl.no_grad():
        model[1].running_mean.array += rank
    ddp(minidl.tensor(np.arange(6.0).reshape(2, 3)))
    low, high = minidl.tensor(model[1].running_mean.array.copy()), minidl.tensor(model[1].running_mean.array.copy())
    dist.all_reduce(low, ReduceOp.MIN)
    dist.all_reduce(high, ReduceOp.MAX)
    np.testing.assert_array_equal(low.array, high.array)
    # a second backward of the same forward would average twice: an error instead
    loss = ddp(minidl.tensor(np.ones((2, 3)))).sum()
    loss.backward(retain_graph=True)
    try:
        loss.backward()
    except RuntimeError as error:
        assert "second backward" in str(error)
    else:
        raise AssertionError("a second backward should raise")
    # a parameter without a gradient: an error at the next forward, or zeros with find_unused_parameters
    model = nn.ModuleDict({"used": nn.Linear(3, 2), "unused": nn.Linear(3, 2)}).double()
    model.forward = lambda x: model["used"](x)
    ddp = DDP(model)
    ddp(minidl.tensor(np.ones((2, 3)))).sum().backward()
    try:
        ddp(minidl.tensor(np.ones((2, 3))))
    except RuntimeError as error:
        assert "unused.weight" in str(error) and "find_unused_parameters" in str(error)
    else:
        raise AssertionError("an unused parameter should raise at the next forward")
    model.zero_grad()
    ddp = DDP(model, find_unused_parameters=True)
    ddp(minidl.tensor(np.ones((2, 3)) * (rank + 1))).sum().backward()
    np.testing.assert_allclose(model["used"].weight.grad.array, np.full((2, 3), 2 * (world + 1) / 2))
    assert (model["unused"].weight.grad.array == 0).all()


def check_syncbn():
    """SyncBatchNorm on shards = BatchNorm on the whole batch: output, running stats, gradients."""
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(3)
    sizes = [2 + r for r in range(world)]  # uneven shards: statistics must weigh by count
    x = rng.standard_normal((sum(sizes), 4, 3, 2))
    upstream = rng.standard_normal(x.shape)
    start = sum(sizes[:rank])
    shard = slice(start, start + sizes[rank])
    reference, sync = nn.BatchNorm2d(4).double(), nn.SyncBatchNorm(4).double()
    for bn in (reference, sync):
        with minidl.no_grad():
            bn.weight.array[...] = np.arange(1.0, 5.0)
            bn.bias.array[...] = np.arange(4.0) / 3
    xs = minidl.tensor(x, requires_grad=True)
    expected = reference(xs)
    (expected * minidl.tensor(upstream)).sum().backward()
    mine = minidl.tensor(x[shard], requires_grad=True)
    y = sync(mine)
    (y * minidl.tensor(upstream[shard])).sum().backward()
    np.testing.assert_allclose(y.array, expected.array[shard], atol=1e-12)
    np.testing.assert_allclose(mine.grad.array, xs.grad.array[shard], atol=1e-12)
    for name in ("weight", "bias"):
        g = getattr(sync, name).grad
        dist.all_reduce(g)  # each rank holds its part of the total
        np.testing.assert_allclose(g.array, getattr(reference, name).grad.array, atol=1e-12)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(sync, name).array, getattr(reference, name).array, atol=1e-12)


def check_sampler():
    from minidl.utils.data.distributed import DistributedSampler
    rank, world = dist.get_rank(), dist.get_world_size()
    for size in (10, world - 1 if world > 1 else 1, 7):
        sampler = DistributedSampler(range(size), shuffle=True, seed=5)
        sampler.set_epoch(3)
        mine = np.array(list(sampler), np.int64)
        everyone = [minidl.tensor(np.zeros(len(sampler), np.int64)) for _ in range(world)]
        dist.all_gather(everyone, minidl.tensor(mine))
        union = np.concatenate([e.array for e in everyone])
        assert set(union.tolist()) == set(range(size)) and len(union) == world * -(-size // world)


def fail_raise():
    if dist.get_rank() == 1:
        raise RuntimeError("deliberate failure on rank 1")
    dist.all_reduce(minidl.tensor(np.ones(3)))  # rank 0 waits here until the abort stops it


def fail_timeout():
    if dist.get_rank() == 1:
        time.sleep(30)  # never joins: rank 0's all_reduce times out, raises, and aborts the job
    dist.all_reduce(minidl.tensor(np.ones(3)))


CHECKS = {name[6:]: f for name, f in globals().items() if name.startswith("check_")}
CHECKS.update(raise_=fail_raise, timeout=fail_timeout)

if __name__ == "__main__":
    names = sys.argv[1:]
    timeout = datetime.timedelta(seconds=1.5 if "timeout" in names else 60)
    dist.init_process_group("mpi", timeout=timeout)
    for name in names:
        began = time.perf_counter()
        CHECKS[name]()
        if dist.get_rank() == 0:
            print(f"PASS {name} ({time.perf_counter() - began:.2f} s)", flush=True)
    dist.destroy_process_group()
