"""Checkpoints without pickle: ``minidl.save(obj, path)`` and ``minidl.load(path)``.

``obj`` may nest dicts, lists and tuples of Tensors, NumPy/CuPy arrays, numbers, strings, bools
and None (a model's and an optimizer's state_dict, the epoch, RNG state...).  It is stored as a
NumPy ``.npz`` archive: every array under its own key, plus one JSON document describing the
nesting.  Loading uses ``allow_pickle=False``, so opening a checkpoint can never run code.

Saving writes to a temporary file in the same folder, flushes it to disk and renames it over the
target: a crash mid-save leaves the previous checkpoint intact (renames are atomic on POSIX and
Windows within one filesystem).
"""
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from . import backend
from .tensor import Tensor

FORMAT = "minidl-checkpoint"
VERSION = 1
_STRUCTURE_KEY = "__minidl_structure__"


class CheckpointError(RuntimeError):
    """The file is not a (complete) minidl checkpoint."""


def _encode(value, arrays, where):
    """Turn ``value`` into JSON, moving arrays into ``arrays`` (a dict key → ndarray)."""
    if isinstance(value, Tensor) or isinstance(value, np.ndarray) or backend.is_cupy_array(value):
        array = value.array if isinstance(value, Tensor) else value
        key = f"a{len(arrays)}"
        arrays[key] = backend.to_device(array, "cpu")
        entry = {"array": key, "tensor": isinstance(value, Tensor)}
        if isinstance(value, Tensor) and value.requires_grad:
            entry["requires_grad"] = True
        return entry
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"save: dict keys must be str or int, got {key!r} at {where}")
            items.append([key, _encode(item, arrays, f"{where}[{key!r}]")])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and not np.isfinite(value):
            return {"float": repr(value)}
        return {"value": value}
    raise TypeError(
        f"save: cannot store {type(value).__name__} at {where}; checkpoints hold tensors, arrays, numbers, "
        "strings, None, and dicts/lists/tuples of those (never pickled objects)"
    )


def _decode(entry, archive, map_location):
    if "array" in entry:
        array = archive[entry["array"]]
        if array.dtype.kind not in "biuf":
            raise CheckpointError(f"load: array {entry['array']!r} has unsupported dtype {array.dtype}")
        if map_location is not None:
            array = backend.to_device(array, map_location)
        if not entry["tensor"]:
            return array
        return Tensor(array, requires_grad=entry.get("requires_grad", False))
    if "dict" in entry:
        return {key: _decode(item, archive, map_location) for key, item in entry["dict"]}
    if "list" in entry:
        return [_decode(item, archive, map_location) for item in entry["list"]]
    if "tuple" in entry:
        return tuple(_decode(item, archive, map_location) for item in entry["tuple"])
    if "float" in entry:
        return float(entry["float"])
    return entry["value"]


def save(obj, path, format="npz"):
    """Write ``obj`` to ``path`` atomically; the name is used as given.

    format: "npz" (minidl's own, the default) or "torch" — PyTorch's zip format, which
    ``torch.load(path, weights_only=True)`` opens (dicts, lists, tuples, numbers, strings, tensors).
    """
    path = os.fspath(path)
    if format == "torch":
        from . import torch_format

        return torch_format.save(obj, path)
    if format != "npz":
        raise ValueError(f"save: format must be 'npz' or 'torch', got {format!r}")
    arrays = {}
    structure = {"format": FORMAT, "version": VERSION, "root": _encode(obj, arrays, "obj")}
    arrays[_STRUCTURE_KEY] = np.frombuffer(json.dumps(structure).encode("utf-8"), dtype=np.uint8)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load(path, map_location=None, weights_only=True):
    """Read a checkpoint written by ``save``, or by ``torch.save`` (a ``.pt``/``.pth`` file, read without
    PyTorch and without running pickled code: see torch_format.py).  ``map_location``: 'cpu', 'cuda',
    'cuda:N' or None (arrays come back on the CPU; None keeps them there).  ``weights_only`` is
    accepted for PyTorch's signature: minidl always loads weights only.

    Raises FileNotFoundError for a missing file, CheckpointError for a corrupt or foreign one."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    from . import torch_format

    if torch_format.is_torch_file(path):
        return torch_format.load(path, map_location)
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        if _STRUCTURE_KEY not in archive.files:
            raise CheckpointError(f"load: {path!r} is an .npz file but not a minidl checkpoint (no structure record)")
        structure = json.loads(bytes(archive[_STRUCTURE_KEY]).decode("utf-8"))
        if structure.get("format") != FORMAT:
            raise CheckpointError(f"load: {path!r} is not a minidl checkpoint (format {structure.get('format')!r})")
        if structure.get("version", 0) > VERSION:
            raise CheckpointError(f"load: {path!r} was written by a newer minidl (format version {structure['version']})")
        arrays = {key: archive[key] for key in archive.files if key != _STRUCTURE_KEY}
        return _decode(structure["root"], arrays, map_location)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, json.JSONDecodeError) as error:
        raise CheckpointError(
            f"load: {path!r} is not a readable minidl checkpoint (truncated, corrupted or another format): {error}"
        ) from error
