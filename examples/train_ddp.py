"""Data-parallel LeNet-5 on MNIST: one process per rank, gradients averaged by DistributedDataParallel.

    MINIDL_DATA=path/to/data mpirun -n 2 python examples/train_ddp.py

Each rank builds the same model (DDP broadcasts rank 0's weights anyway), reads its own shard of
the training set through DistributedSampler (``set_epoch`` each epoch, so the shards change but
stay disjoint), and steps on batches of ``--batch-size`` images; the global batch is
``batch_size × world_size`` and the learning rate is scaled linearly with it (Goyal et al. 2017;
docs/distributed.md).  Rank 0 prints and writes the checkpoint; the test accuracy is summed over
the ranks' shards of the test set with an all-reduce.  Also runs as one plain process
(``python examples/train_ddp.py``): a world of one.
"""
import argparse
import time

import numpy as np

import minidl
import minidl.distributed as dist
from minidl import nn
from minidl.data import MNIST, Subset
from minidl.data import transforms as T
from minidl.models import lenet5
from minidl.nn.parallel import DistributedDataParallel
from minidl.utils.data import DataLoader
from minidl.utils.data.distributed import DistributedSampler

MEAN, STD = (0.1307,), (0.3081,)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64, help="images per rank per step")
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate for a global batch of 64 (scaled linearly)")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--data-dir", default=None, help="folder holding mnist/ (default: $MINIDL_DATA)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None, help="use the first N training images only")
    parser.add_argument("--test-limit", type=int, default=None, help="use the first N test images only")
    parser.add_argument("--save", metavar="PATH", help="rank 0 writes a checkpoint here after every epoch")
    return parser.parse_args(argv)


def build(args, rank, world):
    minidl.manual_seed(args.seed)
    transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    train_set, test_set = (MNIST(args.data_dir, train=train, transform=transform) for train in (True, False))
    if args.train_limit:
        train_set = Subset(train_set, range(min(args.train_limit, len(train_set))))
    if args.test_limit:
        test_set = Subset(test_set, range(min(args.test_limit, len(test_set))))
    train_sampler = DistributedSampler(train_set, world, rank, shuffle=True, seed=args.seed)
    test_sampler = DistributedSampler(test_set, world, rank, shuffle=False)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, sampler=train_sampler)
    test_loader = DataLoader(test_set, batch_size=1000, sampler=test_sampler)
    model = DistributedDataParallel(lenet5())
    lr = args.lr * args.batch_size * world / 64  # the linear scaling rule
    optimizer = minidl.optim.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    return model, optimizer, train_sampler, train_loader, test_loader, lr


def evaluate(model, loader):
    """(correct, seen) summed over all ranks' shards of the test set."""
    model.eval()
    counts = np.zeros(2)
    with minidl.no_grad():
        for images, labels in loader:
            counts += (int((model(images).argmax(1) == labels).sum().item()), len(labels))
    total = minidl.tensor(counts)
    dist.all_reduce(total)
    return total.array


def main(argv=None):
    args = parse_args(argv)
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    model, optimizer, sampler, train_loader, test_loader, lr = build(args, rank, world)
    if rank == 0:
        print(f"{world} rank(s) × batch {args.batch_size} = global batch {args.batch_size * world}, lr {lr:g}; "
              f"{len(sampler)} of {len(sampler.dataset)} training images per rank", flush=True)
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # the same new order on every rank: disjoint shards again
        model.train()
        began, loss_sum, steps = time.perf_counter(), 0.0, 0
        for images, labels in train_loader:
            loss = nn.functional.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()  # DDP averages the gradients across the ranks here
            optimizer.step()
            loss_sum, steps = loss_sum + loss.item(), steps + 1
        seconds = time.perf_counter() - began
        correct, seen = evaluate(model, test_loader)
        if rank == 0:
            print(f"epoch {epoch}: rank-0 train loss {loss_sum / steps:.4f} | test acc {100 * correct / seen:.2f}% "
                  f"({int(seen)} images) | {seconds:.1f}s, {steps * args.batch_size * world / seconds:,.0f} img/s",
                  flush=True)
            if args.save:
                minidl.save({"model": model.module.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch},
                            args.save)
    dist.destroy_process_group()
    return model


if __name__ == "__main__":
    main()
