"""MNIST/Fashion-MNIST IDX parsing and CIFAR-10 binary parsing on files the tests generate,
including every way a file can be broken; each gets its own clear error naming the file."""
import gzip
import io
import os
import tarfile

import numpy as np
import pytest

from minidl.data import CIFAR10, MNIST, DatasetError, DatasetNotFoundError, FashionMNIST
from minidl.data.datasets import files, mnist
from minidl.data.datasets.idx import write_idx

TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.setattr(mnist, "_CACHE", {})
    monkeypatch.setattr(files, "_MD5_CACHE", {})


def _fake_mnist(root, n=20, name="mnist"):
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    write_idx(folder / TRAIN_FILES[0], images)
    write_idx(folder / TRAIN_FILES[1], labels)
    return folder, images, labels


@pytest.fixture
def unchecked_md5(monkeypatch):
    """Generated files cannot have the published checksums: skip only that check."""
    monkeypatch.setattr(MNIST, "resources", {})


def test_parses_generated_idx_files(tmp_path, unchecked_md5):
    _, images, labels = _fake_mnist(tmp_path)
    dataset = MNIST(root=tmp_path, train=True)
    assert len(dataset) == 20
    image, label = dataset[3]
    np.testing.assert_array_equal(image, images[3])
    assert label == labels[3] and isinstance(label, int)


def test_root_from_environment(tmp_path, unchecked_md5, monkeypatch):
    _fake_mnist(tmp_path)
    monkeypatch.setenv("MINIDL_DATA", str(tmp_path))
    assert len(MNIST(train=True)) == 20


def test_second_load_uses_the_cache(tmp_path, unchecked_md5, monkeypatch):
    _fake_mnist(tmp_path)
    first = MNIST(root=tmp_path)
    calls = []
    monkeypatch.setattr(mnist, "read_images", lambda path: calls.append(path))
    second = MNIST(root=tmp_path)
    assert calls == [] and second.data is first.data


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(root=tmp_path, train=False)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message and str(tmp_path / "mnist") in message
    assert "MINIDL_DATA" in message and "download=True" in message


def test_truncated_gzip(tmp_path, unchecked_md5):
    folder, _, _ = _fake_mnist(tmp_path)
    path = folder / TRAIN_FILES[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=f"{path.name}: cannot decompress.*truncated or corrupt"):
        MNIST(root=tmp_path)


def test_wrong_magic(tmp_path, unchecked_md5):
    folder, _, labels = _fake_mnist(tmp_path)
    write_idx(folder / TRAIN_FILES[0], labels)  # a labels file where images belong
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: wrong magic number 0x00000801 \(expected 0x00000803"):
        MNIST(root=tmp_path)


def test_count_disagreeing_with_file_size(tmp_path, unchecked_md5):
    folder, images, _ = _fake_mnist(tmp_path)
    header = bytes([0, 0, 8, 3]) + (25).to_bytes(4, "big") + (28).to_bytes(4, "big") + (28).to_bytes(4, "big")
    with gzip.open(folder / TRAIN_FILES[0], "wb") as stream:
        stream.write(header + images.tobytes())  # the header claims 25 images, the file has 20
    with pytest.raises(DatasetError, match="header says 25 items.*truncated or corrupt"):
        MNIST(root=tmp_path)


def test_images_and_labels_disagree(tmp_path, unchecked_md5):
    folder, _, labels = _fake_mnist(tmp_path)
    write_idx(folder / TRAIN_FILES[1], labels[:-1])
    with pytest.raises(DatasetError, match="holds 20 images but .* holds 19 labels"):
        MNIST(root=tmp_path)


def test_md5_mismatch_names_the_file(tmp_path):
    _fake_mnist(tmp_path)
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz: MD5 checksum mismatch"):
        MNIST(root=tmp_path)


def test_download_tries_mirrors_and_verifies(tmp_path, monkeypatch):
    source, _, _ = _fake_mnist(tmp_path / "server")
    checksums = {name: files.md5_of(source / name) for name in TRAIN_FILES}
    monkeypatch.setattr(MNIST, "resources", {**MNIST.resources, **checksums})
    dead = (tmp_path / "nowhere").as_uri() + "/"
    monkeypatch.setattr(MNIST, "mirrors", (dead, source.as_uri() + "/"))
    dataset = MNIST(root=tmp_path / "root", download=True)
    assert len(dataset) == 20
    assert (tmp_path / "root" / "mnist" / TRAIN_FILES[0]).exists()


def test_download_with_wrong_checksum_fails_cleanly(tmp_path, monkeypatch):
    source, _, _ = _fake_mnist(tmp_path / "server")
    monkeypatch.setattr(MNIST, "mirrors", (source.as_uri() + "/",))
    with pytest.raises(DatasetNotFoundError, match="MD5 checksum mismatch"):
        MNIST(root=tmp_path / "root", download=True)
    leftovers = os.listdir(tmp_path / "root" / "mnist")
    assert leftovers == []  # neither a partial nor an unverified file was left behind


def test_real_mnist_and_fashion_when_available():
    root = os.environ.get("MINIDL_DATA")
    if not root or not os.path.exists(os.path.join(root, "mnist", TRAIN_FILES[0])):
        pytest.skip("real MNIST files not available (set MINIDL_DATA to the folder holding mnist/)")
    train, test = MNIST(root, train=True), MNIST(root, train=False)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.data.dtype == np.uint8 and train.data.shape == (60000, 28, 28)
    assert np.bincount(train.targets).tolist()[:2] == [5923, 6742]
    assert len(FashionMNIST(root, train=False)) == 10000


def _cifar_bytes(n, rng, label_max=9):
    labels = rng.integers(0, label_max + 1, n).astype(np.uint8)
    pixels = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    return np.concatenate([labels[:, None], pixels], axis=1).tobytes(), labels, pixels


def _write_cifar_archive(path, batches):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_cifar_binary_from_folder(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    data, labels, pixels = _cifar_bytes(4, rng)
    (folder / "test_batch.bin").write_bytes(data)
    dataset = CIFAR10(root=tmp_path, train=False)
    image, label = dataset[1]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8 and label == labels[1]
    assert image[0, 0].tolist() == [pixels[1, 0], pixels[1, 1024], pixels[1, 2048]]  # R, G, B planes


def test_cifar_binary_from_archive(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    batches = {f"data_batch_{i}.bin": _cifar_bytes(3, rng)[0] for i in range(1, 6)}
    (tmp_path / "cifar-10").mkdir()
    archive = tmp_path / "cifar-10" / CIFAR10.archive
    _write_cifar_archive(archive, batches)
    monkeypatch.setattr(CIFAR10, "archive_md5", files.md5_of(archive))
    assert len(CIFAR10(root=tmp_path, train=True)) == 15


def test_cifar_truncated_record_and_bad_labels(tmp_path):
    rng = np.random.default_rng(2)
    folder = tmp_path / "cifar-10"
    folder.mkdir()
    data, _, _ = _cifar_bytes(2, rng)
    (folder / "test_batch.bin").write_bytes(data[:-10])
    with pytest.raises(DatasetError, match="test_batch.bin: 6136 bytes is not a whole number of 3073-byte records"):
        CIFAR10(root=tmp_path, train=False)
    (folder / "test_batch.bin").write_bytes(bytes([50]) + bytes(3072) + bytes([1]) + bytes(3072))
    with pytest.raises(DatasetError, match="label 50 is not a CIFAR-10 class"):
        CIFAR10(root=tmp_path, train=False)


def test_cifar_archive_md5_mismatch(tmp_path):
    (tmp_path / "cifar-10").mkdir()
    _write_cifar_archive(tmp_path / "cifar-10" / CIFAR10.archive, {"test_batch.bin": bytes(3073)})
    with pytest.raises(DatasetError, match="MD5 checksum mismatch"):
        CIFAR10(root=tmp_path, train=False)


def test_cifar_missing_message(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="cifar-10-binary.tar.gz"):
        CIFAR10(root=tmp_path)
