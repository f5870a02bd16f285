"""ImageFolder / DatasetFolder with torchvision's semantics, on tiny image folders the tests write
(PNG and BMP files via Pillow; the DatasetFolder tests use .npy files and need no Pillow)."""
import os
import sys

import numpy as np
import pytest

import minidl
from minidl.data import IMG_EXTENSIONS, DataLoader, DatasetFolder, ImageFolder, datasets
from minidl.data import transforms as T
from minidl.data.datasets import find_classes, make_dataset
from minidl.data import pil as pil_module


def _png(path, array):
    Image = pytest.importorskip("PIL.Image")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture
def folder(tmp_path):
    """root/cat/{a.png, sub/b.BMP, notes.txt}, root/dog/{c.png (grayscale), d.png (palette)}."""
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    images = {name: rng.integers(0, 256, (6, 8, 3), dtype=np.uint8) for name in ("a", "b")}
    _png(str(tmp_path / "cat" / "a.png"), images["a"])
    _png(str(tmp_path / "cat" / "sub" / "b.BMP"), images["b"])
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    gray = rng.integers(0, 256, (6, 8), dtype=np.uint8)
    _png(str(tmp_path / "dog" / "c.png"), gray)
    Image.fromarray(images["a"]).convert("P").save(tmp_path / "dog" / "d.png")
    return tmp_path, images, gray


def test_classes_samples_and_targets_follow_torchvision(folder):
    root, _, _ = folder
    data = ImageFolder(root)
    assert data.classes == ["cat", "dog"] and data.class_to_idx == {"cat": 0, "dog": 1}
    expected = [(os.path.join(str(root), "cat", "a.png"), 0), (os.path.join(str(root), "cat", "sub", "b.BMP"), 0),
                (os.path.join(str(root), "dog", "c.png"), 1), (os.path.join(str(root), "dog", "d.png"), 1)]
    assert data.samples == expected and data.imgs is data.samples
    assert data.targets == [0, 0, 1, 1] and len(data) == 4
    assert data.extensions == IMG_EXTENSIONS and data.loader is datasets.default_loader


def test_images_load_as_rgb_pil_images(folder):
    root, images, gray = folder
    data = ImageFolder(root)
    image, label = data[0]
    assert image.mode == "RGB" and image.size == (8, 6) and label == 0
    np.testing.assert_array_equal(np.asarray(image), images["a"])
    np.testing.assert_array_equal(np.asarray(data[1][0]), images["b"])
    gray_rgb = np.asarray(data[2][0])                  # a grayscale file becomes 3 equal bands
    assert gray_rgb.shape == (6, 8, 3) and all(np.array_equal(gray_rgb[..., c], gray) for c in range(3))
    assert data[3][0].mode == "RGB"                     # so does a palette file


def test_transforms_accept_what_the_loader_returns(folder):
    root, images, _ = folder
    pipeline = T.Compose([T.Resize(4), T.CenterCrop(4), T.RandomHorizontalFlip(), T.ToTensor(),
                          T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    data = ImageFolder(root, transform=pipeline, target_transform=lambda y: y + 10)
    image, label = data[0]
    assert image.shape == (3, 4, 4) and image.dtype == minidl.float32 and label == 10
    loader = DataLoader(ImageFolder(root, transform=T.Compose([T.CenterCrop(4), T.ToTensor()])), batch_size=4)
    batch, labels = next(iter(loader))
    assert batch.shape == (4, 3, 4, 4) and labels.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(batch.numpy()[0], images["a"][1:5, 2:6].transpose(2, 0, 1) / 255, rtol=1e-6)


def test_is_valid_file_replaces_the_extension_list(folder):
    root, _, _ = folder
    data = ImageFolder(root, is_valid_file=lambda path: path.endswith(".png"))
    assert [os.path.basename(p) for p, _ in data.samples] == ["a.png", "c.png", "d.png"]
    assert data.extensions is None
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        make_dataset(str(root), {"cat": 0}, extensions=(".png",), is_valid_file=lambda p: True)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        make_dataset(str(root), {"cat": 0})
    with pytest.raises(ValueError, match="class_to_idx parameter cannot be None"):
        DatasetFolder.make_dataset(str(root), None, extensions=".png")


def test_errors_name_the_folder_and_the_classes(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        find_classes(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    np.save(tmp_path / "full" / "x.npy", np.zeros(2))
    (tmp_path / "empty" / "readme.txt").write_text("no arrays here")
    with pytest.raises(FileNotFoundError, match=r"Found no valid file for the classes empty\. Supported extensions are: \.npy"):
        DatasetFolder(tmp_path, np.load, extensions=(".npy",))
    data = DatasetFolder(tmp_path, np.load, extensions=(".npy",), allow_empty=True)
    assert data.classes == ["empty", "full"] and data.samples == [(str(tmp_path / "full" / "x.npy"), 1)]


def test_dataset_folder_with_any_loader_and_overridden_classes(tmp_path):
    for name, value in (("b", 2.0), ("a", 1.0), ("c", 3.0)):
        (tmp_path / name).mkdir()
        np.save(tmp_path / name / "v.NPY", np.full(3, value))

    class TwoClasses(DatasetFolder):
        def find_classes(self, directory):
            return ["b", "c"], {"b": 0, "c": 1}

    data = TwoClasses(tmp_path, np.load, extensions=".npy")
    assert [label for _, label in data.samples] == [0, 1] and data[1][0].tolist() == [3.0] * 3
    full = DatasetFolder(tmp_path, np.load, extensions=".npy", transform=lambda v: v * 2)
    assert full.classes == ["a", "b", "c"] and [full[i][0][0] for i in range(3)] == [2.0, 4.0, 6.0]
    assert len(DataLoader(full, batch_size=2)) == 2


def test_missing_pillow_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)       # `import PIL` now raises ImportError
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "a.png").write_bytes(b"\x89PNG")
    data = ImageFolder(tmp_path)                         # listing files needs no Pillow
    assert len(data) == 1
    with pytest.raises(ImportError, match=r"needs Pillow.*pip install pillow"):
        data[0]
    assert not pil_module.is_pil(np.zeros(2))
    assert T.ToTensor()(np.zeros((2, 2), dtype=np.uint8)).shape == (1, 2, 2)   # arrays still work
