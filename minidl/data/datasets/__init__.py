"""Dataset classes that parse the standard distribution files (no pickle anywhere)."""
from .cifar import CIFAR10  # noqa: F401
from .files import DatasetError, DatasetNotFoundError, default_root  # noqa: F401
from .mnist import MNIST, FashionMNIST  # noqa: F401
