"""PyTorch's checkpoint files (``.pt``/``.pth``), read and written without PyTorch and without
running pickled code.

The format (``torch.save`` since PyTorch 1.6): a zip archive holding ``<name>/data.pkl`` — a
pickle of the saved object in which every tensor is a call
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` and every
storage a *persistent id* ``('storage', torch.FloatStorage, key, location, numel)`` — and the raw
little-endian bytes of each storage in ``<name>/data/<key>``.

Reading: a restricted unpickler resolves only the handful of names a tensor checkpoint uses
(``ALLOWED`` below) to minidl's own functions; any other name — which in a pickle could be any
callable, run at load time — is refused with ``CheckpointError``.  Writing: the pickle is emitted
opcode by opcode (protocol 2) for dicts, lists, tuples, numbers, strings and tensors, so that
``torch.load(path, weights_only=True)`` opens it.
"""
import collections
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import backend
from .serialization import CheckpointError
from .tensor import Size, Tensor

STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16, "LongStorage": np.int64,
    "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
_STORAGE_NAMES = {np.dtype(dtype): name for name, dtype in STORAGE_DTYPES.items()}


class _StorageType:
    def __init__(self, name):
        if name not in STORAGE_DTYPES:
            raise CheckpointError(f"torch checkpoint: storage type torch.{name} has no NumPy dtype "
                                  "(bfloat16 and complex tensors are not supported)")
        self.name, self.dtype = name, np.dtype(STORAGE_DTYPES[name])


def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    """A Tensor viewing ``storage`` (a flat array) from ``offset`` with ``size`` and ``stride`` (in elements), copied."""
    size, stride = tuple(size), tuple(stride)
    if (not isinstance(offset, int) or offset < 0 or len(size) != len(stride)
            or any(not isinstance(v, int) or v < 0 for v in size + stride)):
        raise CheckpointError(f"torch checkpoint: a tensor with offset {offset!r}, size {size} and stride {stride} "
                              "(a negative or malformed value: corrupt or crafted file)")
    if not size or min(size) > 0:
        needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if needed > storage.size:
            raise CheckpointError(f"torch checkpoint: a tensor of size {size} and stride {stride} reaches past its "
                                  f"storage of {storage.size} elements (corrupt file)")
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=size,
                                           strides=tuple(s * storage.itemsize for s in stride), writeable=False)
    tensor = Tensor(np.array(view))
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_parameter(data, requires_grad, backward_hooks, *state):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad=requires_grad)


ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch", "Size"): Size,
    ("torch", "device"): str,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("_codecs", "encode"): lambda text, encoding="utf-8": text.encode(encoding),  # bytes, in protocol 2
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, stream, archive, prefix):
        super().__init__(stream)
        self.archive, self.prefix, self.storages = archive, prefix, {}

    def find_class(self, module, name):
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        if module == "__builtin__":  # protocol 2 (what torch.save writes) names builtins as Python 2 did
            module = "builtins"
        if (module, name) in ALLOWED:
            return ALLOWED[(module, name)]
        raise CheckpointError(
            f"torch checkpoint: refusing to load {module}.{name}: the file asks to call it while unpickling, and "
            "minidl only rebuilds tensors, dicts, lists and numbers (it never runs code from a file). Save the "
            "state_dict() instead of a whole model or optimizer object")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise CheckpointError(f"torch checkpoint: unexpected persistent id {pid!r}")
        _, storage_type, key, _location, numel = pid
        if key not in self.storages:
            try:
                raw = self.archive.read(f"{self.prefix}/data/{key}")
            except KeyError:
                raise CheckpointError(f"torch checkpoint: storage {key!r} is missing from the archive") from None
            array = np.frombuffer(raw, dtype=storage_type.dtype.newbyteorder("<"))
            if array.size < numel:
                raise CheckpointError(f"torch checkpoint: storage {key!r} holds {array.size} elements, expected {numel}")
            self.storages[key] = array[:numel].astype(storage_type.dtype, copy=False)
        return self.storages[key]


def is_torch_file(path):
    """Whether ``path`` is a zip archive with a ``*/data.pkl`` (PyTorch's checkpoint format)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith("/data.pkl") or name == "data.pkl" for name in archive.namelist())


def load(path, map_location=None):
    """The object saved by ``torch.save`` at ``path``, tensors as minidl Tensors (on ``map_location``)."""
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if name.endswith("/data.pkl") or name == "data.pkl"]
        if len(pickles) != 1:
            raise CheckpointError(f"torch checkpoint: {path!r} does not hold exactly one data.pkl")
        prefix = pickles[0][:-len("/data.pkl")] if "/" in pickles[0] else ""
        if archive.namelist() and "byteorder" in {n.rsplit("/", 1)[-1] for n in archive.namelist()}:
            order = archive.read(f"{prefix}/byteorder" if prefix else "byteorder").decode().strip()
            if order != "little":
                raise CheckpointError(f"torch checkpoint: byte order {order!r} is not supported")
        try:
            obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), archive, prefix).load()
        except CheckpointError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, struct.error) as error:
            raise CheckpointError(f"torch checkpoint: {path!r} is corrupt ({error})") from None
    return _move(obj, map_location) if map_location is not None else obj


def _move(obj, device):
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((k, _move(v, device)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_move(v, device) for v in obj)
    return obj


# ------------------------------------------------------------------ writing

class _Writer:
    """Emits protocol-2 pickle opcodes for plain data and tensors; collects the storages."""

    def __init__(self):
        self.out, self.storages = io.BytesIO(), []

    def op(self, code, payload=b""):
        self.out.write(code + payload)

    def global_(self, module, name):
        self.op(b"c", f"{module}\n{name}\n".encode())

    def write(self, obj):
        if obj is None:
            self.op(b"N")
        elif obj is True or obj is False or isinstance(obj, np.bool_):
            self.op(b"\x88" if obj else b"\x89")
        elif isinstance(obj, (int, np.integer)):
            value = int(obj)
            if -2**31 <= value < 2**31:
                self.op(b"J", struct.pack("<i", value))
            else:
                raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
                self.op(b"\x8a", bytes([len(raw)]) + raw)
        elif isinstance(obj, (float, np.floating)):
            self.op(b"G", struct.pack(">d", float(obj)))
        elif isinstance(obj, str):
            raw = obj.encode("utf-8")
            self.op(b"X", struct.pack("<I", len(raw)) + raw)
        elif isinstance(obj, (Tensor, np.ndarray)):
            self.tensor(obj)
        elif isinstance(obj, dict):
            if isinstance(obj, collections.OrderedDict):
                self.global_("collections", "OrderedDict")
                self.op(b")R")
            else:
                self.op(b"}")
            if obj:
                self.op(b"(")
                for key, value in obj.items():
                    self.write(key)
                    self.write(value)
                self.op(b"u")
        elif isinstance(obj, list):
            self.op(b"]")
            if obj:
                self.op(b"(")
                for value in obj:
                    self.write(value)
                self.op(b"e")
        elif isinstance(obj, tuple):
            self.op(b"(")
            for value in obj:
                self.write(value)
            self.op(b"t")
        else:
            raise TypeError(f"save(format='torch'): cannot write a {type(obj).__name__}; "
                            "use dicts, lists, tuples, numbers, strings and tensors")

    def tensor(self, value):
        array = backend.to_device(value.array if isinstance(value, Tensor) else value, "cpu")
        array = np.require(array, requirements="C")  # (ascontiguousarray would turn a 0-d tensor into 1-d)
        if array.dtype not in _STORAGE_NAMES:
            raise TypeError(f"save(format='torch'): dtype {array.dtype} has no PyTorch storage type")
        key = str(len(self.storages))
        self.storages.append(array)
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.op(b"(")
        self.op(b"(")
        self.write("storage")
        self.global_("torch", _STORAGE_NAMES[array.dtype])
        self.write(key)
        self.write("cpu")
        self.write(int(array.size))
        self.op(b"tQ")  # the tuple, as a persistent id
        self.write(0)
        self.write(tuple(int(n) for n in array.shape))
        self.write(tuple(int(s // array.itemsize) if array.size else 1 for s in array.strides))
        self.write(False)
        self.global_("collections", "OrderedDict")
        self.op(b")R")
        self.op(b"tR")


def save(obj, path):
    """Write ``obj`` (dicts, lists, tuples, numbers, strings, tensors) as a PyTorch checkpoint, atomically."""
    writer = _Writer()
    writer.op(b"\x80\x02")
    writer.write(obj)
    writer.op(b".")
    prefix = "archive"
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".pth", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(f"{prefix}/data.pkl", writer.out.getvalue())
                archive.writestr(f"{prefix}/byteorder", "little")
                for key, array in enumerate(writer.storages):
                    archive.writestr(f"{prefix}/data/{key}", array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
                archive.writestr(f"{prefix}/version", "3\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
