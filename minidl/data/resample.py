"""Resampling an image onto a new pixel grid: resizing (antialiased, as PIL and torchvision do)
and rotating.  The math behind ``transforms.Resize``, ``RandomResizedCrop`` and ``RandomRotation``.

Resizing is a linear map along each axis: output pixel i is a weighted sum of input pixels,
``out = W_h · image · W_wᵀ`` with one (out, in) weight matrix per axis.  Pixel centres sit at
``k + ½`` (``align_corners=False``), so output pixel i is centred at input coordinate
``c_i = (i + ½) · in/out`` and input pixel j gets the weight ``f((j + ½ − c_i) / s)``, each row
normalised to sum to 1.  The filter ``f`` is the triangle ``max(0, 1 − |x|)`` for bilinear.

Antialiasing is the stretch ``s``.  Growing an image (in/out ≤ 1), ``s = 1`` and the triangle
touches the two nearest input pixels: plain bilinear interpolation.  Shrinking by a factor
``in/out > 1`` without antialiasing, the triangle still touches only two pixels and the rest are
skipped, so fine detail aliases (a 1-pixel checkerboard halved can come out all black or all
white).  With antialiasing ``s = in/out``: the triangle widens to cover every input pixel that
falls under the output pixel, which averages them (a box-like low-pass filter before sampling).
This is PIL's ``Image.resize`` (``Resampling.BILINEAR`` always antialiases when reducing) and
``torch.nn.functional.interpolate(mode="bilinear", antialias=True)``, which torchvision's
``Resize`` uses by default.  (Sources: PIL's ``libImaging/Resample.c``, ``precompute_coeffs``;
PyTorch's ``UpSampleKernel.cpp``, a port of it.)

uint8 images are resized as PIL does: the horizontal pass first, rounded to uint8, then the
vertical pass (PIL's fixed-point weights can make a pixel differ from this by 1).
"""
import math

import numpy as np

from .. import backend
from ..functions import interpolate

INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


def resize_weights(in_size, out_size, interpolation="bilinear", antialias=True):
    """The (out_size, in_size) float64 matrix W with ``out = W @ in`` along one axis — the same
    matrices ``F.interpolate`` uses (functions/interpolate.py), so a tensor ``Resize`` equals
    torchvision's ``interpolate`` call.

    ``nearest`` takes input pixel ``floor(i · in/out)`` (PyTorch's ``mode="nearest"``);
    ``bilinear`` and ``bicubic`` weigh input pixels by the filter centred on the output pixel,
    widened by the shrink factor when ``antialias`` (see the module docstring); without antialias
    they are PyTorch's plain linear and cubic (a = −0.75) interpolation.
    """
    scale = in_size / out_size
    if interpolation == "nearest":
        weights = np.zeros((out_size, in_size))
        source = np.minimum(np.floor(np.arange(out_size) * scale).astype(int), in_size - 1)
        weights[np.arange(out_size), source] = 1.0
        return weights
    if antialias:
        return interpolate.antialias_matrix(in_size, out_size, scale, interpolation)
    if interpolation == "bilinear":
        return interpolate.linear_matrix(in_size, out_size, scale, False)
    return interpolate.cubic_matrix(in_size, out_size, scale, False)


def resize(array, out_h, out_w, interpolation="bilinear", antialias=True, channels_first=True):
    """Resize the last two axes (``channels_first``: (..., H, W)) or the first two ((H, W, ...))
    of a NumPy/CuPy array to (out_h, out_w).  Same dtype out; integer images are rounded and clipped."""
    xp = backend.get_array_module(array)
    in_h, in_w = (array.shape[-2:] if channels_first else array.shape[:2])
    w_h = xp.asarray(resize_weights(in_h, out_h, interpolation, antialias))
    w_w = xp.asarray(resize_weights(in_w, out_w, interpolation, antialias))
    data = array.astype(np.float64)
    if not channels_first:
        data = xp.moveaxis(data, (0, 1), (-2, -1))
    integer = np.issubdtype(array.dtype, np.integer)
    data = data @ w_w.T                                   # horizontal pass: (..., H, W) → (..., H, out_w)
    if integer:
        data = _round_to(data, array.dtype, xp)
    data = w_h @ data.astype(np.float64)                 # vertical pass: (..., H, out_w) → (..., out_h, out_w)
    out = _round_to(data, array.dtype, xp) if integer else data.astype(array.dtype)
    return out if channels_first else xp.moveaxis(out, (-2, -1), (0, 1))


def _round_to(data, dtype, xp):
    info = np.iinfo(dtype)
    return xp.clip(xp.rint(data), info.min, info.max).astype(dtype)


def rotation_matrix(height, width, angle, center=None, expand=False):
    """The inverse map of a counter-clockwise rotation by ``angle`` degrees about ``center``
    (x, y) in pixels (default: the image centre), as PIL's ``Image.rotate`` builds it.

    Returns ``(matrix, out_h, out_w)``: ``matrix`` is 2×3 and sends an output point (x, y, 1),
    y pointing down, to the input point it samples: ``[[cos, −sin], [sin, cos]]`` about the
    centre.  With ``expand`` the output grows to hold the whole rotated image.
    """
    theta = math.radians(angle)
    cos, sin = round(math.cos(theta), 15), round(math.sin(theta), 15)
    cx, cy = (width / 2.0, height / 2.0) if center is None else (float(center[0]), float(center[1]))
    matrix = np.array([[cos, -sin, 0.0], [sin, cos, 0.0]])
    matrix[:, 2] = [cx, cy] - matrix[:, :2] @ [cx, cy]   # rotate about the centre
    out_h, out_w = height, width
    if expand:
        corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], dtype=float)
        xs, ys = matrix @ corners.T
        out_w = math.ceil(xs.max()) - math.floor(xs.min())
        out_h = math.ceil(ys.max()) - math.floor(ys.min())
        # the grown canvas is centred on the old one: shift by half the growth
        matrix[:, 2] = matrix @ [-(out_w - width) / 2.0, -(out_h - height) / 2.0, 1.0]
    return matrix, out_h, out_w


def affine_sample(array, matrix, out_h, out_w, interpolation="nearest", fill=0, channels_first=True):
    """Sample an image through an inverse affine map (2×3 ``matrix``: output (x, y) → input point),
    at pixel centres, as PIL's ``Image.transform`` does: ``nearest`` takes the pixel containing the
    point; ``bilinear`` blends the four nearest pixel centres (edges clamped); points outside the
    image get ``fill`` (a number, or one per channel).  Integer images are truncated, as PIL does."""
    xp = backend.get_array_module(array)
    data = array if channels_first else xp.moveaxis(array, (0, 1), (-2, -1)) if array.ndim > 2 else array
    in_h, in_w = data.shape[-2:]
    ys, xs = np.meshgrid(np.arange(out_h) + 0.5, np.arange(out_w) + 0.5, indexing="ij")
    src_x = matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]
    src_y = matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]
    inside = xp.asarray((src_x >= 0) & (src_x < in_w) & (src_y >= 0) & (src_y < in_h))
    if interpolation == "nearest":
        col = np.clip(np.floor(src_x).astype(int), 0, in_w - 1)
        row = np.clip(np.floor(src_y).astype(int), 0, in_h - 1)
        out = data[..., xp.asarray(row), xp.asarray(col)]
    elif interpolation == "bilinear":
        x, y = src_x - 0.5, src_y - 0.5
        x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
        fx, fy = xp.asarray(x - x0), xp.asarray(y - y0)

        def at(r, c):
            return data[..., xp.asarray(np.clip(r, 0, in_h - 1)), xp.asarray(np.clip(c, 0, in_w - 1))].astype(np.float64)

        top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
        bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
        out = top * (1 - fy) + bottom * fy
        if np.issubdtype(array.dtype, np.integer):   # PIL truncates here (it rounds when resizing)
            info = np.iinfo(array.dtype)
            out = xp.clip(xp.floor(out), info.min, info.max).astype(array.dtype)
        else:
            out = out.astype(array.dtype)
    else:
        raise ValueError(f"rotate: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
    fill = xp.asarray(fill, dtype=out.dtype)
    if fill.ndim == 1:                              # one value per channel
        fill = fill.reshape((-1,) + (1,) * 2)
    out = xp.where(inside, out, fill)
    if not channels_first and array.ndim > 2:
        out = xp.moveaxis(out, (-2, -1), (0, 1))
    return out
