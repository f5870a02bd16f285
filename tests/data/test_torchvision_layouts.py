"""Datasets already unpacked by torchvision are found: ``root/MNIST/raw``, ``root/FashionMNIST/raw``
(gzipped or not) and ``root/cifar-10-batches-py`` (pickles read by a restricted unpickler that
refuses anything but arrays, dicts, lists and strings).  Files are generated in tmp_path."""
import os
import pickle

import numpy as np
import pytest

from minidl.data import CIFAR10, MNIST, DatasetError, DatasetNotFoundError, FashionMNIST
from minidl.data.datasets import cifar, files, mnist
from minidl.data.datasets.idx import write_idx


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.setattr(mnist, "_CACHE", {})
    monkeypatch.setattr(cifar, "_CACHE", {})
    monkeypatch.setattr(files, "_MD5_CACHE", {})


def _idx_files(folder, gz, n=12):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    suffix = ".gz" if gz else ""
    write_idx(folder / f"t10k-images-idx3-ubyte{suffix}", images)
    write_idx(folder / f"t10k-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("cls", [MNIST, FashionMNIST])
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_in_torchvision_raw_folder(tmp_path, monkeypatch, cls, gz):
    monkeypatch.setattr(cls, "resources", {})            # generated files cannot have the published MD5s
    images, labels = _idx_files(tmp_path / cls.torchvision_folder / "raw", gz)
    dataset = cls(root=tmp_path, train=False)
    np.testing.assert_array_equal(dataset.data, images)
    assert dataset.targets.tolist() == labels.tolist()
    with pytest.raises(DatasetNotFoundError, match=f"root/{cls.torchvision_folder}/raw/"):
        cls(root=tmp_path, train=True)


def test_fashion_mnist_real_files_in_torchvision_layout(tmp_path):
    """The real gzipped files (symbolically linked, not copied) pass their MD5 check from raw/."""
    source = os.path.join(os.environ.get("MINIDL_DATA", "/work/shared/data"), "fashion-mnist")
    names = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    if not all(os.path.exists(os.path.join(source, n)) for n in names):
        pytest.skip("the Fashion-MNIST test files are not on this machine")
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in names:
        os.symlink(os.path.join(source, name), raw / name)
    dataset = FashionMNIST(root=tmp_path, train=False)
    assert dataset.data.shape == (10000, 28, 28) and np.bincount(dataset.targets).tolist() == [1000] * 10


class _Py2Pickler(pickle._Pickler):
    """Writes arrays as Python 2's NumPy did (module numpy.core.multiarray, raw bytes as a latin-1
    string), so the test batch has the same opcodes as the files torchvision downloads."""

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray):
            state = (1, obj.shape, obj.dtype, False, obj.tobytes().decode("latin1"))
            return _Reconstruct, (np.ndarray, (0,), "b"), state
        return NotImplemented

    def save_global(self, obj, name=None):
        if obj is _Reconstruct:
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
        else:
            super().save_global(obj, name)


class _Reconstruct:  # only its name is pickled
    __module__, __qualname__ = "numpy.core.multiarray", "_reconstruct"


def _python_batch(path, n, rng, protocol=2, py2=True, labels_key="labels"):
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = rng.integers(0, 10, n).tolist()
    batch = {"batch_label": "testing batch 1 of 1", labels_key: labels, "data": data,
             "filenames": [f"img_{i}.png" for i in range(n)]}
    with open(path, "wb") as stream:
        if py2:
            _Py2Pickler(stream, protocol=protocol).dump(batch)
        else:
            pickle.dump({k.encode(): v for k, v in batch.items()}, stream, protocol=protocol)
    return data.reshape(n, 3, 32, 32).transpose(0, 2, 3, 1), labels


@pytest.mark.parametrize("protocol,py2", [(2, True), (2, False), (4, False)])
def test_cifar_python_batches(tmp_path, protocol, py2):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    images, labels = _python_batch(folder / "test_batch", 5, rng, protocol, py2)
    dataset = CIFAR10(root=tmp_path, train=False)
    np.testing.assert_array_equal(dataset.data, images)
    assert dataset.targets.tolist() == labels and dataset[2][0].shape == (32, 32, 3)
    parts = [_python_batch(folder / f"data_batch_{i}", 2, rng, protocol, py2) for i in range(1, 6)]
    train = CIFAR10(root=tmp_path, train=True)
    assert len(train) == 10 and train.targets.tolist() == sum((p[1] for p in parts), [])


def test_cifar_pickle_that_calls_code_is_refused(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return open, (str(marker), "w")          # would create the marker file if called

    with open(folder / "test_batch", "wb") as stream:
        pickle.dump({"data": Evil(), "labels": []}, stream, protocol=2)
    with pytest.raises(DatasetError, match=r"refusing to load (builtins|io)\.open.*never runs code"):
        CIFAR10(root=tmp_path, train=False)
    assert not marker.exists()
    with open(folder / "test_batch", "wb") as stream:              # an object array would unpickle objects
        pickle.dump({"data": np.array([None]), "labels": []}, stream, protocol=2)
    with pytest.raises(DatasetError, match="refusing an array of dtype object"):
        CIFAR10(root=tmp_path, train=False)


def test_cifar_python_batch_errors(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    _python_batch(folder / "test_batch", 3, rng, labels_key="fine_labels")
    with pytest.raises(DatasetError, match="is this CIFAR-100"):
        CIFAR10(root=tmp_path, train=False)
    (folder / "test_batch").write_bytes(pickle.dumps({"data": b"x"})[:10])
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        CIFAR10(root=tmp_path, train=False)
    with pytest.raises(DatasetNotFoundError, match="cifar-10-batches-py"):
        CIFAR10(root=tmp_path / "elsewhere", train=False)
