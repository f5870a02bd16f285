"""Window geometry shared by convolution, pooling and their fast twins.

A kh×kw kernel slides over a padded image with a stride, its taps spaced by the dilation.  Along
one axis of size H, with padding p_before + p_after, dilation d and stride s, the windows that fit
number

    OH = floor((H + p_before + p_after − d·(kh − 1) − 1) / s) + 1

and the kernel's element ("tap") at offset i, for output row oh, reads padded row  oh·s + i·d.  So for one offset
(i, j), the pixels it reads for *every* output position form one strided slice of the padded
image: rows  i·d, i·d + s, …, i·d + s·(OH − 1)  (``offset_slices``).  im2col, col2im and pooling
are loops over those kh·kw slices.
"""
import numpy as np

from .. import backend


def pair(value, name, op_name):
    """An int or a pair of ints → a pair of ints.  Raises TypeError naming ``name`` otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{op_name}: {name} must be an int or a pair of ints, got {value!r}")


def positive_pair(value, name, op_name):
    """Like ``pair``, and both numbers > 0 (ValueError otherwise)."""
    result = pair(value, name, op_name)
    if min(result) <= 0:
        raise ValueError(f"{op_name}: {name} must be positive, got {value!r}")
    return result


def conv_padding(padding, kernel, stride, dilation, op_name):
    """int, pair, 'valid' or 'same' → ((top, bottom), (left, right)).

    'same' keeps the output size equal to the input size (stride 1 only); when the total padding
    d·(k − 1) is odd, the extra row or column goes at the end, as in PyTorch.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op_name}: padding='same' needs stride 1, got stride={stride}")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((total // 2, total - total // 2) for total in totals)
        raise ValueError(f"{op_name}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    ph, pw = pair(padding, "padding", op_name)
    if ph < 0 or pw < 0:
        raise ValueError(f"{op_name}: padding must be non-negative, got {padding!r}")
    return ((ph, ph), (pw, pw))


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


def padded_hw(hw, kernel, out_hw, stride, pads, dilation):
    """(H_p, W_p): the padded image, large enough for every window.  For a convolution that is
    just H + before + after; pooling with ``ceil_mode`` can place a last window that reaches past
    the right padding, and then the image is extended to hold it."""
    return tuple(max(size + before + after, d * (k - 1) + s * (o - 1) + 1)
                 for size, k, o, s, (before, after), d in zip(hw, kernel, out_hw, stride, pads, dilation))


def pad_spatial(x, pads, value=0.0, extra=(0, 0)):
    """x (N, C, H, W) → (N, C, H + top + bottom, W + left + right) filled with ``value`` around x.

    ``pads = ((top, bottom), (left, right))``; ``extra`` adds rows/columns at the bottom/right.
    """
    (top, bottom), (left, right) = pads
    bottom, right = bottom + extra[0], right + extra[1]
    if not (top or bottom or left or right):
        return x
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
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

    def offsets(self, out_hw):
        """``offset_slices`` for this geometry."""
        return offset_slices(self.kernel, self.stride, self.dilation, out_hw)

    def __repr__(self):
        return (f"ConvGeometry(kernel={self.kernel}, stride={self.stride}, pads={self.pads}, "
                f"dilation={self.dilation}, groups={self.groups})")
