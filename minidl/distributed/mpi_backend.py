"""The MPI backend: collectives on NumPy arrays through mpi4py's buffer interface.

Every call hands MPI the array's memory directly (``comm.Iallreduce(MPI.IN_PLACE, array, op)``:
the capitalised mpi4py methods take buffers, the lower-case ones pickle Python objects), so a
gradient bucket crosses the wire as raw bytes, with no pickling in the hot path.

Every collective is started non-blocking (``Iallreduce``, ``Ibcast``, …) and waited for by
``Work.wait``, which polls with a deadline: a rank that never arrives makes the others raise
``DistBackendError`` after ``timeout`` seconds instead of hanging for ever (MPI itself has no
time-outs).  The arrays given here are C-contiguous and stay alive until ``wait`` returns.
"""
import os
import time

import numpy as np


class DistBackendError(RuntimeError):
    """A collective failed or timed out (``torch.distributed.DistBackendError``)."""


def import_mpi():
    """mpi4py's MPI module (initialising MPI), or an error that says what to install."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(
            "minidl.distributed: the MPI backend needs mpi4py and an MPI library; install them with "
            "`pip install minidl[mpi]` (or `pip install mpi4py mpich`) and launch with "
            "`mpiexec -n 2 python script.py`") from error
    return MPI


class Work:
    """A collective in flight (``torch.distributed.Work``): ``wait()`` blocks until it is done,
    then runs ``finish`` (copy results back, divide for AVG) once."""

    def __init__(self, requests, what, timeout, finish=None, is_done=None):
        self.requests, self.what, self.timeout, self.finish = list(requests), what, timeout, finish
        self._is_done = is_done or (lambda: all(r.Test() for r in self.requests))
        self._finished = False
        self.result = None

    def is_completed(self):
        return self._finished or self._is_done()

    def wait(self, timeout=None):
        """Block until done; raise DistBackendError after ``timeout`` seconds (default: the group's)."""
        if self._finished:
            return True
        limit = self.timeout if timeout is None else _seconds(timeout)
        began = time.monotonic()
        while not self._is_done():  # each Test also drives MPI's progress engine one step on
            waited = time.monotonic() - began
            if waited > limit:
                raise DistBackendError(
                    f"minidl.distributed: {self.what} timed out after {limit:g} s waiting for the other ranks "
                    "(did a rank fail, exit early, or call a different collective?)")
            if waited < 0.01:
                _yield()  # spin, but let another rank on this core run
            else:
                time.sleep(min(waited / 10, 1e-3))  # a long wait: poll at most every millisecond
        self._finished = True
        if self.finish is not None:
            self.result = self.finish()
        return True


_yield = getattr(os, "sched_yield", lambda: time.sleep(0))  # no sched_yield on Windows


def _seconds(timeout):
    return timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)


class MPIBackend:
    """Collectives over ``comm`` (an mpi4py communicator) on contiguous NumPy arrays."""

    name = "mpi"

    def __init__(self, comm, timeout):
        self.MPI = import_mpi()
        self.comm, self.timeout = comm, timeout
        self.rank, self.world_size = comm.Get_rank(), comm.Get_size()
        self.ops = {"sum": self.MPI.SUM, "product": self.MPI.PROD, "max": self.MPI.MAX, "min": self.MPI.MIN}

    def check_array(self, array, name):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"{name}: the 'mpi' backend takes CPU (NumPy) tensors, got {type(array).__module__}."
                            f"{type(array).__name__}; use init_process_group('nccl') for CUDA tensors")

    def _work(self, requests, what, finish=None):
        return Work(requests, what, self.timeout, finish)

    def all_reduce(self, array, op):
        """In place: array ← op over ranks of array (op: "sum", "product", "max", "min")."""
        return self._work([self.comm.Iallreduce(self.MPI.IN_PLACE, array, self.ops[op])], f"all_reduce({op})")

    def broadcast(self, array, src):
        return self._work([self.comm.Ibcast(array, root=src)], f"broadcast(src={src})")

    def all_gather(self, send, recv, counts):
        """recv (flat) ← the ranks' ``send`` arrays one after the other; counts[r]: rank r's size."""
        displs = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int).tolist()
        return self._work([self.comm.Iallgatherv(send, [recv, (list(counts), displs)])], "all_gather")

    def reduce_scatter(self, send, recv, counts, op):
        """recv ← block ``rank`` (of sizes ``counts``) of op over ranks of ``send`` (flat)."""
        return self._work([self.comm.Ireduce_scatter(send, recv, list(counts), self.ops[op])], f"reduce_scatter({op})")

    def send(self, array, dst, tag):
        return self._work([self.comm.Isend(array, dest=dst, tag=tag)], f"send(dst={dst})")

    def recv(self, array, src, tag):
        status = self.MPI.Status()
        source = self.MPI.ANY_SOURCE if src is None else src
        request = self.comm.Irecv(array, source=source, tag=tag)
        holder = {}

        def is_done():
            done = request.Test(status)
            if done:
                holder["source"] = status.Get_source()
            return done

        return Work([request], f"recv(src={src})", self.timeout, finish=lambda: holder["source"], is_done=is_done)

    def barrier(self):
        return self._work([self.comm.Ibarrier()], "barrier")

    def destroy(self):
        pass  # COMM_WORLD stays usable; mpi4py finalizes MPI at exit
