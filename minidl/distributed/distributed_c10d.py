"""The default process group and the collectives on tensors (``torch.distributed``'s names).

One process per rank, started by the MPI launcher (``mpiexec -n 4 python train.py``);
``init_process_group`` reads this process's rank and the world size from it.  Collectives
work in place on ``tensor.array``: NumPy arrays through MPI (backend ``"mpi"``), CuPy arrays
through NCCL (backend ``"nccl"``).  ``async_op=True`` returns a ``Work`` to ``wait()`` on;
otherwise the call returns when the result is in the tensor.

Only the default group (all ranks) exists; ``group=`` accepts ``None`` or ``group.WORLD``.
"""
import datetime
import enum
import sys
import time

from .. import backend as _backend
from ..tensor import Tensor
from .mpi_backend import DistBackendError, MPIBackend, Work, import_mpi  # noqa: F401

default_pg_timeout = datetime.timedelta(minutes=30)  # PyTorch's default


class ReduceOp(enum.Enum):
    """How ``all_reduce``/``reduce_scatter`` combine the ranks' values."""
    SUM = "sum"
    AVG = "avg"  # the sum divided by the world size (floating-point tensors only)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class Backend:
    """The backend names ``init_process_group`` accepts."""
    MPI = "mpi"
    NCCL = "nccl"


class group:  # noqa: N801  (torch.distributed.group.WORLD)
    """``group.WORLD``: the default group of all ranks (the only one minidl has)."""
    WORLD = "WORLD"


_state = {"backend": None, "excepthook": None}


def is_available():
    """Whether an MPI library can be loaded (mpi4py importable)."""
    try:
        import_mpi()
    except RuntimeError:
        return False
    return True


is_mpi_available = is_available


def is_nccl_available():
    """Whether CuPy and its NCCL bindings (``cupy.cuda.nccl``) can be imported."""
    cupy = _backend.cupy_or_none()
    try:
        from cupy.cuda import nccl  # noqa: F401
    except (ImportError, AttributeError):
        return False
    return cupy is not None


def is_initialized():
    """Whether ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return _state["backend"] is not None


def _default_group(group_=None):
    if group_ not in (None, group.WORLD):
        raise ValueError(f"group: minidl.distributed has only the default group (None or group.WORLD), got {group_!r}")
    if _state["backend"] is None:
        raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
    return _state["backend"]


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default group of all ranks started by the MPI launcher.

    backend: "mpi" (NumPy arrays, CPU) or "nccl" (CuPy arrays, one GPU per rank; MPI still starts
    the ranks and hands round NCCL's unique id); None picks "mpi".  world_size / rank: -1 to take
    them from the launcher, or the values the launcher gave (anything else raises ValueError).
    timeout: a ``datetime.timedelta`` (default 30 minutes) after which a collective that the
    other ranks never join raises ``DistBackendError``.  An unhandled exception on any rank then
    calls ``MPI.Abort`` so that the whole job stops instead of hanging.
    """
    if is_initialized():
        raise RuntimeError("trying to initialize the default process group twice!")
    backend = Backend.MPI if backend is None else str(backend).lower()
    if backend not in (Backend.MPI, Backend.NCCL):
        raise ValueError(f"init_process_group: backend must be 'mpi' or 'nccl', got {backend!r}")
    if init_method not in (None, "env://") or store is not None:
        raise ValueError("init_process_group: ranks come from the MPI launcher; init_method and store are not used "
                         f"(got init_method={init_method!r}, store={store!r})")
    MPI = import_mpi()
    comm = MPI.COMM_WORLD.Dup()  # a private communicator: user MPI traffic cannot mix with ours
    for name, given, actual in (("world_size", world_size, comm.Get_size()), ("rank", rank, comm.Get_rank())):
        if given not in (-1, None, actual):
            raise ValueError(f"init_process_group: {name}={given} but the MPI launcher gave {actual}")
    seconds = (default_pg_timeout if timeout is None else timeout)
    seconds = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
    if backend == Backend.NCCL:
        from .nccl_backend import NCCLBackend
        _state["backend"] = NCCLBackend.from_mpi(comm, seconds, device_id)
    else:
        _state["backend"] = MPIBackend(comm, seconds)
    if comm.Get_size() > 1:
        _install_abort_hook(MPI, comm.Get_rank(), comm.Get_size())


def _install_abort_hook(MPI, rank, world_size):
    previous = sys.excepthook

    def abort_on_exception(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.write(f"minidl.distributed: rank {rank} of {world_size} raised an unhandled {kind.__name__}; "
                         "calling MPI.Abort so that the other ranks stop instead of hanging\n")
        sys.stderr.flush()
        time.sleep(0.5)  # let the launcher forward this output before Abort tears the job down
        MPI.COMM_WORLD.Abort(1)

    _state["excepthook"] = previous
    sys.excepthook = abort_on_exception


def destroy_process_group(group=None):
    """Leave the default group (and restore the exception hook); MPI itself finalises at exit."""
    pg = _default_group(group)
    pg.destroy()
    _state["backend"] = None
    if _state["excepthook"] is not None:
        sys.excepthook, _state["excepthook"] = _state["excepthook"], None


def get_rank(group=None):
    """This process's rank, 0 … world_size − 1; ValueError before init_process_group."""
    return _default_group(group).rank


def get_world_size(group=None):
    """The number of ranks in the default group; ValueError before init_process_group."""
    return _default_group(group).world_size


def get_backend(group=None):
    """"mpi" or "nccl"."""
    return _default_group(group).name


def barrier(group=None, async_op=False, device_ids=None):
    """Return once every rank has called barrier (or a Work, with async_op=True)."""
    return _finish(_default_group(group).barrier(), async_op)


# ---------------------------------------------------------------------------- the collectives

def _array(tensor, name, pg):
    """tensor's array, contiguous, and a function that copies results back when it had to be copied."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a minidl Tensor, got {type(tensor).__name__}")
    array = tensor.array
    pg.check_array(array, name)
    if array.flags.c_contiguous:
        return array, None
    xp = _backend.get_array_module(array)
    copy = xp.ascontiguousarray(array)

    def write_back():
        array[...] = copy
    return copy, write_back


def _then(work, *steps):
    """Run ``steps`` (None skipped) after the work's own finish; the first finish's value is kept."""
    first = work.finish

    def finish():
        result = first() if first is not None else None
        for step in steps:
            if step is not None:
                step()
        return result
    work.finish = finish
    return work


def _finish(work, async_op):
    if async_op:
        return work
    work.wait()
    return work.result


def _backend_op(op, array, name):
    op = ReduceOp(op) if not isinstance(op, ReduceOp) else op
    if op is ReduceOp.AVG and array.dtype.kind not in "fc":
        raise TypeError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got dtype {array.dtype}")
    return ("sum" if op is ReduceOp.AVG else op.value), op is ReduceOp.AVG


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """In place on every rank: tensor ← op(tensor of rank 0, …, tensor of rank N−1), elementwise."""
    pg = _default_group(group)
    array, write_back = _array(tensor, "all_reduce", pg)
    name, average = _backend_op(op, array, "all_reduce")
    divide = (lambda: array.__itruediv__(pg.world_size)) if average else None
    return _finish(_then(pg.all_reduce(array, name), divide, write_back), async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """In place: every rank's tensor ← rank ``src``'s tensor."""
    pg = _default_group(group)
    _check_rank(src, pg, "broadcast: src")
    array, write_back = _array(tensor, "broadcast", pg)
    return _finish(_then(pg.broadcast(array, src), write_back), async_op)


def _check_rank(rank, pg, name):
    if not isinstance(rank, int) or not 0 <= rank < pg.world_size:
        raise ValueError(f"{name} must be a rank in [0, {pg.world_size - 1}], got {rank!r}")


def _check_list(tensors, like, pg, name):
    if len(tensors) != pg.world_size:
        raise ValueError(f"{name}: expected a list of {pg.world_size} tensors (one per rank), got {len(tensors)}")
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor) or t.dtype != like.dtype:
            got = t.dtype if isinstance(t, Tensor) else type(t).__name__
            raise TypeError(f"{name}: tensor_list[{position}] must be a Tensor of dtype {like.dtype}, got {got}")
    if tuple(tensors[pg.rank].shape) != tuple(like.shape):
        raise ValueError(f"{name}: this rank's entry (index {pg.rank}) has shape {tuple(tensors[pg.rank].shape)}, "
                         f"but the tensor has shape {tuple(like.shape)}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] ← rank r's ``tensor`` on every rank.  Sizes may differ between ranks, as
    long as every rank passes the same list of shapes."""
    pg = _default_group(group)
    _check_list(tensor_list, tensor, pg, "all_gather")
    send, _ = _array(tensor, "all_gather", pg)
    counts = [t.numel() for t in tensor_list]
    xp = _backend.get_array_module(send)
    recv = xp.empty(sum(counts), send.dtype)

    def scatter_into_list():
        start = 0
        for t, count in zip(tensor_list, counts):
            t.array[...] = recv[start:start + count].reshape(t.shape)
            start += count
    return _finish(_then(pg.all_gather(send.ravel(), recv, counts), scatter_into_list), async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """output (world_size·n elements, e.g. shape (world_size·d0, …)) ← the ranks' inputs, concatenated."""
    pg = _default_group(group)
    if output_tensor.numel() != pg.world_size * input_tensor.numel() or output_tensor.dtype != input_tensor.dtype:
        raise ValueError(f"all_gather_into_tensor: output must hold world_size × input = {pg.world_size} × "
                         f"{input_tensor.numel()} elements of {input_tensor.dtype}, got {output_tensor.numel()} of {output_tensor.dtype}")
    send, _ = _array(input_tensor, "all_gather_into_tensor", pg)
    recv, write_back = _array(output_tensor, "all_gather_into_tensor", pg)
    counts = [send.size] * pg.world_size
    return _finish(_then(pg.all_gather(send.ravel(), recv.reshape(-1), counts), write_back), async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output on rank r ← op over ranks of their input_list[r] (sizes may differ between entries)."""
    pg = _default_group(group)
    _check_list(input_list, output, pg, "reduce_scatter")
    recv, write_back = _array(output, "reduce_scatter", pg)
    xp = _backend.get_array_module(recv)
    send = xp.concatenate([t.array.ravel() for t in input_list])
    name, average = _backend_op(op, recv, "reduce_scatter")
    divide = (lambda: recv.__itruediv__(pg.world_size)) if average else None
    counts = [t.numel() for t in input_list]
    return _finish(_then(pg.reduce_scatter(send, recv.reshape(-1), counts, name), divide, write_back), async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """output ← block ``rank`` of op over ranks of ``input`` (world_size·n elements, n = output's)."""
    pg = _default_group(group)
    if input.numel() != pg.world_size * output.numel() or output.dtype != input.dtype:
        raise ValueError(f"reduce_scatter_tensor: input must hold world_size × output = {pg.world_size} × "
                         f"{output.numel()} elements of {output.dtype}, got {input.numel()} of {input.dtype}")
    send, _ = _array(input, "reduce_scatter_tensor", pg)
    recv, write_back = _array(output, "reduce_scatter_tensor", pg)
    name, average = _backend_op(op, recv, "reduce_scatter_tensor")
    divide = (lambda: recv.__itruediv__(pg.world_size)) if average else None
    counts = [recv.size] * pg.world_size
    return _finish(_then(pg.reduce_scatter(send.ravel(), recv.reshape(-1), counts, name), divide, write_back), async_op)


def isend(tensor, dst, group=None, tag=0):
    """Start sending ``tensor`` to rank ``dst``; returns a Work (keep the tensor unchanged until wait())."""
    pg = _default_group(group)
    _check_rank(dst, pg, "send: dst")
    array, _ = _array(tensor, "send", pg)
    return pg.send(array, dst, tag)


def irecv(tensor, src=None, group=None, tag=0):
    """Start receiving into ``tensor``; returns a Work whose ``wait()`` fills it (``work.result``: the sender)."""
    pg = _default_group(group)
    if src is not None:
        _check_rank(src, pg, "recv: src")
    array, write_back = _array(tensor, "recv", pg)
    return _then(pg.recv(array, src, tag), write_back)


def send(tensor, dst, group=None, tag=0):
    """Send ``tensor`` to rank ``dst`` (returns when the buffer may be reused)."""
    isend(tensor, dst, group, tag).wait()


def recv(tensor, src=None, group=None, tag=0):
    """Receive into ``tensor`` from rank ``src`` (None: any rank); returns the sender's rank."""
    work = irecv(tensor, src, group, tag)
    work.wait()
    return work.result
