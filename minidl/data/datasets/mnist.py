"""MNIST (LeCun et al.) and Fashion-MNIST (Xiao et al. 2017): 28×28 grayscale images, 10 classes.

    train = MNIST(train=True, transform=Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]))
    image, label = train[0]        # a (1, 28, 28) float32 Tensor and an int

Files are looked for in ``root/mnist/`` (``root/fashion-mnist/``), then in the folder torchvision
unpacks them to, ``root/MNIST/raw/`` (``root/FashionMNIST/raw/``), gzipped or not.  The four IDX
files are parsed once per process into uint8 arrays (60,000 × 28 × 28 = 47 MB) and
cached, so a second dataset object or a second epoch never re-parses them.
"""
import os

import numpy as np

from ..dataset import ImageDataset
from . import files
from .idx import read_images, read_labels

_CACHE = {}


class MNIST(ImageDataset):
    name = "mnist"
    display = "MNIST"
    torchvision_folder = "MNIST"
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    resources = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes = ("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine")

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = files.default_root(root)
        self.train, self.transform, self.target_transform = train, transform, target_transform
        prefix = "train" if train else "t10k"
        image_file, label_file = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
        paths = self._find(image_file, label_file)
        if paths is None:
            if not download:
                raise files.DatasetNotFoundError(files.missing_message(
                    self.display, self.name, [image_file, label_file], self.root,
                    hint=f" torchvision's layout works too: root/{self.torchvision_folder}/raw/ with these files, "
                         "gzipped or not."))
            folder = os.path.join(self.root, self.name)
            for filename in (image_file, label_file):
                if not os.path.exists(os.path.join(folder, filename)):
                    files.download([m + filename for m in self.mirrors], os.path.join(folder, filename),
                                   self.resources[filename])
            paths = (os.path.join(folder, image_file), os.path.join(folder, label_file))
        self.data, self.targets = self._load(*paths)

    def _find(self, image_file, label_file):
        """The (images, labels) paths: minidl's ``root/<name>/`` or ``root/``, then torchvision's
        ``root/<MNIST|FashionMNIST>/raw/``, where the files may also be unpacked (no ``.gz``)."""
        folder = files.locate(self.name, [image_file, label_file], self.root, self.display)
        if folder is not None:
            return os.path.join(folder, image_file), os.path.join(folder, label_file)
        raw = os.path.join(self.root, self.torchvision_folder, "raw")
        for names in ((image_file, label_file), (image_file[:-3], label_file[:-3])):
            if all(os.path.exists(os.path.join(raw, name)) for name in names):
                return tuple(os.path.join(raw, name) for name in names)
        return None

    def _load(self, image_path, label_path):
        key = tuple((os.path.abspath(p), os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in (image_path, label_path))
        if key not in _CACHE:
            for path in (image_path, label_path):
                expected = self.resources.get(os.path.basename(path))
                if expected is not None:
                    files.check_md5(path, expected)
            images, labels = read_images(image_path), read_labels(label_path)
            if len(images) != len(labels):
                raise files.DatasetError(
                    f"{self.display}: {image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels"
                )
            if labels.size and labels.max() >= len(self.classes):
                raise files.DatasetError(f"{label_path}: label {int(labels.max())} is not a valid class (0–{len(self.classes) - 1})")
            _CACHE[key] = (images, labels.astype(np.int64))
        return _CACHE[key]

    def __repr__(self):
        split = "train" if self.train else "test"
        return f"{self.display}(split={split}, samples={len(self)}, root={self.root!r})"


class FashionMNIST(MNIST):
    name = "fashion-mnist"
    display = "FashionMNIST"
    torchvision_folder = "FashionMNIST"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    resources = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
