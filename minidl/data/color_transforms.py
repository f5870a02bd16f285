"""Colour transforms, torchvision-style: Grayscale, RandomGrayscale, ColorJitter and AlexNet's
PCA colour augmentation.  Re-exported by ``minidl.data.transforms``.

Each works on the three image forms of ``transforms``:
  * PIL images go through PIL, as torchvision's PIL path does (``convert("L")``,
    ``ImageEnhance`` for brightness/contrast/saturation, an HSV round trip for hue);
  * tensors (..., C, H, W) follow torchvision's tensor math: luma ``0.2989 R + 0.587 G + 0.114 B``,
    and every adjustment a blend ``clamp(f·image + (1 − f)·other, 0, 1)`` with ``other`` black
    (brightness), the mean luma (contrast) or the luma image (saturation); hue rotates H in HSV;
  * uint8 (H, W[, C]) arrays, which stand for PIL images, follow PIL's integer arithmetic (its
    luma ``(19595 R + 38470 G + 7471 B + 2¹⁵) >> 16`` and its truncating blend), so grayscale,
    brightness, contrast and saturation match PIL's results; hue follows the tensor math in floats
    (PIL's 8-bit HSV round trip alone moves pixels by a few levels).
"""
import numbers

import numpy as np

from .. import backend
from ..tensor import Tensor
from .pil import is_pil, require_pil, to_array
from .image import RandomTransform, as_array, rewrap


def _channels_first(image):
    """``(data, bound, back)``: the image as a float array (..., C, H, W) with values in [0, bound]
    (bound 255 for integer images, else 1), and a function turning such an array back into the
    image's form and dtype (integers truncated, as torchvision's ``.to(torch.uint8)`` does)."""
    array = as_array(image)
    xp = backend.get_array_module(array)
    integer = np.issubdtype(array.dtype, np.integer)
    bound = 255.0 if integer else 1.0
    data = array.astype(np.float32 if integer or array.dtype == np.float32 else np.float64)   # torchvision: float32
    if not isinstance(image, Tensor):
        data = xp.moveaxis(data[..., None] if array.ndim == 2 else data, -1, 0)

    def back(out):
        out = xp.clip(xp.trunc(out), 0, bound).astype(array.dtype) if integer else out.astype(array.dtype)
        if isinstance(image, Tensor):
            return Tensor._wrap(out, False)
        out = xp.moveaxis(out, 0, -1)
        return out[..., 0] if array.ndim == 2 else out
    return data, bound, back


def _luma(data, bound=1.0):
    """(..., 1, H, W) luma of (..., 3, H, W) RGB (ITU-R 601-2 weights, torchvision's); truncated
    for integer images (bound 255), as torchvision's ``rgb_to_grayscale`` does."""
    xp = backend.get_array_module(data)
    luma = 0.2989 * data[..., 0:1, :, :] + 0.587 * data[..., 1:2, :, :] + 0.114 * data[..., 2:3, :, :]
    return xp.trunc(luma) if bound != 1.0 else luma


def _blend(data, other, factor, bound):
    xp = backend.get_array_module(data)
    return xp.clip(factor * data + (1.0 - factor) * other, 0.0, bound)


def rgb_to_hsv(rgb):
    """(..., 3, H, W) RGB in [0, 1] → HSV in [0, 1] (the hexcone model, Smith 1978)."""
    xp = backend.get_array_module(rgb)
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    value, low = rgb.max(axis=-3), rgb.min(axis=-3)
    chroma = value - low
    grey = chroma == 0
    saturation = chroma / xp.where(grey, 1.0, value)
    safe = xp.where(grey, 1.0, chroma)
    rc, gc, bc = (value - r) / safe, (value - g) / safe, (value - b) / safe
    hue = xp.where(value == r, bc - gc, xp.where(value == g, 2.0 + rc - bc, 4.0 + gc - rc))
    hue = xp.where(grey, 0.0, hue)
    return xp.stack([(hue / 6.0 + 1.0) % 1.0, saturation, value], axis=-3)


def hsv_to_rgb(hsv):
    """Inverse of :func:`rgb_to_hsv`: the hue's sixth of the circle picks which of v, p, q, t each channel gets."""
    xp = backend.get_array_module(hsv)
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    sector = xp.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.astype(np.int64) % 6
    p = xp.clip(v * (1.0 - s), 0, 1)
    q = xp.clip(v * (1.0 - s * f), 0, 1)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0, 1)
    table = ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))
    channels = [xp.select([sector == k for k in range(6)], [row[c] for row in table]) for c in range(3)]
    return xp.stack(channels, axis=-3)


def _is_integer_array(image):
    return not isinstance(image, Tensor) and np.issubdtype(as_array(image).dtype, np.integer)


def _pil_blend(array, degenerate, factor):
    """PIL's ``Image.blend`` of uint8 images, which ``ImageEnhance`` uses: degenerate + f·(image −
    degenerate) in single precision, truncated towards zero, clipped to [0, 255]."""
    out = degenerate.astype(np.float32) + np.float32(factor) * (array.astype(np.float32) - degenerate.astype(np.float32))
    return np.clip(np.trunc(out), 0, 255).astype(array.dtype)


def _integer_luma(array):
    """PIL's luma of a uint8 (H, W[, C]) image, (H, W[, 1]) to broadcast against it."""
    return to_grayscale(array)[..., None] if array.ndim == 3 else array


def adjust_brightness(image, factor):
    """Blend with black: ``factor`` 0 gives black, 1 the image, 2 twice as bright (clipped)."""
    if is_pil(image):
        from PIL import ImageEnhance
        return ImageEnhance.Brightness(image).enhance(factor)
    if _is_integer_array(image):
        array = as_array(image)
        return _pil_blend(array, np.zeros_like(array), factor)
    data, bound, back = _channels_first(image)
    return back(_blend(data, 0.0, factor, bound))


def adjust_contrast(image, factor):
    """Blend with the image's mean luma: ``factor`` 0 gives uniform grey, 1 the image."""
    if is_pil(image):
        from PIL import ImageEnhance
        return ImageEnhance.Contrast(image).enhance(factor)
    if _is_integer_array(image):
        array = as_array(image)
        mean = int(_integer_luma(array).mean() + 0.5)   # PIL rounds the mean grey level
        return _pil_blend(array, np.full_like(array, mean), factor)
    data, bound, back = _channels_first(image)
    luma = _luma(data, bound) if data.shape[-3] == 3 else data
    return back(_blend(data, luma.mean(axis=(-3, -2, -1), keepdims=True), factor, bound))


def adjust_saturation(image, factor):
    """Blend with the luma image: ``factor`` 0 gives grayscale, 1 the image, 2 more saturated."""
    if is_pil(image):
        from PIL import ImageEnhance
        return ImageEnhance.Color(image).enhance(factor)
    if _is_integer_array(image):
        array = as_array(image)
        if array.ndim == 2 or array.shape[-1] == 1:
            return array
        luma = _integer_luma(array)
        return _pil_blend(array, np.broadcast_to(luma, array.shape), factor)
    data, bound, back = _channels_first(image)
    return back(data) if data.shape[-3] == 1 else back(_blend(data, _luma(data, bound), factor, bound))


def adjust_hue(image, hue_factor):
    """Rotate the hue by ``hue_factor`` ∈ [−0.5, 0.5] of a full turn."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor ({hue_factor}) is not in [-0.5, 0.5]")
    if is_pil(image):
        Image = require_pil("adjusting the hue of a PIL image")
        if image.mode in ("L", "1", "I", "F"):
            return image
        hue, saturation, value = image.convert("HSV").split()
        shifted = to_array(hue).astype(np.uint8) + np.array(hue_factor * 255).astype(np.int8).view(np.uint8)
        hue = Image.fromarray(shifted.astype(np.uint8))
        return Image.merge("HSV", (hue, saturation, value)).convert(image.mode)
    data, bound, back = _channels_first(image)
    if data.shape[-3] == 1:
        return back(data)
    hsv = rgb_to_hsv(data / bound)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + hue_factor) % 1.0
    return back(hsv_to_rgb(hsv) * bound)


class Grayscale:
    """To grayscale with ``num_output_channels`` 1 or 3 (the luma repeated)."""

    def __init__(self, num_output_channels=1):
        if num_output_channels not in (1, 3):
            raise ValueError(f"Grayscale: num_output_channels should be 1 or 3, got {num_output_channels}")
        self.num_output_channels = num_output_channels

    def __call__(self, image):
        return to_grayscale(image, self.num_output_channels)

    def __repr__(self):
        return f"Grayscale(num_output_channels={self.num_output_channels})"


def to_grayscale(image, num_output_channels=1):
    if is_pil(image):
        Image = require_pil("converting a PIL image to grayscale")
        gray = image.convert("L")
        if num_output_channels == 3:
            gray = Image.fromarray(np.dstack([to_array(gray)] * 3))
        return gray
    array = as_array(image)
    xp = backend.get_array_module(array)
    if isinstance(image, Tensor):
        if array.shape[-3] not in (1, 3):
            raise TypeError(f"Grayscale: input image tensor should have 1 or 3 channels, got {array.shape[-3]} "
                            f"(shape {tuple(array.shape)})")
        luma = _luma(array) if array.shape[-3] == 3 else array
        return rewrap(image, xp.concatenate([luma] * num_output_channels, axis=-3).astype(array.dtype, copy=False))
    if array.ndim == 2 or array.shape[-1] == 1:
        gray = array.reshape(array.shape[:2])
    elif np.issubdtype(array.dtype, np.integer):  # PIL's integer luma: (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16
        rgb = array[..., :3].astype(np.int64)
        gray = ((19595 * rgb[..., 0] + 38470 * rgb[..., 1] + 7471 * rgb[..., 2] + 0x8000) >> 16).astype(array.dtype)
    else:
        gray = (0.2989 * array[..., 0] + 0.587 * array[..., 1] + 0.114 * array[..., 2]).astype(array.dtype)
    return gray if num_output_channels == 1 else xp.stack([gray] * 3, axis=-1)


class RandomGrayscale(RandomTransform):
    """With probability ``p``, grayscale keeping the number of channels."""

    def __init__(self, p=0.1, seed=None):
        super().__init__(seed)
        self.p = p

    def __call__(self, image):
        if self.rng.random() >= self.p:
            return image
        bands = len(image.getbands()) if is_pil(image) else (
            as_array(image).shape[-3] if isinstance(image, Tensor) else (1 if as_array(image).ndim == 2 else as_array(image).shape[-1]))
        return to_grayscale(image, 3 if bands == 3 else 1)

    def __repr__(self):
        return f"RandomGrayscale(p={self.p})"


def _jitter_range(value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"ColorJitter: if {name} is a single number, it must be non negative, got {value}")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif len(value) != 2:
        raise TypeError(f"ColorJitter: {name} should be a single number or a list/tuple with length 2, got {value!r}")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"ColorJitter: {name} values should be between {bound}, but got {value}")
    return None if value[0] == value[1] == center else (float(value[0]), float(value[1]))


class ColorJitter(RandomTransform):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Each of ``brightness``, ``contrast``, ``saturation`` is a number b (factor drawn from
    [max(0, 1 − b), 1 + b]) or a (min, max) range; ``hue`` a number h ≤ 0.5 (shift drawn from
    [−h, h]) or a range within [−0.5, 0.5].  0 leaves that property alone.
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, seed=None):
        super().__init__(seed)
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def get_params(self):
        """(order of the four adjustments, brightness, contrast, saturation, hue factors or None)."""
        order = self.rng.permutation(4)
        factors = [None if r is None else float(self.rng.uniform(r[0], r[1]))
                   for r in (self.brightness, self.contrast, self.saturation, self.hue)]
        return (order, *factors)

    def __call__(self, image):
        order, *factors = self.get_params()
        adjust = (adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue)
        for index in order:
            if factors[index] is not None:
                image = adjust[index](image, factors[index])
        return image

    def __repr__(self):
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, "
                f"hue={self.hue})")


# Principal components of ImageNet's RGB pixels (as used by fb.resnet.torch and many AlexNet ports).
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140), (-0.5836, -0.6948, 0.4203))


class PCAColorJitter(RandomTransform):
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
        array = as_array(tensor)
        if array.shape[0] != 3:
            raise ValueError(f"PCAColorJitter: expected a (3, H, W) RGB tensor, got shape {array.shape}")
        alpha = self.rng.normal(0.0, self.alphastd, 3)
        shift = self.eigvec @ (alpha * self.eigval)  # one RGB offset for the whole image
        return rewrap(tensor, (array + shift.reshape(3, 1, 1)).astype(array.dtype))

    def __repr__(self):
        return f"PCAColorJitter(alphastd={self.alphastd})"
