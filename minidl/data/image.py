"""The three forms an image takes in a transform pipeline, and the helpers that let one transform
handle all three:

  * a PIL image (``ImageFolder`` loads these): returned as a PIL image of the same mode;
  * a NumPy array (H, W) or (H, W, C), laid out like a PIL image (minidl's MNIST/CIFAR samples);
  * a ``Tensor`` (..., C, H, W), after ``ToTensor``.

A transform reads pixels with ``as_array``, works on the array, and hands the result back in the
form it came in with ``rewrap``.
"""
import enum
import numbers

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from .pil import from_array, is_pil, to_array


class InterpolationMode(enum.Enum):
    """torchvision's names for resampling filters (plain strings such as ``"bilinear"`` work too)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def interpolation_mode(value, name):
    """The filter's name (``"bilinear"``, …) from an InterpolationMode or a string; ValueError naming ``name`` otherwise."""
    try:
        return InterpolationMode(value.value if isinstance(value, InterpolationMode) else value).value
    except ValueError:
        raise ValueError(f"{name}: interpolation must be an InterpolationMode or one of "
                         f"{[m.value for m in InterpolationMode]}, got {value!r}") from None


def as_array(image):
    """The pixels: a Tensor's NumPy/CuPy array, a PIL image as an (H, W[, C]) array, or the array itself."""
    if isinstance(image, Tensor):
        return image.array
    return to_array(image) if is_pil(image) else np.asarray(image)


def spatial_size(image):
    """(height, width) of a PIL image, an HWC array or a CHW tensor."""
    if is_pil(image):
        return image.height, image.width
    array = as_array(image)
    return array.shape[-2:] if isinstance(image, Tensor) else array.shape[:2]


def rewrap(image, array):
    """``array`` in the form ``image`` came in: a Tensor, a PIL image (same mode) or an array."""
    if isinstance(image, Tensor):
        return Tensor._wrap(array, False)
    return from_array(array, image) if is_pil(image) else array


def crop(image, top, left, height, width):
    """The window of ``height`` × ``width`` pixels from (top, left), in the image's own form."""
    array = as_array(image)
    if isinstance(image, Tensor):
        return rewrap(image, array[..., top:top + height, left:left + width])
    return rewrap(image, array[top:top + height, left:left + width])


def size_pair(size, name):
    """(height, width) from an int or a sequence of 1 or 2 ints (torchvision's ``size`` argument)."""
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"{name}: size must be an int or (height, width), got {size!r}")


class RandomTransform:
    """Base for random transforms: own generator when seeded, minidl's otherwise."""

    def __init__(self, seed=None):
        self._rng = None if seed is None else np.random.default_rng(seed)

    @property
    def rng(self):
        return self._rng if self._rng is not None else _random.generator(np)
