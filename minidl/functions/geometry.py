"""Window geometry shared by convolution, pooling and their fast twins.

Written for any number of spatial axes (2: an image (H, W); 3: a volume (D, H, W)); the 2-D words
below carry over axis by axis.  A kh×kw kernel slides over a padded image with a stride, its taps
spaced by the dilation.  Along one axis of size H, with padding p_before + p_after, dilation d and stride s, the windows that fit
number

    OH = floor((H + p_before + p_after − d·(kh − 1) − 1) / s) + 1

and the kernel's element ("tap") at offset i, for output row oh, reads padded row  oh·s + i·d.  So for one offset
(i, j), the pixels it reads for *every* output position form one strided slice of the padded
image: rows  i·d, i·d + s, …, i·d + s·(OH − 1)  (``offset_slices``; ``window_slices`` for d axes).
im2col, col2im and pooling are loops over those kh·kw (kd·kh·kw, …) slices.
"""
import itertools

import numpy as np

from .. import backend


_WORDS = {2: "pair", 3: "triple"}  # what n numbers are called in the error messages


def ntuple(value, n, name, op_name):
    """An int or n ints → a tuple of n ints.  Raises TypeError naming ``name`` otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(isinstance(v, (int, np.integer)) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f"{op_name}: {name} must be an int or a {_WORDS.get(n, f'{n}-tuple')} of ints, got {value!r}")


def positive_ntuple(value, n, name, op_name):
    """Like ``ntuple``, and every number > 0 (ValueError otherwise)."""
    result = ntuple(value, n, name, op_name)
    if min(result) <= 0:
        raise ValueError(f"{op_name}: {name} must be positive, got {value!r}")
    return result


def pair(value, name, op_name):
    """An int or a pair of ints → a pair of ints.  Raises TypeError naming ``name`` otherwise."""
    return ntuple(value, 2, name, op_name)


def positive_pair(value, name, op_name):
    """Like ``pair``, and both numbers > 0 (ValueError otherwise)."""
    return positive_ntuple(value, 2, name, op_name)


def conv_padding(padding, kernel, stride, dilation, op_name):
    """int, pair (triple in 3-D), 'valid' or 'same' → ((top, bottom), (left, right)) (one pair per axis).

    'same' keeps the output size equal to the input size (stride 1 only); when the total padding
    d·(k − 1) is odd, the extra row or column goes at the end, as in PyTorch.
    """
    dims = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op_name}: padding='same' needs stride 1, got stride={stride}")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((total // 2, total - total // 2) for total in totals)
        raise ValueError(f"{op_name}: padding must be an int, a {_WORDS.get(dims, f'{dims}-tuple')}, 'same' or 'valid', got {padding!r}")
    widths = ntuple(padding, dims, "padding", op_name)
    if min(widths) < 0:
        raise ValueError(f"{op_name}: padding must be non-negative, got {padding!r}")
    return tuple((p, p) for p in widths)


def out_size(size, kernel, stride, pad_before, pad_after, dilation, ceil_mode=False):
    """Output length along one axis: floor((H + p_before + p_after − d·(k − 1) − 1) / s) + 1.

    With ``ceil_mode`` the division rounds up, but a last window that would start inside the
    right padding is dropped (PyTorch's rule for pooling).
    """
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def offset_slices(kernel, stride, dilation, out_hw):
    """For every kernel offset (i, j), row-major: (i, j, rows, cols), the slices of the padded
    image that this offset reads for all OH×OW output positions."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    for i in range(kh):
        for j in range(kw):
            yield i, j, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)


def window_slices(kernel, stride, dilation, out_size):
    """``offset_slices`` in any number of dims: for every kernel offset (row-major, the last axis
    fastest), (offset, slices) — the offset as a tuple (i, j, …) and one strided slice per axis,
    which together read that tap for every output position."""
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield offset, tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                            for i, s, d, o in zip(offset, stride, dilation, out_size))


def padded_hw(hw, kernel, out_hw, stride, pads, dilation):
    """(H_p, W_p): the padded image, large enough for every window.  For a convolution that is
    just H + before + after; pooling with ``ceil_mode`` can place a last window that reaches past
    the right padding, and then the image is extended to hold it."""
    return tuple(max(size + before + after, d * (k - 1) + s * (o - 1) + 1)
                 for size, k, o, s, (before, after), d in zip(hw, kernel, out_hw, stride, pads, dilation))


def pad_spatial(x, pads, value=0.0, extra=(0, 0)):
    """x (N, C, H, W) → (N, C, H + top + bottom, W + left + right) filled with ``value`` around x.

    ``pads = ((top, bottom), (left, right))``; ``extra`` adds rows/columns at the bottom/right.
    (Any number of spatial dims: one (before, after) pair and one extra per axis.)
    """
    if not any(before or after for before, after in pads) and not any(extra):
        return x
    xp = backend.get_array_module(x)
    spatial = x.shape[2:]
    out = xp.full(x.shape[:2] + tuple(size + before + after + more
                                      for size, (before, after), more in zip(spatial, pads, extra)),
                  value, dtype=x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(before, before + size) for size, (before, _) in zip(spatial, pads))] = x
    return out


class ConvGeometry:
    """Kernel (kh, kw), stride, padding ((top, bottom), (left, right)), dilation and groups."""

    __slots__ = ("kernel", "stride", "pads", "dilation", "groups")

    def __init__(self, kernel, stride, pads, dilation, groups):
        self.kernel, self.stride, self.pads, self.dilation, self.groups = kernel, stride, pads, dilation, groups

    def output_hw(self, h, w):
        """(OH, OW) for an H×W input."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        return out_size(h, kh, sh, *self.pads[0], dh), out_size(w, kw, sw, *self.pads[1], dw)

    def output_size(self, spatial):
        """The output's spatial sizes, (OH, OW) or (OD, OH, OW), for an input of spatial sizes ``spatial``."""
        return tuple(out_size(size, k, s, before, after, d) for size, k, s, (before, after), d
                     in zip(spatial, self.kernel, self.stride, self.pads, self.dilation))

    def offsets(self, out_hw):
        """``offset_slices`` for this geometry."""
        return offset_slices(self.kernel, self.stride, self.dilation, out_hw)

    def __repr__(self):
        return (f"ConvGeometry(kernel={self.kernel}, stride={self.stride}, pads={self.pads}, "
                f"dilation={self.dilation}, groups={self.groups})")
