"""Dataset classes that parse the standard distribution files (pickles only through a restricted
unpickler that rebuilds arrays and nothing else), and folder-of-files datasets."""
from .cifar import CIFAR10  # noqa: F401
from .files import DatasetError, DatasetNotFoundError, default_root  # noqa: F401
from .mnist import MNIST, FashionMNIST  # noqa: F401
from .folder import (  # noqa: F401
    IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, find_classes, has_file_allowed_extension,
    make_dataset, pil_loader,
)
