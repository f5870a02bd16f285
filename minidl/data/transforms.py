"""Image transforms, torchvision-style, in NumPy.

Three image forms flow through a pipeline:
  * a PIL image — what ``ImageFolder`` loads; transforms return a PIL image for one, as
    torchvision's do (resizing and rotating then use PIL's own resampling, exactly as torchvision);
  * a NumPy array (H, W) or (H, W, C), usually uint8 — minidl's MNIST/CIFAR samples, laid out
    like a PIL image;
  * after ``ToTensor``: a ``Tensor`` (C, H, W), float32 in [0, 1] for 8-bit images.
Spatial transforms (pad, crop, flip, resize, rotate, erase) accept all three; colour transforms
are in ``color_transforms`` and re-exported here.  Random transforms draw from minidl's generator
(``minidl.manual_seed``) or, given ``seed=``, from their own generator, so a pipeline is
reproducible either way.  The resampling math is in ``minidl/data/resample.py``, the helpers
that let one transform take all three forms in ``minidl/data/image.py``.
"""
import math
import numbers

import numpy as np

from .. import backend
from .. import random as _random
from ..tensor import Tensor
from . import resample
from .color_transforms import (  # noqa: F401  (re-exported: torchvision keeps them in one namespace)
    IMAGENET_EIGVAL, IMAGENET_EIGVEC, ColorJitter, Grayscale, PCAColorJitter, RandomGrayscale,
)
from .image import (  # noqa: F401  (InterpolationMode: torchvision's transforms.InterpolationMode)
    InterpolationMode, RandomTransform, as_array, crop, interpolation_mode, rewrap, size_pair, spatial_size,
)
from .pil import is_pil, require_pil, to_array


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


class Lambda:
    """Apply a user function: ``Lambda(lambda image: image.crop((0, 0, 8, 8)))``."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, image):
        return self.lambd(image)

    def __repr__(self):
        return "Lambda()"


# PIL modes whose pixels are not 8-bit: ToTensor keeps their integer/float values (torchvision's table).
_PIL_DTYPES = {"I": np.int32, "I;16": np.int16, "F": np.float32}


class ToTensor:
    """PIL image or (H, W) / (H, W, C) array → Tensor (C, H, W), as torchvision's ``ToTensor``:
    8-bit images (uint8 arrays; PIL modes L, RGB, RGBA, P, …) become float32 divided by 255; mode
    ``1`` gives 0.0/1.0; PIL modes ``I;16``/``I``/``F`` give int16 (values above 32767 wrap, as
    torchvision's do)/int32/float32 unscaled; other arrays keep their dtype and values."""

    def __call__(self, pic):
        if is_pil(pic):
            array = np.array(pic, dtype=_PIL_DTYPES.get(pic.mode, np.uint8))
            if pic.mode == "1":
                array = 255 * array
            array = array.reshape(pic.height, pic.width, len(pic.getbands()))
        elif isinstance(pic, (np.ndarray, list, tuple)):
            array = np.asarray(pic)
            if array.ndim == 2:
                array = array[:, :, None]
            elif array.ndim != 3:
                raise ValueError(f"ToTensor: expected an (H, W) or (H, W, C) image, got shape {array.shape}")
        else:
            raise TypeError(f"ToTensor: pic should be a PIL image or a NumPy array, got {type(pic).__name__}")
        array = np.ascontiguousarray(array.transpose(2, 0, 1))
        if array.dtype == np.uint8:
            array = array.astype(np.float32) / np.float32(255)
        return Tensor._wrap(array, False)

    def __repr__(self):
        return "ToTensor()"


class PILToTensor:
    """PIL image → Tensor (C, H, W) of its raw values and dtype (uint8 for 8-bit modes), unscaled."""

    def __call__(self, pic):
        if not is_pil(pic):
            raise TypeError(f"PILToTensor: pic should be a PIL image, got {type(pic).__name__}")
        array = to_array(pic)
        array = array.reshape(pic.height, pic.width, -1).transpose(2, 0, 1)
        return Tensor._wrap(np.ascontiguousarray(array), False)

    def __repr__(self):
        return "PILToTensor()"


class ToPILImage:
    """Tensor (C, H, W) or array (H, W[, C]) → PIL image, as torchvision's ``ToPILImage``: float
    values are multiplied by 255 and truncated to uint8; the mode follows the channels (1: L, or
    I;16 / I / F for int16 / int32 / float32 arrays, 2: LA, 3: RGB, 4: RGBA) unless ``mode`` is given."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        Image = require_pil("ToPILImage")
        if isinstance(pic, Tensor):
            array = backend.to_device(pic.array, "cpu")
            if array.ndim == 2:
                array = array[None]
            array = array.transpose(1, 2, 0)
            if np.issubdtype(array.dtype, np.floating) and self.mode != "F":
                array = (array * 255).astype(np.uint8)
        else:
            array = np.asarray(pic)
            array = array[:, :, None] if array.ndim == 2 else array
        if array.ndim != 3 or array.shape[-1] > 4:
            raise ValueError(f"ToPILImage: expected an image with 1 to 4 channels, got shape {array.shape}")
        if array.shape[-1] == 1:
            array = array[..., 0]
            mode = self.mode or {np.dtype(np.int16): "I;16", np.dtype(np.int32): "I",
                                 np.dtype(np.float32): "F"}.get(array.dtype, "L")
            array = array.astype(np.uint16 if mode == "I;16" else array.dtype)
        else:
            mode = self.mode or {2: "LA", 3: "RGB", 4: "RGBA"}[array.shape[-1]]
        image = Image.fromarray(np.ascontiguousarray(array))
        return image if image.mode == mode else image.convert(mode)

    def __repr__(self):
        return f"ToPILImage(mode={self.mode})"


class Normalize:
    """(x − mean[c]) / std[c] for each channel of a (..., C, H, W) tensor."""

    def __init__(self, mean, std, inplace=False):
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)
        self.inplace = inplace  # accepted for torchvision's signature; minidl returns a new tensor
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must not contain zeros, got {std}")

    def __call__(self, tensor):
        array = as_array(tensor)
        if array.ndim < 3 or self.mean.shape[0] not in (1, array.shape[-3]):
            raise ValueError(f"Normalize: expected a (C, H, W) tensor with {self.mean.shape[0]} channels, got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.floating):
            raise TypeError(f"Normalize: input tensor should be a float tensor, got {array.dtype} (convert it with "
                            "ToTensor(), or ConvertImageDtype / .float() / 255)")
        xp = backend.get_array_module(array)
        mean, std = xp.asarray(self.mean), xp.asarray(self.std)
        dtype = array.dtype   # float32 stays float32, float64 stays float64
        return Tensor._wrap(((array - mean) / std).astype(dtype, copy=False), False)

    def __repr__(self):
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def _pad(image, left, top, right, bottom, fill=0, padding_mode="constant"):
    """Pad the two spatial axes.  ``edge`` repeats the border pixel; ``reflect`` mirrors without
    repeating it (1 2 3 → 3 2 | 1 2 3 | 2 1); ``symmetric`` mirrors repeating it (2 1 | 1 2 3 | 3 2);
    ``constant`` fills with ``fill`` (a number, or one value per channel)."""
    array = as_array(image)
    xp = backend.get_array_module(array)
    tensor = isinstance(image, Tensor)
    h_axis = array.ndim - 2 if tensor else 0
    widths = [(0, 0)] * array.ndim
    widths[h_axis], widths[h_axis + 1] = (top, bottom), (left, right)
    if padding_mode != "constant":
        return rewrap(image, xp.pad(array, widths, mode=padding_mode))
    shape = tuple(n + a + b for n, (a, b) in zip(array.shape, widths))
    fill = xp.asarray(fill, dtype=array.dtype)
    if fill.ndim == 1 and tensor:
        fill = fill.reshape(-1, 1, 1)            # one value per channel of (C, H, W)
    out = xp.empty(shape, dtype=array.dtype)
    out[...] = fill
    out[tuple(slice(a, a + n) for n, (a, _) in zip(array.shape, widths))] = array
    return rewrap(image, out)


class Pad:
    """Pad borders: ``padding`` = all sides, (left/right, top/bottom) or (left, top, right, bottom);
    ``padding_mode`` one of constant (with ``fill``), edge, reflect, symmetric."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if isinstance(padding, numbers.Integral):
            padding = (padding,) * 4
        elif len(padding) == 1:
            padding = tuple(padding) * 4
        elif len(padding) == 2:
            padding = (padding[0], padding[1], padding[0], padding[1])
        elif len(padding) != 4:
            raise ValueError(f"Pad: padding must have 1, 2 or 4 values, got {padding!r}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"Pad: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
        if min(padding) < 0:
            raise ValueError(f"Pad: padding must be non-negative, got {padding!r}")
        self.padding, self.fill, self.padding_mode = tuple(int(p) for p in padding), fill, padding_mode

    def __call__(self, image):
        return _pad(image, *self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class CenterCrop:
    def __init__(self, size):
        self.size = size_pair(size, "CenterCrop")

    def __call__(self, image):
        (h, w), (th, tw) = spatial_size(image), self.size
        if th > h or tw > w:  # torchvision pads with zeros first
            left, top = max(0, (tw - w) // 2), max(0, (th - h) // 2)
            image = _pad(image, left, top, max(0, tw - w - left), max(0, th - h - top), 0)
            h, w = spatial_size(image)
        return crop(image, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomCrop(RandomTransform):
    """Pad by ``padding`` (the classic CIFAR augmentation: 4), then crop ``size`` at a random place."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", seed=None):
        super().__init__(seed)
        self.size = size_pair(size, "RandomCrop")
        self.pad = Pad(padding, fill, padding_mode) if padding else None
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def __call__(self, image):
        if self.pad is not None:
            image = self.pad(image)
        (h, w), (th, tw) = spatial_size(image), self.size
        if self.pad_if_needed and (h < th or w < tw):
            image = _pad(image, max(0, tw - w), max(0, th - h), max(0, tw - w), max(0, th - h), self.fill,
                         self.padding_mode)
            h, w = spatial_size(image)
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) image {(h, w)}")
        top = int(self.rng.integers(0, h - th + 1))
        left = int(self.rng.integers(0, w - tw + 1))
        return crop(image, top, left, th, tw)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.pad.padding if self.pad else None})"


class RandomHorizontalFlip(RandomTransform):
    def __init__(self, p=0.5, seed=None):
        super().__init__(seed)
        self.p = p

    def __call__(self, image):
        if self.rng.random() >= self.p:
            return image
        return _hflip(image)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, image):
        if self.rng.random() >= self.p:
            return image
        return _vflip(image)

    def __repr__(self):
        return f"RandomVerticalFlip(p={self.p})"


def _hflip(image):
    array = as_array(image)
    return rewrap(image, array[..., ::-1].copy() if isinstance(image, Tensor) else array[:, ::-1].copy())


def _vflip(image):
    array = as_array(image)
    return rewrap(image, array[..., ::-1, :].copy() if isinstance(image, Tensor) else array[::-1].copy())


class FiveCrop:
    """The four corner crops and the centre crop of ``size``, as a tuple (top-left, top-right,
    bottom-left, bottom-right, centre) — torchvision's order.  For test-time augmentation:
    stack the crops into a batch and average the network's predictions."""

    def __init__(self, size):
        self.size = size_pair(size, "FiveCrop")

    def __call__(self, image):
        (h, w), (th, tw) = spatial_size(image), self.size
        if th > h or tw > w:
            raise ValueError(f"FiveCrop: crop size {self.size} is larger than the image {(h, w)}")
        return (crop(image, 0, 0, th, tw), crop(image, 0, w - tw, th, tw), crop(image, h - th, 0, th, tw),
                crop(image, h - th, w - tw, th, tw), CenterCrop(self.size)(image))

    def __repr__(self):
        return f"FiveCrop(size={self.size})"


class TenCrop(FiveCrop):
    """FiveCrop of the image and FiveCrop of its mirror image: AlexNet's test-time "10-crop"
    (Krizhevsky et al. 2012, §4.1: the four corners and the centre, and their reflections)."""

    def __call__(self, image):
        return super().__call__(image) + super().__call__(_hflip(image))

    def __repr__(self):
        return f"TenCrop(size={self.size})"


def _resize(image, out_h, out_w, interpolation="bilinear", antialias=True):
    """Resize to (out_h, out_w): PIL images with PIL's ``resize`` (torchvision's PIL path, which
    always antialiases when shrinking); arrays and tensors with ``resample.resize`` (torchvision's
    tensor path, ``interpolate(..., antialias=True)``)."""
    if is_pil(image):
        Image = require_pil("resizing a PIL image")
        name = "NEAREST" if interpolation == "nearest-exact" else interpolation.upper()  # PIL's NEAREST is exact
        return image.resize((out_w, out_h), getattr(Image.Resampling, name))
    if interpolation == "nearest-exact":
        return rewrap(image, _nearest_exact(as_array(image), out_h, out_w, isinstance(image, Tensor)))
    if interpolation not in resample.INTERPOLATIONS:
        raise ValueError(f"Resize: interpolation {interpolation!r} works on PIL images only; arrays and tensors take "
                         f"{resample.INTERPOLATIONS}")
    array = as_array(image)
    return rewrap(image, resample.resize(array, out_h, out_w, interpolation, antialias, isinstance(image, Tensor)))


def _nearest_exact(array, out_h, out_w, channels_first):
    """Output pixel i takes input pixel floor((i + ½) · in/out): the centre-aligned nearest neighbour
    (PyTorch's "nearest-exact", PIL's NEAREST)."""
    xp = backend.get_array_module(array)
    h_axis, w_axis = (array.ndim - 2, array.ndim - 1) if channels_first else (0, 1)
    height, width = array.shape[h_axis], array.shape[w_axis]
    rows = xp.minimum(((xp.arange(out_h) + 0.5) * (height / out_h)).astype(xp.int64), height - 1)
    cols = xp.minimum(((xp.arange(out_w) + 0.5) * (width / out_w)).astype(xp.int64), width - 1)
    return xp.take(xp.take(array, rows, axis=h_axis), cols, axis=w_axis)


def _resized_size(h, w, size, max_size, name="Resize"):
    """torchvision's rule: an int (or a 1-sequence) sets the shorter side, keeping the aspect ratio
    (the longer side rounded down), capped so the longer side is at most ``max_size``."""
    if not isinstance(size, numbers.Integral) and len(size) == 2:
        if max_size is not None:
            raise ValueError(f"{name}: max_size should only be passed if size is an int or a 1-sequence, got size={size!r}")
        return int(size[0]), int(size[1])
    requested = int(size) if isinstance(size, numbers.Integral) else int(size[0])
    short, long = (h, w) if h <= w else (w, h)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"{name}: max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge (size = {size})")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_short, new_long) if h <= w else (new_long, new_short)


class Resize:
    """Resize to ``size`` = (height, width), or, for an int, so that the shorter side is ``size``.

    Bilinear by default and antialiased when shrinking (torchvision's defaults since 0.17; see
    ``minidl/data/resample.py`` for the math).  ``interpolation``: an ``InterpolationMode`` or its
    string; arrays and tensors take nearest, bilinear, bicubic, PIL images every PIL filter.
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, numbers.Integral) and len(size) not in (1, 2):
            raise ValueError(f"Resize: size must be an int or a sequence of 1 or 2 ints, got {size!r}")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = interpolation_mode(interpolation, "Resize")

    def __call__(self, image):
        out_h, out_w = _resized_size(*spatial_size(image), self.size, self.max_size)
        return _resize(image, out_h, out_w, self.interpolation, self.antialias)

    def __repr__(self):
        return f"Resize(size={self.size}, interpolation={self.interpolation}, antialias={self.antialias})"


class RandomResizedCrop(RandomTransform):
    """Crop a random rectangle and resize it to ``size`` (Szegedy et al. 2015, "Going deeper with
    convolutions", §6: the Inception/ResNet ImageNet augmentation): area a fraction ∈ ``scale`` of
    the image, aspect ratio ∈ ``ratio`` drawn log-uniformly; after 10 failed tries, the largest
    centred crop whose ratio is within ``ratio``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=InterpolationMode.BILINEAR,
                 antialias=True, seed=None):
        super().__init__(seed)
        self.size = size_pair(size, "RandomResizedCrop")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError(f"RandomResizedCrop: scale and ratio should be of kind (min, max), got {scale}, {ratio}")
        self.scale, self.ratio, self.antialias = tuple(scale), tuple(ratio), antialias
        self.interpolation = interpolation_mode(interpolation, "RandomResizedCrop")

    @staticmethod
    def get_params(image, scale, ratio, rng=None):
        """(top, left, height, width) of a random crop, drawn from ``rng`` (default minidl's generator)."""
        rng = rng if rng is not None else _random.generator(np)
        height, width = spatial_size(image)
        area = height * width
        log_ratio = np.log(ratio)
        for _ in range(10):
            target_area = area * rng.uniform(scale[0], scale[1])
            aspect = math.exp(rng.uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1)), h, w
        in_ratio = width / height                # fallback: a centre crop
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            h, w = height, width
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, image):
        top, left, h, w = self.get_params(image, self.scale, self.ratio, self.rng)
        return _resize(crop(image, top, left, h, w), *self.size, self.interpolation, self.antialias)

    def __repr__(self):
        return (f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio}, "
                f"interpolation={self.interpolation})")


class RandomRotation(RandomTransform):
    """Rotate counter-clockwise by an angle drawn uniformly from ``degrees`` (a number d means
    (−d, d)), about ``center`` (x, y) (default the image centre); ``expand`` grows the output to hold
    the whole rotated image; uncovered pixels get ``fill``.  PIL images use ``Image.rotate``
    (torchvision's PIL path); arrays and tensors the same inverse map (``resample.rotation_matrix``)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0, seed=None):
        super().__init__(seed)
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError(f"RandomRotation: if degrees is a single number, it must be positive, got {degrees}")
            degrees = (-degrees, degrees)
        elif len(degrees) != 2:
            raise ValueError(f"RandomRotation: degrees should be a number or a sequence of 2 numbers, got {degrees!r}")
        self.degrees = (float(degrees[0]), float(degrees[1]))
        self.interpolation = interpolation_mode(interpolation, "RandomRotation")
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"RandomRotation: interpolation must be nearest or bilinear, got {self.interpolation!r}")
        self.expand, self.center, self.fill = expand, center, fill

    def __call__(self, image):
        angle = float(self.rng.uniform(*self.degrees))
        return rotate(image, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self):
        return f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation}, expand={self.expand})"


def _pil_fill(image, fill):
    """``fill`` as PIL wants it: a number for a one-band image, else one value per band."""
    bands = len(image.getbands())
    if fill is None or isinstance(fill, numbers.Number):
        fill = 0 if fill is None else fill
        return fill if bands == 1 else (fill,) * bands
    fill = tuple(fill) * bands if len(fill) == 1 else tuple(fill)
    if len(fill) != bands:
        raise ValueError(f"rotate: fill has {len(fill)} values but the image has {bands} bands")
    return fill


def rotate(image, angle, interpolation="nearest", expand=False, center=None, fill=0):
    """Rotate a PIL image, an (H, W[, C]) array or a (..., C, H, W) tensor by ``angle`` degrees counter-clockwise."""
    interpolation = interpolation_mode(interpolation, "rotate")
    if is_pil(image):
        Image = require_pil("rotating a PIL image")
        resample_filter = getattr(Image.Resampling, interpolation.upper())
        return image.rotate(angle, resample_filter, expand, center, fillcolor=_pil_fill(image, fill))
    height, width = spatial_size(image)
    array = as_array(image)
    channels_first = isinstance(image, Tensor)
    quarter_turns = (angle % 360) / 90
    if center is None and quarter_turns in (1, 2, 3) and (expand or height == width or quarter_turns == 2):
        # exact quarter turns are transposes, as in PIL (no resampling, and the expanded size is exact)
        axes = (-2, -1) if channels_first else (0, 1)
        xp = backend.get_array_module(array)
        return rewrap(image, xp.ascontiguousarray(xp.rot90(array, int(quarter_turns), axes=axes)))
    matrix, out_h, out_w = resample.rotation_matrix(height, width, angle, center, expand)
    return rewrap(image, resample.affine_sample(array, matrix, out_h, out_w, interpolation, fill, channels_first))


class RandomErasing(RandomTransform):
    """With probability p, set a random rectangle of a (C, H, W) tensor to ``value``
    (Zhong et al. 2017): area ∈ scale·H·W, aspect ratio ∈ ratio (log-uniform), up to 10 tries."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, seed=None):
        super().__init__(seed)
        self.p, self.scale, self.ratio, self.value = p, scale, ratio, value

    def __call__(self, tensor):
        if self.rng.random() >= self.p:
            return tensor
        array = as_array(tensor)
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
                return rewrap(tensor, erased)
        return tensor

    def __repr__(self):
        return f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value})"
