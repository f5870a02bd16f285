"""Resizing by interpolation: ``interpolate`` (and its old names ``upsample``, ``upsample_nearest``,
``upsample_bilinear``), for (N, C, L), (N, C, H, W) and (N, C, D, H, W) inputs.

Shapes: x: (N, C, *S) → y: (N, C, *O), one output size O per spatial axis: ``size``, or
floor(S · scale_factor).

Every mode here is *separable*: resizing a volume is resizing along D, then along H, then along W,
one axis at a time.  Along one axis of input size S and output size O, output position o reads
the input at a real-valued *source coordinate* src(o), in pixel units:

    align_corners=False   src(o) = (o + ½)·scale − ½    pixel centres line up; scale = S/O, or
                                                        1/scale_factor when one was given
    align_corners=True    src(o) = o·(S − 1)/(O − 1)     the corner pixels line up exactly

- ``"linear"``/``"bilinear"``/``"trilinear"``: with i = floor(src) and t = src − i, the output is
  (1 − t)·x[i] + t·x[i + 1] (src clamped to [0, S − 1]).  That is a fixed (O, S) matrix M with two
  non-zeros per row, so along the axis y = M x, and the gradient is the transposed product dx = Mᵀ dy.
  ``Resample`` below is that Function; "bilinear" is two of them (H, then W).
- ``"bicubic"``: four taps per row (Keys' cubic convolution, a = −0.75), the same M x.
- ``antialias=True`` (bilinear, bicubic): when shrinking by a factor k, each output averages a
  window k times wider (the tent or cubic filter stretched by k), so that detail finer than the new
  pixel grid is blurred away instead of aliased — still one (O, S) matrix.
- ``"nearest"``: y[o] = x[floor(o·scale)] (PyTorch's legacy rule, which shifts the image by up to
  half a pixel); ``"nearest-exact"``: y[o] = x[floor((o + ½)·scale)] (rounds to the nearest
  centre, like Pillow and scikit-image).  An index gather, whose gradient is a scatter-add: each
  input pixel receives the sum of dy over the outputs that copied it (``NearestGather``).
- ``"area"``: adaptive average pooling (pooling.py).

The source is PyTorch's documentation and its CPU kernels' index rules (upsampling with
``scale_factor`` keeps 1/scale_factor as the step; ``recompute_scale_factor=True`` uses S/O instead).
The data transforms' ``Resize`` has its own (non-differentiable, Pillow-like) resampler: data/resample.py.
"""
import math
import warnings

import numpy as np

from .. import backend
from ..autograd import Function
from ._utils import to_tensor
from .scatter import _add_at

_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}  # mode → the spatial dims it needs
_CUBIC_A = -0.75  # Keys' cubic convolution parameter, as in PyTorch and OpenCV


# ------------------------------------------------------------------ the Functions

class Resample(Function):
    """y = M x along one axis: y[..., o, ...] = Σ_s M[o, s] · x[..., s, ...].

    Shapes: x: (N, C, ..., S, ...) → y: (N, C, ..., O, ...) at ``axis``;  M: (O, S), fixed.
    The map is linear, so its gradient is the transposed matrix along the same axis:
        dx = Mᵀ dy                 (Resample with Mᵀ, itself differentiable again)
    """

    reads_inputs = False

    def __init__(self, matrix, axis):
        self.matrix, self.axis = matrix, axis

    def forward(self, x):
        xp = backend.get_array_module(x)
        moved = xp.moveaxis(x, self.axis, -1)  # (..., S)
        y = moved @ self.matrix.T.astype(x.dtype, copy=False)  # (..., S) @ (S, O) → (..., O)
        return xp.ascontiguousarray(xp.moveaxis(y, -1, self.axis))

    def backward(self, dy):
        return Resample(self.matrix.T, self.axis)(dy)


class NearestGather(Function):
    """y = x[index] along one axis: output o copies input pixel index[o].

    Shapes: x: (N, C, ..., S, ...) → y: (N, C, ..., O, ...) at ``axis``;  index: (O,), ints in [0, S).
        dx[s] = Σ_{o: index[o] = s} dy[o]      (NearestScatter: a scatter-add)
    """

    reads_inputs = False

    def __init__(self, index, axis, in_size):
        self.index, self.axis, self.in_size = index, axis, in_size

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.take(x, self.index, axis=self.axis)

    def backward(self, dy):
        return NearestScatter(self.index, self.axis, self.in_size)(dy)


class NearestScatter(Function):
    """dx = the scatter-add of dy at ``index`` along one axis: NearestGather's gradient as an op.

    Shapes: dy: (N, C, ..., O, ...) → dx: (N, C, ..., S, ...) at ``axis``, S = ``in_size``.
    It is the adjoint of the gather, so its own gradient is the gather:  d(dy) = NearestGather(d(dx)).
    """

    reads_inputs = False

    def __init__(self, index, axis, in_size):
        self.index, self.axis, self.in_size = index, axis, in_size

    def forward(self, dy):
        xp = backend.get_array_module(dy)
        shape = list(dy.shape)
        shape[self.axis] = self.in_size
        dx = xp.zeros(shape, dtype=dy.dtype)
        # an unbuffered add: an input pixel copied by several outputs gets the sum of their gradients
        _add_at(xp.moveaxis(dx, self.axis, 0), (self.index,), xp.moveaxis(dy, self.axis, 0))
        return dx

    def backward(self, ddx):
        return NearestGather(self.index, self.axis, self.in_size)(ddx)


# ------------------------------------------------------------------ one axis: the index rules

def _linear_scale(in_size, out_size, align_corners, scale_factor):
    """The step between neighbouring outputs' source coordinates (PyTorch's area_pixel_compute_scale)."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return 1.0 / scale_factor if scale_factor is not None and scale_factor > 0 else in_size / out_size


def linear_matrix(in_size, out_size, scale, align_corners):
    """(O, S): row o holds 1 − t at floor(src) and t at the next pixel (clamped to the last)."""
    o = np.arange(out_size, dtype=np.float64)
    src = o * scale if align_corners else np.maximum((o + 0.5) * scale - 0.5, 0.0)
    left = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    right = np.minimum(left + 1, in_size - 1)
    t = np.clip(src - left, 0.0, 1.0)
    matrix = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    matrix[rows, left] += 1.0 - t  # two statements: when left = right (the last pixel) the weights add
    matrix[rows, right] += t
    return matrix


def _cubic(t, a):
    """Keys' cubic convolution kernel (Keys 1981), support [−2, 2]."""
    t = np.abs(t)
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))


def cubic_matrix(in_size, out_size, scale, align_corners):
    """(O, S): four taps floor(src) − 1 … floor(src) + 2, weights from the cubic kernel; taps past
    the border read the border pixel (so their weights add onto it)."""
    o = np.arange(out_size, dtype=np.float64)
    src = o * scale if align_corners else (o + 0.5) * scale - 0.5  # not clamped, unlike linear
    first = np.floor(src).astype(np.int64)
    t = src - first
    matrix = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for tap in range(-1, 3):
        matrix[rows, np.clip(first + tap, 0, in_size - 1)] += _cubic(t - tap, _CUBIC_A)
    return matrix


def antialias_matrix(in_size, out_size, scale, mode):
    """(O, S) for ``antialias=True``: the tent (bilinear) or cubic (a = −0.5) filter, widened by the
    shrink factor when shrinking, centred on each output's source centre (o + ½)·scale, normalised
    to sum 1.  (PyTorch's separable anti-aliasing, which follows Pillow's.)"""
    half_width, filter_fn = (1.0, lambda u: np.maximum(0.0, 1.0 - np.abs(u))) if mode == "bilinear" else \
        (2.0, lambda u: _cubic(u, -0.5))
    stretch = max(scale, 1.0)
    support = half_width * stretch
    matrix = np.zeros((out_size, in_size))
    for o in range(out_size):
        centre = scale * (o + 0.5)
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), in_size)
        weights = filter_fn((np.arange(lo, hi) - centre + 0.5) / stretch)
        if weights.sum() != 0:
            weights = weights / weights.sum()
        matrix[o, lo:hi] = weights
    return matrix


def _nearest_index(in_size, out_size, scale_factor, exact, dims):
    """PyTorch's CPU rule: src = floor(o·scale) ("nearest") or floor((o + ½)·scale) ("nearest-exact"),
    in float32 like its kernel (so ties round the same way), capped at S − 1.  Its 2-D "nearest"
    kernel copies an axis whose size does not change (even with a scale_factor such as 1.1, where
    the rule would drop a pixel); its 1-D and 3-D kernels apply the rule: so do we."""
    if dims == 2 and not exact and out_size == in_size:
        return np.arange(out_size)
    scale = np.float32(1.0 / scale_factor) if scale_factor is not None and scale_factor > 0 else \
        np.float32(in_size) / np.float32(out_size)
    o = np.arange(out_size)
    src = (o + 0.5) * np.float64(scale) if exact else o.astype(np.float32) * scale
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), in_size - 1)


# ------------------------------------------------------------------ the public functions

def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resize x: (N, C, L), (N, C, H, W) or (N, C, D, H, W) to ``size`` or by ``scale_factor``.

    ``mode``: "nearest" (default), "nearest-exact", "linear" (3-D input), "bilinear" / "bicubic"
    (4-D), "trilinear" (5-D) or "area".  ``size`` and ``scale_factor``: an int/float or one per
    spatial axis; exactly one must be given; the output size is floor(S·scale_factor).
    ``align_corners`` (linear modes only; default False): map the corner pixels onto each other
    instead of the pixel centres.  ``recompute_scale_factor=True``: after computing the output size,
    use S/O as the step instead of 1/scale_factor.  ``antialias`` (bilinear, bicubic): low-pass
    filter when shrinking.  Returns (N, C, *O).
    Raises ValueError / NotImplementedError for bad combinations, as PyTorch does.
    """
    x = to_tensor(input)
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    if x.ndim not in (3, 4, 5):
        raise NotImplementedError(f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, *spatial), got shape {x.shape}")
    dims = x.ndim - 2
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != dims:
        raise NotImplementedError(f"interpolate: got {x.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_MODES[mode] + 2}D input")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                         f"linear | bilinear | bicubic | trilinear (got mode={mode!r})")
    if antialias and not (mode in ("bilinear", "bicubic") and dims == 2):
        raise ValueError("interpolate: anti-alias option is restricted to bilinear and bicubic modes and requires "
                         f"a 4-D tensor as input (got mode={mode!r}, input shape {x.shape})")
    if mode not in ("nearest", "nearest-exact") and x.dtype.kind != "f":
        raise RuntimeError(f"interpolate: mode {mode!r} needs a floating-point input, got {x.dtype}")
    out_sizes, scales = _output_sizes(x.shape[2:], size, scale_factor, recompute_scale_factor)
    if mode == "area":
        return _area(x, out_sizes)
    y = x
    for axis, (in_size, out_size, scale) in enumerate(zip(x.shape[2:], out_sizes, scales), start=2):
        if mode in ("nearest", "nearest-exact"):
            index = _nearest_index(in_size, out_size, scale, mode == "nearest-exact", x.ndim - 2)
            y = NearestGather(backend.to_device(index, x.device), axis, in_size)(y)
            continue
        if in_size == out_size and mode != "bicubic" and not antialias:
            continue  # PyTorch's linear kernels copy the input when the size does not change
        step = _linear_scale(in_size, out_size, bool(align_corners), scale)
        if antialias:
            matrix = antialias_matrix(in_size, out_size, step, mode)  # align_corners acts through the step
        elif mode == "bicubic":
            matrix = cubic_matrix(in_size, out_size, step, bool(align_corners))
        else:
            matrix = linear_matrix(in_size, out_size, step, bool(align_corners))
        y = Resample(backend.to_device(matrix.astype(x.dtype), x.device), axis)(y)
    return y


def _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor):
    """The output size of every spatial axis, and the scale factors the index rules should use
    (None where the step is S/O: ``size`` given, or ``recompute_scale_factor=True``)."""
    dims = len(in_sizes)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: " + ("only one of size or scale_factor should be defined" if size is not None
                                            else "either size or scale_factor should be defined"))
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        if len(sizes) != dims:
            raise ValueError(f"interpolate: input with spatial dimensions {list(in_sizes)} needs an output size with "
                             f"{dims} entries, got size={size!r}")
        out_sizes, scales = tuple(int(s) for s in sizes), (None,) * dims
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * dims
        if len(factors) != dims:
            raise ValueError(f"interpolate: input with spatial dimensions {list(in_sizes)} needs a scale_factor with "
                             f"{dims} entries, got scale_factor={scale_factor!r}")
        out_sizes = tuple(math.floor(float(s) * float(f)) for s, f in zip(in_sizes, factors))
        scales = (None,) * dims if recompute_scale_factor else tuple(float(f) for f in factors)
    if min(out_sizes + tuple(in_sizes)) <= 0:
        raise RuntimeError(f"interpolate: input and output sizes should be greater than 0, but got input "
                           f"{tuple(in_sizes)} and output {out_sizes}")
    return out_sizes, scales


def _area(x, out_sizes):
    """mode="area" is adaptive average pooling to the output size."""
    from .pooling import adaptive_avg_pool2d
    from .three_d import adaptive_avg_pool3d

    if x.ndim == 3:
        return adaptive_avg_pool2d(x.unsqueeze(2), (1,) + tuple(out_sizes)).squeeze(2)
    return (adaptive_avg_pool2d if x.ndim == 4 else adaptive_avg_pool3d)(x, tuple(out_sizes))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated name of ``interpolate`` (warns, as PyTorch does)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")``."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)``."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
