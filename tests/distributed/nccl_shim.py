"""A stand-in for ``cupy.cuda.nccl``'s communicator that runs on NumPy memory over MPI.

NCCLBackend passes raw pointers, element counts and NCCL datatype codes; this shim turns each
(pointer, count, datatype) back into a NumPy view of that memory and does the collective with
mpi4py.  So the pointer, count and padding arithmetic of minidl/distributed/nccl_backend.py is
exercised without a GPU: a wrong count or offset reads or writes the wrong bytes and the
collective tests fail.  (What stays unverified: CUDA streams, device selection, NCCL itself.)
"""
import ctypes
import types

import numpy as np
from mpi4py import MPI

DTYPES = [np.int8, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]
nccl = types.SimpleNamespace(
    NCCL_INT8=0, NCCL_UINT8=1, NCCL_INT32=2, NCCL_INT64=3, NCCL_FLOAT16=4, NCCL_FLOAT32=5, NCCL_FLOAT64=6,
    NCCL_SUM=0, NCCL_PROD=1, NCCL_MAX=2, NCCL_MIN=3)
OPS = [MPI.SUM, MPI.PROD, MPI.MAX, MPI.MIN]


def view(ptr, count, datatype):
    dtype = np.dtype(DTYPES[datatype])
    raw = (ctypes.c_char * (count * dtype.itemsize)).from_address(ptr)
    return np.frombuffer(raw, dtype=dtype, count=count)


class ShimCommunicator:
    def __init__(self, comm):
        self.comm, self.size = comm, comm.Get_size()

    def allReduce(self, send, recv, count, datatype, op, stream):  # noqa: N802 (NCCL's names)
        out = view(recv, count, datatype)
        self.comm.Allreduce(MPI.IN_PLACE if send == recv else view(send, count, datatype), out, OPS[op])

    def bcast(self, buff, count, datatype, root, stream):
        self.comm.Bcast(view(buff, count, datatype), root=root)

    def allGather(self, send, recv, count, datatype, stream):  # noqa: N802
        self.comm.Allgather(view(send, count, datatype), view(recv, count * self.size, datatype))

    def reduceScatter(self, send, recv, recvcount, datatype, op, stream):  # noqa: N802
        self.comm.Reduce_scatter_block(view(send, recvcount * self.size, datatype), view(recv, recvcount, datatype),
                                       OPS[op])

    def send(self, buff, count, datatype, peer, stream):
        self.comm.Send(view(buff, count, datatype), dest=peer)

    def recv(self, buff, count, datatype, peer, stream):
        self.comm.Recv(view(buff, count, datatype), source=peer)
