"""im2col and col2im: the data movement that turns convolution into one matrix product.

For an input x of shape (N, C, H, W) and a kh×kw kernel, the *column buffer* holds, for every
output position, the C·kh·kw input values its kernel window covers:

    col[c, i, j, n, oh, ow] = x_padded[n, c, oh·sh + i·dh, ow·sw + j·dw]      shape (C, kh, kw, N, OH, OW)

Read as a matrix of shape (C·kh·kw, N·OH·OW), every *column* is one flattened window, so a
convolution with weights W of shape (F, C·kh·kw) is the single product W @ col.

We build it as Chainer does: one strided slice per kernel offset (i, j) — kh·kw copies of an
(N, C, OH, OW) block, no index arrays, and stride and dilation come free from slicing.  Nothing
in that is particular to two dims: the code loops over offset *tuples* and indexes with tuples
of slices, so a volume (N, C, D, H, W) with a kd×kh×kw kernel (conv3d) takes the same path.
col2im is the same loop with ``+=``: it sends every column entry back to the input pixel it
came from, adding where windows overlap — which makes it the adjoint of im2col:
⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.  See docs/im2col.md for a picture.

The buffer holds C·kh·kw·N·OH·OW numbers (about kh·kw times the input when OH×OW ≈ H×W);
``batch_chunks`` splits a batch so that no buffer built at once exceeds ``im2col_budget()`` bytes
(same result, bounded memory).
"""
import contextlib

from .. import backend
from .geometry import out_size, padded_hw, window_slices

_BUDGET = {"bytes": 24 * 2**20}  # the largest column buffer built at once


def im2col(x, kernel, stride, pads, dilation, out_hw=None):
    """x: (N, C, H, W) → col: (C, kh, kw, N, OH, OW).

    ``pads = ((top, bottom), (left, right))``; ``out_hw`` (OH, OW) is computed when not given.
    The same code serves any number of spatial dims, one more axis each: x (N, C, D, H, W) and a
    kd×kh×kw kernel give col (C, kd, kh, kw, N, OD, OH, OW) (conv3d).
    """
    xp = backend.get_array_module(x)
    n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    out_hw = out_hw or tuple(out_size(size, k, s, *pad, d)
                             for size, k, s, pad, d in zip(spatial, kernel, stride, pads, dilation))
    # Zero-pad into col's own axis order (C, N, H_p, W_p), so that each offset's slice drops
    # straight into col[:, i, j].
    padded_size = tuple(size + before + after for size, (before, after) in zip(spatial, pads))
    padded = xp.zeros((c, n) + padded_size, dtype=x.dtype)
    padded[(slice(None), slice(None)) + _inside(spatial, pads)] = x.swapaxes(0, 1)
    col = xp.empty((c,) + tuple(kernel) + (n,) + tuple(out_hw), dtype=x.dtype)
    # In 2-D, offset = (i, j) and slices = (rows, cols), and the copy reads col[:, i, j] = padded[:, :, rows, cols].
    for offset, slices in window_slices(kernel, stride, dilation, out_hw):
        col[(slice(None),) + offset] = padded[(slice(None), slice(None)) + slices]
    return col


def col2im(col, x_shape, stride, pads, dilation):
    """col: (C, kh, kw, N, OH, OW) → x: (N, C, H, W) = x_shape, summing overlapping windows.
    (Any number of spatial dims, as im2col.)"""
    xp = backend.get_array_module(col)
    dims = len(x_shape) - 2
    c, kernel, n, out_hw = col.shape[0], col.shape[1:1 + dims], col.shape[1 + dims], col.shape[2 + dims:]
    spatial = tuple(x_shape[2:])
    padded = xp.zeros((c, n) + padded_hw(spatial, kernel, out_hw, stride, pads, dilation), dtype=col.dtype)
    for offset, slices in window_slices(kernel, stride, dilation, out_hw):
        padded[(slice(None), slice(None)) + slices] += col[(slice(None),) + offset]
    return padded[(slice(None), slice(None)) + _inside(spatial, pads)].swapaxes(0, 1)


def _inside(spatial, pads):
    """The slices of a padded image that hold the image itself: (top:top + H, left:left + W)."""
    return tuple(slice(before, before + size) for size, (before, _) in zip(spatial, pads))


def im2col_budget():
    """Largest column buffer (bytes) built at once; bigger batches are processed in chunks."""
    return _BUDGET["bytes"]


def set_im2col_budget(nbytes):
    """Set the budget (a positive number of bytes); returns the previous one."""
    if nbytes <= 0:
        raise ValueError(f"set_im2col_budget: expected a positive number of bytes, got {nbytes}")
    previous = _BUDGET["bytes"]
    _BUDGET["bytes"] = int(nbytes)
    return previous


@contextlib.contextmanager
def im2col_budget_of(nbytes):
    """``with im2col_budget_of(2**20): ...`` — a temporary budget (used by tests)."""
    previous = set_im2col_budget(nbytes)
    try:
        yield
    finally:
        set_im2col_budget(previous)


def batch_chunks(n, bytes_per_sample):
    """Slices of a batch of ``n`` whose buffers of ``bytes_per_sample`` each fit in the budget."""
    per_chunk = max(1, im2col_budget() // max(1, bytes_per_sample))
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]
