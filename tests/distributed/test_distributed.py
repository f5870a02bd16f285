"""minidl.distributed, DDP, SyncBatchNorm and DistributedSampler, on real MPI processes.

Each test launches ``mpiexec -n N python tests/distributed/mpi_worker.py <checks>`` on this
machine (the checks themselves are in mpi_worker.py, run on every rank) with a time-out, so a
hang fails the test instead of stalling CI.  Skipped when mpi4py or mpiexec is missing
(``pip install minidl[mpi]``).  The single-process parts (sampler arithmetic, errors) run here.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import time

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.utils.data.distributed import DistributedSampler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(ROOT, "tests", "distributed", "mpi_worker.py")


def mpiexec():
    """The launcher: on PATH, or beside this Python (where the mpich wheel installs it)."""
    for folder in (None, sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        found = shutil.which("mpiexec", path=folder)
        if found:
            return found
    return None


def run_ranks(n, *checks, timeout=120):
    pytest.importorskip("mpi4py")
    launcher = mpiexec()
    if launcher is None:
        pytest.skip("mpiexec not found (pip install mpich)")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    began = time.monotonic()
    try:
        done = subprocess.run([launcher, "-n", str(n), sys.executable, WORKER, *checks], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"mpiexec -n {n} {' '.join(checks)} hung for {timeout} s:\n{error.stdout}\n{error.stderr}")
    return done, time.monotonic() - began


ALL_CHECKS = ("collectives", "nccl_buffers", "sampler", "syncbn", "ddp")


@pytest.mark.parametrize("n", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_collectives_ddp_syncbn_sampler_on_n_ranks(n):
    done, _ = run_ranks(n, *ALL_CHECKS)
    assert done.returncode == 0, done.stdout + done.stderr
    for check in ALL_CHECKS:
        assert f"PASS {check}" in done.stdout, done.stdout + done.stderr


def test_a_rank_that_raises_stops_the_others():
    done, seconds = run_ranks(2, "raise_", timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "deliberate failure on rank 1" in output and "MPI.Abort" in output, output
    assert seconds < 30, f"the job took {seconds:.0f} s to stop"


@pytest.mark.slow
def test_a_rank_that_never_arrives_times_out():
    done, seconds = run_ranks(2, "timeout", timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "all_reduce(sum) timed out after 1.5 s" in output, output
    assert seconds < 25, f"the job took {seconds:.0f} s to stop"


# ------------------------------------------------------------------ in this process (no launcher)

def test_distributed_sampler_matches_pytorch_arithmetic():
    # PyTorch's rules: pad by repeating the order's start, or drop the tail; rank r takes r, r + N, …
    assert [list(DistributedSampler(range(10), 3, r, shuffle=False)) for r in range(3)] == \
        [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    assert [list(DistributedSampler(range(10), 3, r, shuffle=False, drop_last=True)) for r in range(3)] == \
        [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert [list(DistributedSampler(range(2), 5, r, shuffle=False)) for r in range(5)] == [[0], [1], [0], [1], [0]]
    a, b = DistributedSampler(range(20), 2, 0, seed=1), DistributedSampler(range(20), 2, 1, seed=1)
    first = list(a) + list(b)
    assert sorted(first) == list(range(20))
    a.set_epoch(1)
    assert list(a) != first[:10]  # a new epoch, a new order
    assert list(DistributedSampler(range(20), 2, 0, seed=1)) == first[:10]  # the same seed and epoch, the same order


@pytest.mark.parametrize("size, replicas, drop_last", [(10, 3, False), (10, 3, True), (2, 5, False), (9, 3, True),
                                                       (7, 4, False)])
def test_distributed_sampler_shards_like_pytorch(size, replicas, drop_last):
    from tests.oracles import torch
    torch_sampler = torch().utils.data.distributed.DistributedSampler
    for rank in range(replicas):
        ours = DistributedSampler(range(size), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch_sampler(range(size), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("bad, match", [(dict(rank=3), "Invalid rank 3"), (dict(rank=-1), "Invalid rank -1"),
                                        (dict(num_replicas=0), "num_replicas")])
def test_distributed_sampler_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        DistributedSampler(range(4), **{"num_replicas": 3, "rank": 0, **bad})


def test_needs_an_initialized_group():
    import minidl.distributed as dist
    if dist.is_initialized():
        pytest.skip("a process group is already initialized in this process")
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match="backend"):
        dist.init_process_group("gloo")


def test_sync_batchnorm_without_a_group_is_batchnorm():
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2))
    sync, plain = nn.SyncBatchNorm(3).double(), nn.BatchNorm2d(3).double()
    np.testing.assert_allclose(sync(minidl.tensor(x)).array, plain(minidl.tensor(x)).array)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)))
    assert isinstance(model[1], nn.SyncBatchNorm) and set(model.state_dict()) == {
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"}


@pytest.mark.slow
def test_train_ddp_example_on_two_ranks(tmp_path):
    data = os.environ.get("MINIDL_DATA")
    if not data or not os.path.exists(os.path.join(data, "mnist", "train-images-idx3-ubyte.gz")):
        pytest.skip("MINIDL_DATA does not hold MNIST")
    pytest.importorskip("mpi4py")
    launcher = mpiexec()
    if launcher is None:
        pytest.skip("mpiexec not found (pip install mpich)")
    checkpoint = tmp_path / "ddp.npz"
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    done = subprocess.run([launcher, "-n", "2", sys.executable, os.path.join(ROOT, "examples", "train_ddp.py"),
                           "--epochs", "1", "--train-limit", "2048", "--test-limit", "1000", "--save", str(checkpoint)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("epoch 1:") == 1, done.stdout  # rank 0 alone prints
    assert "global batch 128" in done.stdout and "1024 of 2048 training images per rank" in done.stdout
    accuracy = float(done.stdout.split("test acc ")[1].split("%")[0])
    assert accuracy > 20, done.stdout  # 16 steps from chance (10%)
    from minidl.models import lenet5
    lenet5().load_state_dict(minidl.load(str(checkpoint))["model"])
