"""Time data-parallel LeNet-5 steps on this machine (numbers for docs/distributed.md).

    mpiexec -n 1 python benchmarks/ddp_lenet.py --global-batch 128
    mpiexec -n 2 python benchmarks/ddp_lenet.py --global-batch 128

Prints, on rank 0: the median time of one training step (forward, backward with DDP's gradient
all-reduce, SGD step) on MNIST-shaped random data with the global batch split over the ranks;
images per second; and the median time of the all-reduce alone on a float32 buffer the size of
LeNet-5's gradients (the communication each step adds).  Speed-up = step time on 1 rank / on N.
"""
import argparse
import statistics
import time

import numpy as np

import minidl
import minidl.distributed as dist
from minidl import nn
from minidl.models import lenet5
from minidl.nn.parallel import DistributedDataParallel


def median_seconds(call, repeats):
    call()  # warm-up
    times = []
    for _ in range(repeats):
        dist.barrier()  # all ranks start together: the time includes waiting for the slowest
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--global-batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    batch = args.global_batch // world
    rng = np.random.default_rng(rank)
    images = minidl.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    labels = minidl.tensor(rng.integers(0, 10, batch))
    model = DistributedDataParallel(lenet5())
    optimizer = minidl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step_s = median_seconds(step, args.steps)
    size = sum(p.numel() for p in model.parameters())
    flat = minidl.tensor(np.ones(size, np.float32))
    reduce_s = median_seconds(lambda: dist.all_reduce(flat), 5 * args.steps)
    if rank == 0:
        print(f"ranks {world}, global batch {args.global_batch} ({batch} per rank): step {1e3 * step_s:.1f} ms, "
              f"{args.global_batch / step_s:,.0f} img/s; all_reduce of {size:,} float32 ({4 * size / 1e6:.2f} MB): "
              f"{1e3 * reduce_s:.2f} ms", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
