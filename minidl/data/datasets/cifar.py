"""CIFAR-10 (Krizhevsky 2009) from its *binary* distribution, which needs no pickle, or from the
*python* batches torchvision unpacks, read by a restricted unpickler.

``cifar-10-binary.tar.gz`` holds ``cifar-10-batches-bin/data_batch_{1..5}.bin`` and
``test_batch.bin``: records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
each 32×32 row-major).  Images are returned as (32, 32, 3) uint8 arrays, like PIL images.

torchvision's ``CIFAR10(root)`` leaves ``root/cifar-10-batches-py/data_batch_{1..5}`` and
``test_batch``: Python 2 pickles of a dict ``{"data": (N, 3072) uint8 array, "labels": [N ints],
"batch_label": str, "filenames": [str]}``.  A pickle can name any function to call while loading,
so these are read by ``BatchUnpickler``, which resolves only the names such a file uses (NumPy's
array and dtype reconstruction) and refuses every other name before anything is called.
"""
import os
import pickle
import tarfile

import numpy as np

from ..dataset import ImageDataset
from . import files

RECORD = 1 + 3 * 32 * 32
_CACHE = {}


def parse_batch(data, path):
    """Binary batch bytes → (images (N, 32, 32, 3) uint8, labels (N,) int64)."""
    if len(data) == 0 or len(data) % RECORD:
        raise files.DatasetError(
            f"{path}: {len(data)} bytes is not a whole number of {RECORD}-byte records; the file is truncated or corrupt"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise files.DatasetError(f"{path}: label {int(labels.max())} is not a CIFAR-10 class (0–9); is this CIFAR-100?")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def _new_array(subtype, shape, dtype):
    """NumPy's ``_reconstruct`` for plain arrays only (the pickle then fills it with ``__setstate__``)."""
    if subtype is not np.ndarray:
        raise files.DatasetError(f"CIFAR batch: refusing to rebuild an array of type {subtype!r}")
    return np.ndarray(shape, dtype=_numeric_dtype(dtype))


def _numeric_dtype(spec, align=False, copy=False):
    """``numpy.dtype`` restricted to numbers: an object dtype would unpickle arbitrary objects."""
    dtype = np.dtype(spec.decode("latin1") if isinstance(spec, bytes) else spec)
    if dtype.kind not in "biuf":
        raise files.DatasetError(f"CIFAR batch: refusing an array of dtype {dtype} (a batch holds only numbers)")
    return dtype


def _latin1_encode(text, encoding):
    """``_codecs.encode``, which a protocol-2 pickle made by Python 3 uses for bytes, restricted to latin-1."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise files.DatasetError(f"CIFAR batch: refusing _codecs.encode({type(text).__name__}, {encoding!r})")
    return text.encode("latin1")


BATCH_NAMES = {
    ("numpy.core.multiarray", "_reconstruct"): _new_array,
    ("numpy._core.multiarray", "_reconstruct"): _new_array,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _numeric_dtype,
    ("_codecs", "encode"): _latin1_encode,
    ("builtins", "bytes"): bytes,
}


class BatchUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds dicts, lists, strings, bytes, numbers and numeric NumPy arrays, and
    refuses any other global name — which in a pickle could be any callable, run at load time."""

    def find_class(self, module, name):
        if (module, name) in BATCH_NAMES:
            return BATCH_NAMES[(module, name)]
        raise files.DatasetError(
            f"CIFAR batch: refusing to load {module}.{name}: the file asks to call it while unpickling, and a CIFAR "
            "batch only holds a dict of arrays, lists and strings (minidl never runs code from a data file)")


def read_python_batch(path):
    """A torchvision/python CIFAR-10 batch file → (images (N, 32, 32, 3) uint8, labels (N,) int64)."""
    try:
        with open(path, "rb") as stream:
            batch = BatchUnpickler(stream, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise files.DatasetError(f"{path}: cannot unpickle the batch ({error}); it is truncated or corrupt") from error
    if not isinstance(batch, dict):
        raise files.DatasetError(f"{path}: expected a pickled dict, got {type(batch).__name__}")
    batch = {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in batch.items()}
    if "labels" not in batch:
        hint = "; is this CIFAR-100 (fine_labels)?" if "fine_labels" in batch else ""
        raise files.DatasetError(f"{path}: the batch has no 'labels' (keys {sorted(batch)}){hint}")
    data, labels = batch.get("data"), np.asarray(batch["labels"])
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != RECORD - 1 \
            or len(labels) != len(data):
        raise files.DatasetError(f"{path}: expected 'data' a (N, 3072) uint8 array with N labels, got "
                                 f"{getattr(data, 'shape', type(data).__name__)} and {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise files.DatasetError(f"{path}: label {int(labels.max())} is not a CIFAR-10 class (0–9)")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


class CIFAR10(ImageDataset):
    name = "cifar-10"
    display = "CIFAR10"
    archive = "cifar-10-binary.tar.gz"
    archive_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    mirrors = ("https://www.cs.toronto.edu/~kriz/",)
    train_files = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
    test_files = ("test_batch.bin",)
    python_folder = "cifar-10-batches-py"
    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = files.default_root(root)
        self.train, self.transform, self.target_transform = train, transform, target_transform
        wanted = self.train_files if train else self.test_files
        folder = os.path.join(self.root, self.name)
        batches_dir = self._find_batches(folder, wanted)
        archive_path = os.path.join(folder, self.archive)
        python_dir = os.path.join(self.root, self.python_folder)   # torchvision's layout
        python_files = tuple(os.path.splitext(name)[0] for name in wanted)
        if batches_dir is None and not os.path.exists(archive_path) and \
                all(os.path.exists(os.path.join(python_dir, name)) for name in python_files):
            self.data, self.targets = self._load_python(python_dir, python_files)
            return
        if batches_dir is None and not os.path.exists(archive_path):
            if not download:
                raise files.DatasetNotFoundError(files.missing_message(
                    self.display, self.name, [self.archive], self.root,
                    hint=" (the extracted cifar-10-batches-bin/ folder works too, and so does torchvision's "
                         "root/cifar-10-batches-py/)"))
            files.download([m + self.archive for m in self.mirrors], archive_path, self.archive_md5)
        if batches_dir is None:
            self.data, self.targets = self._load_archive(archive_path, wanted)
        else:
            self.data, self.targets = self._load_folder(batches_dir, wanted)

    @staticmethod
    def _find_batches(folder, wanted):
        for candidate in (os.path.join(folder, "cifar-10-batches-bin"), folder):
            if all(os.path.exists(os.path.join(candidate, f)) for f in wanted):
                return candidate
        return None

    def _load_folder(self, folder, wanted):
        key = ("folder", os.path.abspath(folder), wanted)
        if key not in _CACHE:
            parts = []
            for name in wanted:
                path = os.path.join(folder, name)
                with open(path, "rb") as stream:
                    parts.append(parse_batch(stream.read(), path))
            _CACHE[key] = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        return _CACHE[key]

    def _load_python(self, folder, names):
        paths = [os.path.join(folder, name) for name in names]
        key = ("python",) + tuple((os.path.abspath(p), os.stat(p).st_mtime_ns) for p in paths)
        if key not in _CACHE:
            parts = [read_python_batch(path) for path in paths]
            _CACHE[key] = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        return _CACHE[key]

    def _load_archive(self, path, wanted):
        key = ("archive", os.path.abspath(path), os.stat(path).st_mtime_ns, wanted)
        if key not in _CACHE:
            files.check_md5(path, self.archive_md5)
            parts = {}
            try:
                with tarfile.open(path, "r:gz") as archive:
                    for member in archive.getmembers():
                        base = os.path.basename(member.name)
                        if base in wanted and member.isfile():
                            parts[base] = parse_batch(archive.extractfile(member).read(), f"{path}:{member.name}")
            except (tarfile.TarError, EOFError, OSError) as error:
                raise files.DatasetError(f"{path}: cannot read the archive ({error}); it is truncated or corrupt") from error
            absent = [w for w in wanted if w not in parts]
            if absent:
                raise files.DatasetError(f"{path}: the archive lacks {', '.join(absent)}")
            _CACHE[key] = (np.concatenate([parts[w][0] for w in wanted]), np.concatenate([parts[w][1] for w in wanted]))
        return _CACHE[key]
