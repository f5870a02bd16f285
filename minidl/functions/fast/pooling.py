"""Fast twins of max pooling (functions/pooling.py) on NumPy: same results, fewer passes.

- forward: running maximum and argmax updated in place (no new arrays per kernel offset).
- values only (inference): the running maximum without the argmax bookkeeping.
- backward with windows that do not overlap: every pixel is written by one offset, so assign
  instead of add.
"""
import numpy as np

from ... import backend
from ..dispatch import twin_of
from ..pooling import max_pool2d_backward, max_pool2d_forward, max_pool2d_values


@twin_of(max_pool2d_forward)
def max_pool2d_forward_fast(x, geometry):
    xp = backend.get_array_module(x)
    padded = geometry.padded(x, -np.inf)
    padding = geometry.padding != (0, 0) or geometry.extra != (0, 0)
    y = argmax = found = None
    for position, rows, cols in geometry.offsets():
        view = padded[:, :, rows, cols]
        inside = geometry.inside(rows, cols, xp) if padding else None
        if y is None:
            y, argmax, found = view.copy(), xp.zeros(view.shape, dtype=np.int32), inside
            continue
        better = (view > y) | xp.isnan(view)
        if padding:  # a real pixel beats a padding cell even at −∞
            better |= inside & ~found
            found = found | inside
        xp.maximum(y, view, out=y)  # propagates NaN
        argmax += better * (position - argmax)  # = where(better, position, argmax), in place
    return y, argmax


@twin_of(max_pool2d_values)
def max_pool2d_values_fast(x, geometry):
    xp = backend.get_array_module(x)
    padded = geometry.padded(x, -np.inf)
    y = None
    for _, rows, cols in geometry.offsets():
        view = padded[:, :, rows, cols]
        y = view.copy() if y is None else xp.maximum(y, view, out=y)
    return y


@twin_of(max_pool2d_backward)
def max_pool2d_backward_fast(gy, argmax, geometry):
    if geometry.overlapping:
        return NotImplemented
    xp = backend.get_array_module(gy)
    n, c = gy.shape[:2]
    (h, w), (ph, pw), (eh, ew) = geometry.hw, geometry.padding, geometry.extra
    dx = xp.zeros((n, c, h + 2 * ph + eh, w + 2 * pw + ew), dtype=gy.dtype)
    for position, rows, cols in geometry.offsets():
        dx[:, :, rows, cols] = gy * (argmax == position)
    return geometry.unpad(dx)
