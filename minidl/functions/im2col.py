"""im2col and col2im: the data movement that turns convolution into one matrix product.

For an input x of shape (N, C, H, W) and a kh×kw kernel, the *column buffer* holds, for every
output position, the C·kh·kw input values its kernel window covers:

    col[c, i, j, n, oh, ow] = x_padded[n, c, oh·sh + i·dh, ow·sw + j·dw]      shape (C, kh, kw, N, OH, OW)

Read as a matrix of shape (C·kh·kw, N·OH·OW), every *column* is one flattened window, so a
convolution with weights W of shape (F, C·kh·kw) is the single product W @ col.

We build it as Chainer does: one strided slice per kernel offset (i, j) — kh·kw copies of an
(N, C, OH, OW) block, no index arrays, and stride and dilation come free from slicing.
col2im is the same loop with ``+=``: it sends every column entry back to the input pixel it
came from, adding where windows overlap — which makes it the adjoint of im2col:
⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.  See docs/im2col.md for a picture.

The buffer holds C·kh·kw·N·OH·OW numbers (about kh·kw times the input when OH×OW ≈ H×W);
``batch_chunks`` splits a batch so that no buffer built at once exceeds ``im2col_budget()`` bytes
(same result, bounded memory).
"""
import contextlib

from .. import backend
from .geometry import offset_slices, out_size, padded_hw

_BUDGET = {"bytes": 24 * 2**20}  # the largest column buffer built at once


def im2col(x, kernel, stride, pads, dilation, out_hw=None):
    """x: (N, C, H, W) → col: (C, kh, kw, N, OH, OW).

    ``pads = ((top, bottom), (left, right))``; ``out_hw`` (OH, OW) is computed when not given.
    """
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    out_hw = out_hw or (out_size(h, kh, sh, *pads[0], dh), out_size(w, kw, sw, *pads[1], dw))
    (top, bottom), (left, right) = pads
    # Zero-pad into col's own axis order (C, N, H_p, W_p), so that each offset's slice drops
    # straight into col[:, i, j].
    padded = xp.zeros((c, n, h + top + bottom, w + left + right), dtype=x.dtype)
    padded[:, :, top:top + h, left:left + w] = x.transpose(1, 0, 2, 3)
    col = xp.empty((c, kh, kw, n) + tuple(out_hw), dtype=x.dtype)
    for i, j, rows, cols in offset_slices(kernel, stride, dilation, out_hw):
        col[:, i, j] = padded[:, :, rows, cols]
    return col


def col2im(col, x_shape, stride, pads, dilation):
    """col: (C, kh, kw, N, OH, OW) → x: (N, C, H, W) = x_shape, summing overlapping windows."""
    xp = backend.get_array_module(col)
    c, kh, kw, n, oh, ow = col.shape
    h, w = x_shape[2:]
    (top, _), (left, _) = pads
    hp, wp = padded_hw((h, w), (kh, kw), (oh, ow), stride, pads, dilation)
    padded = xp.zeros((c, n, hp, wp), dtype=col.dtype)
    for i, j, rows, cols in offset_slices((kh, kw), stride, dilation, (oh, ow)):
        padded[:, :, rows, cols] += col[:, i, j]
    return padded[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)


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
