"""Pillow, minidl's optional image decoder: loading image files and bridging PIL images to arrays.

Pillow is imported only when an image file is decoded or a PIL image is converted, so minidl runs
without it; the error then says what to install.  Transforms accept PIL images as torchvision's
do, and return a PIL image for a PIL image.
"""
import sys

import numpy as np


def require_pil(what="decoding images"):
    """``PIL.Image``, or an ImportError saying to ``pip install pillow``."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(f"minidl: {what} needs Pillow, an optional dependency; install it with "
                          f"`pip install pillow` ({error})") from None
    return Image


def is_pil(image):
    """True for a PIL image (without importing Pillow: if it is not loaded, nothing is a PIL image)."""
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(image, module.Image)


def to_array(image):
    """A PIL image as a NumPy array: (H, W) for one band, (H, W, C) for several; the dtype
    follows the mode (``L``/``RGB``/``RGBA``/``P`` uint8, ``1`` bool, ``I;16`` uint16, ``I`` int32, ``F`` float32)."""
    return np.asarray(image)


def from_array(array, like):
    """A PIL image holding ``array`` in ``like``'s mode (and palette, for mode ``P``)."""
    Image = require_pil("converting an array back to a PIL image")
    array = np.ascontiguousarray(array)
    if like.mode == "1":
        return Image.fromarray(array.astype(bool))
    if like.mode == "P":
        image = Image.fromarray(array.astype(np.uint8))
        image.putpalette(like.getpalette())
        return image
    image = Image.fromarray(array)
    return image if image.mode == like.mode else image.convert(like.mode)


def pil_loader(path):
    """Open an image file and convert it to RGB, as torchvision's ``pil_loader`` does (a palette,
    grayscale or RGBA file becomes a 3-band RGB image; the file is closed before returning)."""
    Image = require_pil(f"reading the image {path}")
    with open(path, "rb") as stream:
        image = Image.open(stream)
        return image.convert("RGB")


def default_loader(path):
    """The loader ``ImageFolder`` uses: :func:`pil_loader`."""
    return pil_loader(path)
