"""``minidl.distributed``: data-parallel training over processes and machines (``torch.distributed``).

Start one process per rank with the MPI launcher and join the group::

    mpiexec -n 2 python train.py          # train.py calls init_process_group("mpi")

Collectives (in place on tensors): ``all_reduce`` (SUM, AVG, PRODUCT, MIN, MAX), ``broadcast``,
``all_gather``, ``all_gather_into_tensor``, ``reduce_scatter``, ``reduce_scatter_tensor``,
``send``/``recv`` (and ``isend``/``irecv``), ``barrier``.  NumPy tensors travel through MPI
(mpi4py, raw buffers), CuPy tensors through NCCL.  ``nn.parallel.DistributedDataParallel``,
``nn.SyncBatchNorm`` and ``utils.data.distributed.DistributedSampler`` build on these; the ideas
(ring all-reduce, bucketing, the learning-rate rule) are in docs/distributed.md.
"""
from .distributed_c10d import (  # noqa: F401
    Backend, DistBackendError, ReduceOp, Work, all_gather, all_gather_into_tensor, all_reduce, barrier, broadcast,
    default_pg_timeout, destroy_process_group, get_backend, get_rank, get_world_size, group, init_process_group,
    irecv, is_available, is_initialized, is_mpi_available, is_nccl_available, isend, recv, reduce_scatter,
    reduce_scatter_tensor, send,
)
from . import nn  # noqa: F401,E402  (differentiable collectives: torch.distributed.nn)
