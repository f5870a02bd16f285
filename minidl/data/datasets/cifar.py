"""CIFAR-10 (Krizhevsky 2009) from its *binary* distribution, which needs no pickle.

``cifar-10-binary.tar.gz`` holds ``cifar-10-batches-bin/data_batch_{1..5}.bin`` and
``test_batch.bin``: records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
each 32×32 row-major).  Images are returned as (32, 32, 3) uint8 arrays, like PIL images.
"""
import os
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


class CIFAR10(ImageDataset):
    name = "cifar-10"
    display = "CIFAR10"
    archive = "cifar-10-binary.tar.gz"
    archive_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    mirrors = ("https://www.cs.toronto.edu/~kriz/",)
    train_files = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
    test_files = ("test_batch.bin",)
    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = files.default_root(root)
        self.train, self.transform, self.target_transform = train, transform, target_transform
        wanted = self.train_files if train else self.test_files
        folder = os.path.join(self.root, self.name)
        batches_dir = self._find_batches(folder, wanted)
        archive_path = os.path.join(folder, self.archive)
        if batches_dir is None and not os.path.exists(archive_path):
            if not download:
                raise files.DatasetNotFoundError(files.missing_message(
                    self.display, self.name, [self.archive], self.root,
                    hint=" (the extracted cifar-10-batches-bin/ folder works too)"))
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
