"""Image transforms, torchvision-style, in NumPy.

Two image forms flow through a pipeline:
  * before ``ToTensor``: a NumPy array (H, W) or (H, W, C), usually uint8 — like a PIL image;
  * after ``ToTensor``:  a float32 ``Tensor`` (C, H, W) in [0, 1].
Spatial transforms (pad, crop, flip, resize, erase) accept both.  Random transforms draw from
minidl's generator (``minidl.manual_seed``) or, given ``seed=``, from their own generator, so a
pipeline is reproducible either way.
"""
import math
import numbers

import numpy as np

from .. import random as _random
from ..tensor import Tensor


def _array(image):
    return image.array if isinstance(image, Tensor) else np.asarray(image)


def _hw(image):
    """(height, width) of an HWC array or a CHW tensor."""
    array = _array(image)
    return array.shape[-2:] if isinstance(image, Tensor) else array.shape[:2]


def _like(image, array):
    return Tensor._wrap(array, False) if isinstance(image, Tensor) else array


def _crop(image, top, left, height, width):
    array = _array(image)
    if isinstance(image, Tensor):
        return _like(image, array[..., top:top + height, left:left + width])
    return array[top:top + height, left:left + width]


def _size_pair(size, name):
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"{name}: size must be an int or (height, width), got {size!r}")


class _Random:
    """Base for random transforms: own generator when seeded, minidl's otherwise."""

    def __init__(self, seed=None):
        self._rng = None if seed is None else np.random.default_rng(seed)

    @property
    def rng(self):
        return self._rng if self._rng is not None else _random.generator(np)


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class ToTensor:
    """(H, W) or (H, W, C) array → float32 Tensor (C, H, W); uint8 values are scaled to [0, 1]."""

    def __call__(self, image):
        array = np.asarray(image)
        if array.ndim == 2:
            array = array[None]
        elif array.ndim == 3:
            array = array.transpose(2, 0, 1)
        else:
            raise ValueError(f"ToTensor: expected an (H, W) or (H, W, C) image, got shape {array.shape}")
        scale = 1 / 255 if array.dtype == np.uint8 else 1.0
        return Tensor._wrap(np.ascontiguousarray(array, dtype=np.float32) * np.float32(scale), False)

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """(x − mean[c]) / std[c] for each channel of a (C, H, W) tensor."""

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must not contain zeros, got {std}")

    def __call__(self, tensor):
        array = _array(tensor)
        if array.ndim != 3 or self.mean.shape[0] not in (1, array.shape[0]):
            raise ValueError(f"Normalize: expected a (C, H, W) tensor with {self.mean.shape[0]} channels, got shape {array.shape}")
        return Tensor._wrap(((array - self.mean) / self.std).astype(np.float32, copy=False), False)

    def __repr__(self):
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


def _pad(image, left, top, right, bottom, fill):
    array = _array(image)
    if isinstance(image, Tensor):
        widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    else:
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    return _like(image, np.pad(array, widths, mode="constant", constant_values=fill))


class Pad:
    """Pad borders: ``padding`` = all sides, (left/right, top/bottom) or (left, top, right, bottom)."""

    def __init__(self, padding, fill=0):
        if isinstance(padding, numbers.Integral):
            padding = (padding,) * 4
        elif len(padding) == 2:
            padding = (padding[0], padding[1], padding[0], padding[1])
        elif len(padding) != 4:
            raise ValueError(f"Pad: padding must have 1, 2 or 4 values, got {padding!r}")
        self.padding, self.fill = tuple(int(p) for p in padding), fill

    def __call__(self, image):
        return _pad(image, *self.padding, self.fill)

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill})"


class CenterCrop:
    def __init__(self, size):
        self.size = _size_pair(size, "CenterCrop")

    def __call__(self, image):
        (h, w), (th, tw) = _hw(image), self.size
        if th > h or tw > w:  # torchvision pads with zeros first
            left, top = max(0, (tw - w) // 2), max(0, (th - h) // 2)
            image = _pad(image, left, top, max(0, tw - w - left), max(0, th - h - top), 0)
            h, w = _hw(image)
        return _crop(image, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomCrop(_Random):
    """Pad by ``padding`` (the classic CIFAR augmentation: 4), then crop ``size`` at a random place."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, seed=None):
        super().__init__(seed)
        self.size = _size_pair(size, "RandomCrop")
        self.pad = Pad(padding, fill) if padding else None
        self.pad_if_needed, self.fill = pad_if_needed, fill

    def __call__(self, image):
        if self.pad is not None:
            image = self.pad(image)
        (h, w), (th, tw) = _hw(image), self.size
        if self.pad_if_needed and (h < th or w < tw):
            image = _pad(image, max(0, tw - w), max(0, th - h), max(0, tw - w), max(0, th - h), self.fill)
            h, w = _hw(image)
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) image {(h, w)}")
        top = int(self.rng.integers(0, h - th + 1))
        left = int(self.rng.integers(0, w - tw + 1))
        return _crop(image, top, left, th, tw)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.pad.padding if self.pad else None})"


class RandomHorizontalFlip(_Random):
    def __init__(self, p=0.5, seed=None):
        super().__init__(seed)
        self.p = p

    def __call__(self, image):
        if self.rng.random() >= self.p:
            return image
        return _hflip(image)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


def _hflip(image):
    array = _array(image)
    return _like(image, np.flip(array, axis=-1 if isinstance(image, Tensor) else 1).copy())


class FiveCrop:
    """The four corner crops and the centre crop of ``size``, as a tuple (top-left, top-right,
    bottom-left, bottom-right, centre) — torchvision's order.  For test-time augmentation:
    stack the crops into a batch and average the network's predictions."""

    def __init__(self, size):
        self.size = _size_pair(size, "FiveCrop")

    def __call__(self, image):
        (h, w), (th, tw) = _hw(image), self.size
        if th > h or tw > w:
            raise ValueError(f"FiveCrop: crop size {self.size} is larger than the image {(h, w)}")
        return (_crop(image, 0, 0, th, tw), _crop(image, 0, w - tw, th, tw), _crop(image, h - th, 0, th, tw),
                _crop(image, h - th, w - tw, th, tw), CenterCrop(self.size)(image))

    def __repr__(self):
        return f"FiveCrop(size={self.size})"


class TenCrop(FiveCrop):
    """FiveCrop of the image and FiveCrop of its mirror image: AlexNet's test-time "10-crop"
    (Krizhevsky et al. 2012, §4.1: the four corners and the centre, and their reflections)."""

    def __call__(self, image):
        return super().__call__(image) + super().__call__(_hflip(image))

    def __repr__(self):
        return f"TenCrop(size={self.size})"


def _bilinear(array, out_h, out_w, channels_first):
    """Bilinear resampling with half-pixel centres (align_corners=False): output pixel i samples
    the input at (i + ½)·(in / out) − ½, between its two nearest input pixels."""
    data = array.astype(np.float64)
    if not channels_first and data.ndim == 3:
        data = data.transpose(2, 0, 1)
    squeeze = data.ndim == 2
    if squeeze:
        data = data[None]
    in_h, in_w = data.shape[-2:]

    def weights(out_size, in_size):
        position = np.clip((np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5, 0, in_size - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, in_size - 1)
        return low, high, position - low

    top, bottom, fy = weights(out_h, in_h)
    left, right, fx = weights(out_w, in_w)
    rows = data[:, top] * (1 - fy)[:, None] + data[:, bottom] * fy[:, None]
    out = rows[:, :, left] * (1 - fx) + rows[:, :, right] * fx
    if squeeze:
        out = out[0]
    elif not channels_first:
        out = out.transpose(1, 2, 0)
    if array.dtype == np.uint8:
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    return out.astype(array.dtype)


class Resize:
    """Bilinear resize to ``size`` = (height, width), or, for an int, so that the shorter side is ``size``."""

    def __init__(self, size):
        self.size = size

    def __call__(self, image):
        h, w = _hw(image)
        if isinstance(self.size, numbers.Integral):
            if h <= w:
                out_h, out_w = self.size, int(self.size * w / h)
            else:
                out_h, out_w = int(self.size * h / w), self.size
        else:
            out_h, out_w = _size_pair(self.size, "Resize")
        return _like(image, _bilinear(_array(image), out_h, out_w, isinstance(image, Tensor)))

    def __repr__(self):
        return f"Resize(size={self.size})"


class RandomErasing(_Random):
    """With probability p, set a random rectangle of a (C, H, W) tensor to ``value``
    (Zhong et al. 2017): area ∈ scale·H·W, aspect ratio ∈ ratio (log-uniform), up to 10 tries."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, seed=None):
        super().__init__(seed)
        self.p, self.scale, self.ratio, self.value = p, scale, ratio, value

    def __call__(self, tensor):
        if self.rng.random() >= self.p:
            return tensor
        array = _array(tensor)
        h, w = array.shape[-2:]
        area = h * w
        log_ratio = np.log(self.ratio)
        for _ in range(10):
            erase_area = area * self.rng.uniform(*self.scale)
            aspect = math.exp(self.rng.uniform(*log_ratio))
            eh, ew = int(round(math.sqrt(erase_area * aspect))), int(round(math.sqrt(erase_area / aspect)))
            if 0 < eh < h and 0 < ew < w:
                top, left = int(self.rng.integers(0, h - eh + 1)), int(self.rng.integers(0, w - ew + 1))
                erased = array.copy()
                erased[..., top:top + eh, left:left + ew] = self.value
                return _like(tensor, erased)
        return tensor

    def __repr__(self):
        return f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value})"


# Principal components of ImageNet's RGB pixels (as used by fb.resnet.torch and many AlexNet ports).
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140), (-0.5836, -0.6948, 0.4203))


class PCAColorJitter(_Random):
    """AlexNet's colour augmentation (Krizhevsky et al. 2012, §4.1): add Σᵢ αᵢλᵢpᵢ to every RGB
    pixel, with pᵢ, λᵢ the eigenvectors/eigenvalues of the RGB covariance and αᵢ ~ N(0, alphastd²)
    drawn once per image.  Works on a (3, H, W) tensor."""

    def __init__(self, alphastd=0.1, eigval=IMAGENET_EIGVAL, eigvec=IMAGENET_EIGVEC, seed=None):
        super().__init__(seed)
        self.alphastd = alphastd
        self.eigval = np.asarray(eigval, dtype=np.float64)
        self.eigvec = np.asarray(eigvec, dtype=np.float64)  # columns are the eigenvectors

    @classmethod
    def fit(cls, images, alphastd=0.1, seed=None):
        """Estimate the components from images (N, 3, H, W) or (N, H, W, 3) in [0, 1]."""
        images = np.asarray(images, dtype=np.float64)
        pixels = images.transpose(0, 2, 3, 1).reshape(-1, 3) if images.shape[1] == 3 else images.reshape(-1, 3)
        eigval, eigvec = np.linalg.eigh(np.cov(pixels, rowvar=False))
        return cls(alphastd, eigval[::-1], eigvec[:, ::-1], seed)

    def __call__(self, tensor):
        array = _array(tensor)
        if array.shape[0] != 3:
            raise ValueError(f"PCAColorJitter: expected a (3, H, W) RGB tensor, got shape {array.shape}")
        alpha = self.rng.normal(0.0, self.alphastd, 3)
        shift = self.eigvec @ (alpha * self.eigval)  # one RGB offset for the whole image
        return _like(tensor, (array + shift.reshape(3, 1, 1)).astype(array.dtype))

    def __repr__(self):
        return f"PCAColorJitter(alphastd={self.alphastd})"
