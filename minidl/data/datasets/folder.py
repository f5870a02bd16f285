"""Datasets read from a folder tree, one sub-folder per class (torchvision's ``DatasetFolder`` and
``ImageFolder``):

    root/dog/xxx.png
    root/dog/nested/xxy.jpeg
    root/cat/123.png

Classes are the sub-folder names in sorted order, so ``class_to_idx == {"cat": 0, "dog": 1}``;
every file under a class folder (at any depth, symbolic links followed) whose name passes the
filter becomes a sample ``(path, class_index)``, in sorted order.  ``ImageFolder`` decodes
samples with Pillow into RGB PIL images, which minidl's transforms accept.

    train = ImageFolder("data/train", transform=Compose([RandomResizedCrop(224), ToTensor()]))
    image, label = train[0]      # a (3, 224, 224) float32 Tensor and an int
"""
import os

from ..dataset import Dataset
from ..pil import default_loader, pil_loader  # noqa: F401  (pil_loader: torchvision's name, re-exported)

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether ``filename`` ends with one of ``extensions`` (a string or a tuple), ignoring case."""
    extensions = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(extensions)


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """(classes, class_to_idx): the sorted names of ``directory``'s sub-folders and their indices.
    Raises FileNotFoundError when there is no sub-folder."""
    directory = os.fspath(directory)
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: index for index, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The list of samples ``(path, class_index)`` under ``directory``.

    Give exactly one of ``extensions`` (file-name endings to keep) and ``is_valid_file`` (a
    function path → bool).  Raises ValueError when both or neither are given, and
    FileNotFoundError when a class has no valid file (unless ``allow_empty``).
    """
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    samples, found = [], set()
    for name in sorted(class_to_idx):
        index = class_to_idx[name]
        class_dir = os.path.join(directory, name)
        if not os.path.isdir(class_dir):
            continue
        for folder, _, filenames in sorted(os.walk(class_dir, followlinks=True)):
            for filename in sorted(filenames):
                path = os.path.join(folder, filename)
                if is_valid_file(path):
                    samples.append((path, index))
                    found.add(name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            message += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(message)
    return samples


class DatasetFolder(Dataset):
    """Samples ``(loader(path), class_index)`` from a folder tree with one sub-folder per class.

    Args:
        root: the folder holding one sub-folder per class.
        loader: a function path → sample (e.g. an image, an array).
        extensions: file-name endings to keep (e.g. ``(".npy",)``); give this or ``is_valid_file``.
        transform, target_transform: applied to the sample and to the class index.
        is_valid_file: a function path → bool choosing the files to keep.
        allow_empty: accept class folders without any valid file (else FileNotFoundError).

    Attributes: ``classes`` (sorted names), ``class_to_idx``, ``samples`` (list of
    ``(path, class_index)``), ``targets`` (the class indices), ``loader``, ``extensions``.
    Override ``find_classes`` to choose the classes differently (e.g. from a label file).
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        self.root = os.path.expanduser(os.fspath(root))
        self.transform, self.target_transform = transform, target_transform
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, self.class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader, self.extensions = loader, extensions
        self.targets = [index for _, index in self.samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        if class_to_idx is None:  # a subclass overriding find_classes must say which classes it wants
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)

    def __repr__(self):
        return f"{type(self).__name__}(samples={len(self)}, classes={len(self.classes)}, root={self.root!r})"


class ImageFolder(DatasetFolder):
    """A ``DatasetFolder`` of image files (``IMG_EXTENSIONS``, unless ``is_valid_file`` chooses),
    each decoded by ``loader`` — by default an RGB PIL image (Pillow needed: ``pip install pillow``).
    ``imgs`` is another name for ``samples``."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
