"""The NCCL backend: collectives on CuPy arrays through ``cupy.cuda.nccl``, one GPU per rank.

MPI still starts the ranks and carries the set-up: rank 0 asks NCCL for a unique id and
broadcasts it over MPI, then every rank joins ``NcclCommunicator(world_size, id, rank)`` on its
own GPU (the ``local rank``-th GPU of its machine).  The collectives are NCCL's, queued on a
CUDA stream and waited for with a deadline like the MPI ones.

NCCL moves raw device pointers: each call passes ``(pointer, element count, NCCL datatype)``.
This file's job is getting those three right for every collective; its logic runs unchanged
with a stand-in communicator on NumPy memory (tests/distributed/nccl_shim.py), which is how it
is tested on machines without GPUs.  NCCL needs equal block sizes for all-gather and
reduce-scatter, so uneven blocks are padded to the largest and unpadded afterwards.
"""
import numpy as np

from .mpi_backend import Work


def _nccl_tables(nccl):
    dtypes = {np.dtype(np.int8): nccl.NCCL_INT8, np.dtype(np.uint8): nccl.NCCL_UINT8,
              np.dtype(np.int32): nccl.NCCL_INT32, np.dtype(np.int64): nccl.NCCL_INT64,
              np.dtype(np.float16): nccl.NCCL_FLOAT16, np.dtype(np.float32): nccl.NCCL_FLOAT32,
              np.dtype(np.float64): nccl.NCCL_FLOAT64}
    ops = {"sum": nccl.NCCL_SUM, "product": nccl.NCCL_PROD, "max": nccl.NCCL_MAX, "min": nccl.NCCL_MIN}
    return dtypes, ops


def pointer(array):
    """The address of an array's first element: CuPy's ``data.ptr`` (NumPy's ``ctypes.data`` for the shim)."""
    return array.data.ptr if hasattr(array.data, "ptr") else array.ctypes.data


class NCCLBackend:
    """Collectives over ``comm`` (a ``cupy.cuda.nccl.NcclCommunicator`` or a stand-in with its methods)."""

    name = "nccl"

    def __init__(self, comm, rank, world_size, timeout, nccl, xp, stream=None, mpi_comm=None):
        self.comm, self.rank, self.world_size, self.timeout = comm, rank, world_size, timeout
        self.xp, self.stream, self.mpi_comm = xp, stream, mpi_comm
        self.dtypes, self.ops = _nccl_tables(nccl)

    @classmethod
    def from_mpi(cls, mpi_comm, timeout, device_id=None):
        """Pick this rank's GPU, share NCCL's unique id over MPI and build the communicator."""
        from .. import backend
        cupy = backend.require_cupy()
        from cupy.cuda import nccl
        from mpi4py import MPI
        local = mpi_comm.Split_type(MPI.COMM_TYPE_SHARED)  # the ranks on this machine
        device = local.Get_rank() if device_id is None else int(getattr(device_id, "index", device_id))
        count = cupy.cuda.runtime.getDeviceCount()
        if device >= count:
            raise RuntimeError(f"init_process_group('nccl'): rank {mpi_comm.Get_rank()} wants GPU {device} "
                               f"but this machine has {count}; start at most {count} ranks per machine")
        cupy.cuda.Device(device).use()
        unique_id = nccl.get_unique_id() if mpi_comm.Get_rank() == 0 else None
        unique_id = mpi_comm.bcast(unique_id, root=0)  # once, at set-up: pickling is fine here
        comm = nccl.NcclCommunicator(mpi_comm.Get_size(), unique_id, mpi_comm.Get_rank())
        return cls(comm, mpi_comm.Get_rank(), mpi_comm.Get_size(), timeout, nccl, cupy,
                   stream=cupy.cuda.Stream(non_blocking=True), mpi_comm=mpi_comm)

    # ------------------------------------------------------------------ buffers and streams
    def check_array(self, array, name):
        if not isinstance(array, self.xp.ndarray):
            raise TypeError(f"{name}: the 'nccl' backend takes CUDA (CuPy) tensors, got "
                            f"{type(array).__module__}.{type(array).__name__}; use init_process_group('mpi') for CPU tensors")
        if array.dtype not in self.dtypes:
            raise TypeError(f"{name}: NCCL has no datatype for {array.dtype}; supported: {sorted(map(str, self.dtypes))}")

    def _stream_ptr(self):
        """NCCL's stream, told first to wait for the work already queued on the current stream
        (the kernels that wrote the input), so the collective never reads unfinished data."""
        if self.stream is None:
            return 0
        self.stream.wait_event(self.xp.cuda.get_current_stream().record())
        return self.stream.ptr

    def _work(self, what, finish=None):
        if self.stream is None:  # the stand-in communicator works synchronously
            return Work([], what, self.timeout, finish, is_done=lambda: True)
        done = self.stream.record()
        return Work([], what, self.timeout, finish, is_done=lambda: done.done)

    # ------------------------------------------------------------------ collectives
    def all_reduce(self, array, op):
        self.comm.allReduce(pointer(array), pointer(array), array.size, self.dtypes[array.dtype], self.ops[op],
                            self._stream_ptr())
        return self._work(f"all_reduce({op})")

    def broadcast(self, array, src):
        self.comm.bcast(pointer(array), array.size, self.dtypes[array.dtype], src, self._stream_ptr())
        return self._work(f"broadcast(src={src})")

    def _padded(self, counts):
        block = max(counts)
        return block, block * len(counts)

    def all_gather(self, send, recv, counts):
        block, total = self._padded(counts)
        if all(c == block for c in counts):
            self.comm.allGather(pointer(send), pointer(recv), block, self.dtypes[send.dtype], self._stream_ptr())
            return self._work("all_gather")
        padded_send = self.xp.zeros(block, send.dtype)
        padded_send[:send.size] = send
        padded_recv = self.xp.empty(total, send.dtype)
        self.comm.allGather(pointer(padded_send), pointer(padded_recv), block, self.dtypes[send.dtype], self._stream_ptr())

        def unpad():
            start = 0
            for r, count in enumerate(counts):
                recv[start:start + count] = padded_recv[r * block:r * block + count]
                start += count
            return None
        work = self._work("all_gather", finish=unpad)
        work.keep = (padded_send, padded_recv)  # alive until NCCL is done with them
        return work

    def reduce_scatter(self, send, recv, counts, op):
        block, total = self._padded(counts)
        if all(c == block for c in counts):
            self.comm.reduceScatter(pointer(send), pointer(recv), block, self.dtypes[send.dtype], self.ops[op],
                                    self._stream_ptr())
            return self._work(f"reduce_scatter({op})")
        padded_send = self.xp.zeros(total, send.dtype)
        start = 0
        for r, count in enumerate(counts):
            padded_send[r * block:r * block + count] = send[start:start + count]
            start += count
        padded_recv = self.xp.empty(block, send.dtype)
        self.comm.reduceScatter(pointer(padded_send), pointer(padded_recv), block, self.dtypes[send.dtype],
                                self.ops[op], self._stream_ptr())

        def unpad():
            recv[...] = padded_recv[:recv.size]
        work = self._work(f"reduce_scatter({op})", finish=unpad)
        work.keep = (padded_send, padded_recv)
        return work

    def send(self, array, dst, tag):
        self.comm.send(pointer(array), array.size, self.dtypes[array.dtype], dst, self._stream_ptr())
        return self._work(f"send(dst={dst})")

    def recv(self, array, src, tag):
        if src is None:
            raise ValueError("recv: the 'nccl' backend needs an explicit src (NCCL has no receive-from-any)")
        self.comm.recv(pointer(array), array.size, self.dtypes[array.dtype], src, self._stream_ptr())
        return self._work(f"recv(src={src})", finish=lambda: src)

    def barrier(self):
        if self.mpi_comm is None:
            return self._work("barrier")
        return Work([self.mpi_comm.Ibarrier()], "barrier", self.timeout)

    def destroy(self):
        if hasattr(self.comm, "destroy"):
            self.comm.destroy()
