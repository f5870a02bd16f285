"""2-D convolution by im2col: ``conv2d``, ``conv_transpose2d``, ``unfold``, ``fold``.

Shapes (PyTorch's):  x: (N, C, H, W),  w: (F, C/groups, kh, kw),  b: (F,)  →  y: (N, F, OH, OW).

    forward       y      = W @ im2col(x)                    (one matrix product per group)
    grad input    dx     = col2im(Wᵀ @ dy)                  (a transposed convolution)
    grad weight   dW     = dy @ im2col(x)ᵀ                  (the same column buffer as forward)

Each of the three is a ``Function`` whose backward is written with the other two, so double
backward (create_graph=True) works: the gradient of a transposed convolution is a convolution,
and so on.  Groups split the channels into independent convolutions, done as one batched
matmul over a leading group axis (groups = C gives a depthwise convolution).

Two memory orders for the same windows (tests hold them equal): channel-first ``col``
(C·kh·kw, N·OH·OW), the reference, and for groups = 1 the channels-last ``rows``
(N·OH·OW, kh·kw·C), whose copies run kw·C numbers at a time; ``rows_layout_pays`` picks.

The column buffer holds C·kh·kw·N·OH·OW numbers — for VGG's first layers at batch 32 that is
gigabytes.  When it would exceed ``im2col_budget()`` bytes, the batch is processed in chunks
(same result, bounded memory; ``set_im2col_budget`` changes the limit).
"""
import contextlib
import math
from typing import NamedTuple

import numpy as np

from .. import amp, backend
from ..autograd import Function
from ._utils import to_tensor
from .im2col import channels_last_padded, col2im, im2col, im2col_rows, out_size, pad_spatial

# 24 MiB: large enough for one big GEMM per chunk, small enough that a chunk's columns are still in
# cache (32 MiB of L3 here) when the GEMM reads them, and that nothing huge is kept for backward
# (measured on ResNet-20: 27% faster and half the peak memory of a 256 MiB budget; ResNet-20 and
# VGG-11 take the same time at 16, 24 or 32 MiB).  Chunks are not saved for backward: the weight
# gradient rebuilds them, one chunk at a time — so LeNet's first layer at batch 256 (19 MiB of
# columns) is why it is 24 and not 16: in one piece, its columns are kept (a 5% faster step).
# The price: ResNet-20's 8×8 stage keeps its 18 MiB columns too (peak 469 → 586 MiB, 1.2× PyTorch).
_BUDGET = {"bytes": 24 * 2**20}


def im2col_budget():
    """Largest column buffer (bytes) built at once; bigger batches are processed in chunks."""
    return _BUDGET["bytes"]


def set_im2col_budget(nbytes):
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


class ConvGeometry:
    """Kernel size, stride, padding ((top, bottom), (left, right)), dilation and groups."""

    __slots__ = ("kernel", "stride", "pads", "dilation", "groups")

    def __init__(self, kernel, stride, pads, dilation, groups):
        self.kernel, self.stride, self.pads, self.dilation, self.groups = kernel, stride, pads, dilation, groups

    def output_hw(self, h, w):
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        return out_size(h, kh, sh, *self.pads[0], dh), out_size(w, kw, sw, *self.pads[1], dw)


def _batch_chunks(n, bytes_per_sample):
    """Slices of the batch whose column buffers each fit in the budget."""
    per_chunk = max(1, im2col_budget() // max(1, bytes_per_sample))
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]


def _col_bytes_per_sample(channels, geometry, oh, ow, itemsize):
    kh, kw = geometry.kernel
    return channels * kh * kw * oh * ow * itemsize


def _grouped_dy(gy, groups, batch_last=False):
    """dy: (N, F, OH, OW) → (G, F/G, N, OH·OW), or (G, F/G, OH·OW, N) batch-last: the layouts the GEMMs
    want, copied once into that memory order (a transposed view would be copied again by every GEMM)."""
    xp = backend.get_array_module(gy)
    n, f, oh, ow = gy.shape
    if batch_last:
        return xp.ascontiguousarray(gy.transpose(1, 2, 3, 0)).reshape(groups, f // groups, oh * ow, n)
    return xp.ascontiguousarray(gy.transpose(1, 0, 2, 3)).reshape(groups, f // groups, n, oh * ow)


def _dy_rows(dy, batch, batch_last):
    """The samples ``batch`` of a grouped dy as a (G, F/G, M) matrix, M running over (m, OH, OW),
    or (OH, OW, m) batch-last (a copy only for a batch-last chunk smaller than the batch)."""
    part = dy[..., batch] if batch_last else dy[:, :, batch]
    return part.reshape(part.shape[0], part.shape[1], -1)


def _col_from_matrix(matrix, shape, batch_last):
    """A GEMM result (G, C/G·kh·kw, M) → col (C, kh, kw, m, OH, OW), a view in M's memory order."""
    c, kh, kw, m, oh, ow = shape
    if batch_last:
        return matrix.reshape(c, kh, kw, oh, ow, m).transpose(0, 1, 2, 5, 3, 4)
    return matrix.reshape(shape)


def _batch_last_pays(geometry, ow):
    """Whether col2im should run batch-last — the batch as the innermost axis of dy, the columns and
    the padded dx (``col2im(..., batch_last=True)``).  Same sums, another memory order: each kernel
    offset then adds runs of OW·N numbers instead of N·C·OH rows of OW, at the price of transposing
    dy and dx element by element.  Measured: faster for stride 1 up to OW = 16 (LeNet's second
    layer 8.5 → 5.9 ms at batch 256, VGG's 4×4 maps 22 → 16 ms), slower at OW = 32 (37 → 50 ms);
    a 1×1 kernel's col2im is a single add.  (For im2col the same layout did not pay in whole
    training steps: measured for forward and weight gradient too, and left out.)"""
    kh, kw = geometry.kernel
    return geometry.stride == (1, 1) and kh * kw > 1 and ow <= 16


# ------------------------------------------------------------------ depthwise fast path
#
# A depthwise convolution (groups = C_in = C_out, MobileNet's 3×3 filter per channel) as a batched
# matmul is C tiny (1 × kh·kw) @ (kh·kw × N·OH·OW) products — slow in NumPy.  Instead, sum kh·kw
# shifted views of the input, each scaled by its kernel weight per channel:
#     y[n, c] = Σ_{i,j} w[c, 0, i, j] · x_pad[n, c, i·d + s·oh, j·d + s·ow]
# The gradients are the same loop read backwards.  Tested against the general path.

def is_depthwise(geometry, channels, filters):
    return geometry.groups > 1 and geometry.groups == channels == filters


def _offsets(geometry, oh, ow):
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    for i in range(kh):
        for j in range(kw):
            yield i, j, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)


def _padded_shape(x_shape, geometry, oh, ow):
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    (top, bottom), (left, right) = geometry.pads
    n, c, h, w = x_shape
    return (n, c, max(h + top + bottom, dh * (kh - 1) + sh * (oh - 1) + 1),
            max(w + left + right, dw * (kw - 1) + sw * (ow - 1) + 1))


def depthwise_forward_array(x, w, geometry):
    xp = backend.get_array_module(x, w)
    n, c, h, width = x.shape
    oh, ow = geometry.output_hw(h, width)
    padded = pad_spatial(x, geometry.pads)
    y = xp.zeros((n, c, oh, ow), dtype=x.dtype)
    for i, j, rows, cols in _offsets(geometry, oh, ow):
        y += padded[:, :, rows, cols] * w[:, 0, i, j].reshape(1, c, 1, 1)
    return y


def depthwise_grad_input_array(gy, w, x_shape, geometry):
    xp = backend.get_array_module(gy, w)
    c = x_shape[1]
    oh, ow = gy.shape[2:]
    padded = xp.zeros(_padded_shape((gy.shape[0],) + tuple(x_shape[1:]), geometry, oh, ow), dtype=gy.dtype)
    for i, j, rows, cols in _offsets(geometry, oh, ow):
        padded[:, :, rows, cols] += gy * w[:, 0, i, j].reshape(1, c, 1, 1)
    (top, _), (left, _) = geometry.pads
    return padded[:, :, top:top + x_shape[2], left:left + x_shape[3]]


def depthwise_grad_weight_array(x, gy, w_shape, geometry):
    xp = backend.get_array_module(x, gy)
    oh, ow = gy.shape[2:]
    padded = pad_spatial(x, geometry.pads)
    gw = xp.empty(w_shape, dtype=gy.dtype)
    for i, j, rows, cols in _offsets(geometry, oh, ow):
        gw[:, 0, i, j] = (gy * padded[:, :, rows, cols]).sum(axis=(0, 2, 3))
    return gw


# ------------------------------------------------------------------ channels-last rows
#
# The same products with the windows stored as rows (see im2col.py's ``im2col_rows``): the input is
# copied once to channels-last, every window row is then a run of kw·C numbers instead of OW, and
#     forward       y_rows (N·OH·OW, F)     = rows @ W'              W' = W as (kh·kw·C, F)
#     grad weight   dWᵀ    (F, kh·kw·C)     = dy_rowsᵀ @ rows        dy_rows = dy channels last
# The forward builds the rows ``_ROWS_CHUNK_BYTES`` at a time, each piece multiplied while it is
# still in cache (measured on ResNet's 3×3 layers at batch 128: 2 MiB pieces beat 1, 4, 8 and
# 24 MiB; forward 16×16 maps 10.3 → 6.8 ms, 8×8 maps 8.2 → 4.6 ms).  When all the rows fit in
# ``im2col_budget()`` they go into one buffer that is kept for the weight gradient.  Rebuilt
# from scratch, the weight gradient is faster channel-first: OpenBLAS multiplies col @ dy
# (C·kh·kw, N·OH·OW) @ (N·OH·OW, F) 20–100% faster than the transposed rowsᵀ @ dy_rows.


class SavedWindows(NamedTuple):
    """Forward's im2col matrix, kept for the weight gradient: the channel-first col
    (C, kh, kw, N, OH, OW), or with ``rows`` the channels-last rows (N·OH·OW, kh·kw·C)."""

    matrix: object
    rows: bool


_ROWS_CHUNK_BYTES = 2 * 2**20


def rows_layout_pays(channels, geometry, ow):
    """Whether to build the windows channels-last: when its contiguous runs (kw·C numbers, or C
    with a dilated kernel) are at least as long as channel-first's (OW numbers, or single numbers
    with a stride).  Both give the same result.  Grouped convolutions stay channel-first, where a
    group's rows are one contiguous block, and so do 1×1 kernels, whose channel-first im2col is one
    plain copy while channels-last pays two transposing ones (measured: 1×1 64→128 at 16×16,
    forward + weight gradient 9.3 ms channel-first against 10.3 ms; with stride 2, 5.0 against 8.2)."""
    kh, kw = geometry.kernel
    sw, dw = geometry.stride[1], geometry.dilation[1]
    run_rows = channels * (kw if dw == 1 else 1)
    run_channel_first = ow if sw == 1 else 1
    return geometry.groups == 1 and kh * kw > 1 and run_rows >= run_channel_first


def _conv_forward_rows(x, w, geometry, oh, ow, keep=True):
    """y = conv(x, w) for groups = 1 through channels-last rows; also returns the rows when kept
    (``keep`` and they fit the budget; otherwise the pieces are built one after another)."""
    xp = backend.get_array_module(x, w)
    n, c = x.shape[:2]
    f, _, kh, kw = w.shape
    k = kh * kw * c
    padded = channels_last_padded(x, geometry.pads)  # (N, H_p, W_p, C)
    w_cols = w.transpose(2, 3, 1, 0).reshape(k, f)  # W' (kh·kw·C, F), rows in the windows' order
    bytes_per_sample = oh * ow * k * x.itemsize
    keep = keep and n * bytes_per_sample <= im2col_budget()
    kept = xp.empty((n * oh * ow, k), dtype=x.dtype) if keep else None
    y = xp.empty((n, f, oh, ow), dtype=x.dtype)
    per_chunk = max(1, _ROWS_CHUNK_BYTES // bytes_per_sample)
    for start in range(0, n, per_chunk):
        batch = slice(start, min(start + per_chunk, n))
        m = batch.stop - batch.start
        out = kept[start * oh * ow:batch.stop * oh * ow] if keep else None
        rows = im2col_rows(padded[batch], geometry.kernel, geometry.stride, geometry.dilation, (oh, ow), out=out)
        y[batch] = (rows @ w_cols).reshape(m, oh, ow, f).transpose(0, 3, 1, 2)  # back to (m, F, OH, OW)
    return y, kept


def _conv_grad_weight_from_rows(rows, gy, w_shape):
    """dW from forward's rows (N·OH·OW, kh·kw·C): dWᵀ = dy_rowsᵀ @ rows, as (F, kh, kw, C) → (F, C, kh, kw)."""
    xp = backend.get_array_module(rows, gy)
    n, f, oh, ow = gy.shape
    c, kh, kw = w_shape[1:]
    dy_rows = xp.ascontiguousarray(gy.transpose(0, 2, 3, 1)).reshape(n * oh * ow, f)  # (N·OH·OW, F)
    return (dy_rows.T @ rows).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)


def conv_forward_array(x, w, geometry, rows=None, keep=True):
    """y = conv(x, w) on arrays; also returns its im2col matrix as ``SavedWindows`` when it was built
    in one piece (else None), for the weight gradient.

    ``rows``: build the windows channels-last (True) or channel-first (False); by default
    ``rows_layout_pays`` decides.  The tests run both and check that they agree.  ``keep=False``:
    nobody will need the matrix (the input gradient below), so channels-last rows are not kept.
    """
    xp = backend.get_array_module(x, w)
    n, c, h, width = x.shape
    f = w.shape[0]
    g = geometry.groups
    if is_depthwise(geometry, c, f):
        return depthwise_forward_array(x, w, geometry), None
    oh, ow = geometry.output_hw(h, width)
    if rows is None:
        rows = rows_layout_pays(c, geometry, ow)
    if rows and g == 1:
        y, kept = _conv_forward_rows(x, w, geometry, oh, ow, keep)
        return y, (None if kept is None else SavedWindows(kept, rows=True))
    w_rows = w.reshape(g, f // g, -1)  # (G, F/G, C/G·kh·kw)
    y = xp.empty((n, f, oh, ow), dtype=x.dtype)
    chunks = _batch_chunks(n, _col_bytes_per_sample(c, geometry, oh, ow, x.itemsize))
    col = None
    for batch in chunks:
        col = im2col(x[batch], geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, (oh, ow))
        m = col.shape[3]
        out = w_rows @ col.reshape(g, -1, m * oh * ow)  # (G, F/G, m·OH·OW)
        y[batch] = out.reshape(f, m, oh, ow).transpose(1, 0, 2, 3)
    return y, (SavedWindows(col, rows=False) if len(chunks) == 1 else None)


def conv_grad_input_array(gy, w, x_shape, geometry, dy=None):
    """dx for y = conv(x, w): the transposed convolution of dy, shaped like x.

    Two equal ways to compute it (tests check that they agree):
    - ``grad_input_by_col2im``: col = Wᵀ @ dy, then col2im adds every column back to the pixel
      it came from.  Works for every stride; the reference path.
    - for stride 1, a plain *forward* convolution of dy with the kernel flipped and its in/out
      channels swapped, padded by dilation·(k − 1) − pad ("full" correlation):
          dx[n, c, h, w] = Σ_{f,i,j} dy[n, f, h + p − d·i, w + p − d·j] · W[f, c, i, j]
      Its GEMM has C rows and F·kh·kw inner terms instead of C·kh·kw rows and F terms, and no
      scatter-adds: 1.3–1.6× faster for ResNet's 3×3 layers.  Chosen when its column buffer is
      no bigger than col2im's (not for LeNet's unpadded 5×5, where padding dy by 4 would cost more).
    - otherwise, for stride 1 and short rows, col2im with the batch as the last axis (see
      ``_batch_last_pays``); the channel-first col2im everywhere else.
    """
    if _grad_input_as_convolution(gy.shape, x_shape, geometry):
        return conv_forward_array(gy, _flipped_transposed(w), _full_correlation(geometry), keep=False)[0]
    return grad_input_by_col2im(gy, w, x_shape, geometry, dy)


def _grad_input_as_convolution(gy_shape, x_shape, geometry):
    (kh, kw), (dh, dw) = geometry.kernel, geometry.dilation
    (top, bottom), (left, right) = geometry.pads
    n, f, oh, ow = gy_shape
    c, h, w = x_shape[1:]
    return (geometry.stride == (1, 1) and geometry.groups == 1
            and min(dh * (kh - 1) - top, dh * (kh - 1) - bottom, dw * (kw - 1) - left, dw * (kw - 1) - right) >= 0
            and f * h * w <= c * oh * ow)


def _flipped_transposed(w):
    """W (F, C, kh, kw) → W' (C, F, kh, kw) with W'[c, f, i, j] = W[f, c, kh − 1 − i, kw − 1 − j]."""
    return w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1].copy()


def _full_correlation(geometry):
    """The geometry of the forward convolution that computes dx (stride 1): pad d·(k − 1) − p on each side."""
    (kh, kw), (dh, dw) = geometry.kernel, geometry.dilation
    (top, bottom), (left, right) = geometry.pads
    pads = ((dh * (kh - 1) - top, dh * (kh - 1) - bottom), (dw * (kw - 1) - left, dw * (kw - 1) - right))
    return ConvGeometry(geometry.kernel, (1, 1), pads, geometry.dilation, 1)


def grad_input_by_col2im(gy, w, x_shape, geometry, dy=None, batch_last=None):
    """dx = col2im(Wᵀ @ dy), in the memory order ``_batch_last_pays`` picks unless ``batch_last`` is given.

    ``dy``: gy already in the channel-first (G, F/G, N, OH·OW) layout, when the caller has it.
    """
    xp = backend.get_array_module(gy, w)
    n, f, oh, ow = gy.shape
    c = x_shape[1]
    g = geometry.groups
    if is_depthwise(geometry, c, f):
        return depthwise_grad_input_array(gy, w, x_shape, geometry)
    if batch_last is None:
        batch_last = _batch_last_pays(geometry, ow)
    if dy is None or batch_last:
        dy = _grouped_dy(gy, g, batch_last)
    kh, kw = geometry.kernel
    w_cols = w.reshape(g, f // g, -1).transpose(0, 2, 1)  # (G, C/G·kh·kw, F/G)
    gx = xp.empty((n,) + tuple(x_shape[1:]), dtype=gy.dtype)
    for batch in _batch_chunks(n, _col_bytes_per_sample(c, geometry, oh, ow, gy.itemsize)):
        m = batch.stop - batch.start
        col = _col_from_matrix(w_cols @ _dy_rows(dy, batch, batch_last), (c, kh, kw, m, oh, ow), batch_last)
        gx[batch] = col2im(col, (m,) + tuple(x_shape[1:]), geometry.stride, geometry.pads, geometry.dilation,
                           batch_last=batch_last)
    return gx


def conv_grad_weight_array(x, gy, w_shape, geometry, saved=None, dy=None):
    """dW = dy @ im2col(x)ᵀ, summed over the batch (reusing forward's ``SavedWindows`` if given).

    Without saved rows this is the channel-first path, the reference: the tests check that
    forward's rows give the same dW.
    """
    xp = backend.get_array_module(x, gy)
    n, f, oh, ow = gy.shape
    c = x.shape[1]
    g = geometry.groups
    if is_depthwise(geometry, c, f):
        return depthwise_grad_weight_array(x, gy, w_shape, geometry)
    if saved is not None and saved.rows:
        return _conv_grad_weight_from_rows(saved.matrix, gy, w_shape)
    col = None if saved is None else saved.matrix
    dy = _grouped_dy(gy, g) if dy is None else dy
    # We compute dWᵀ = col @ dyᵀ, (C/G·kh·kw, F/G) per group, and transpose the small result at the end:
    # the same numbers as dy @ colᵀ, but OpenBLAS runs this orientation up to 2.2× faster on our conv
    # shapes (measured: LeNet's first layer 4.5 → 3.1 ms at batch 256).
    gw_t = xp.zeros((g, int(np.prod(w_shape[1:])), f // g), dtype=gy.dtype)
    chunks = [slice(0, n)] if col is not None else _batch_chunks(
        n, _col_bytes_per_sample(c, geometry, oh, ow, x.itemsize)
    )
    for batch in chunks:
        m = batch.stop - batch.start
        if col is None or len(chunks) > 1:
            col = im2col(x[batch], geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, (oh, ow))
        gw_t += col.reshape(g, -1, m * oh * ow) @ _dy_rows(dy, batch, False).transpose(0, 2, 1)
    return gw_t.transpose(0, 2, 1).reshape(w_shape)


class Conv2dFunction(Function):
    """y = conv2d(x, w) + b."""

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x, w, b=None):
        y, self.saved = conv_forward_array(x, w, self.geometry)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y

    def backward(self, gy):
        x, w = self.inputs[0], self.inputs[1]
        gx = gw = gb = None
        # The channel-first weight gradient and col2im both read dy in the (G, F/G, N, OH·OW) layout:
        # transpose it once for both (the channels-last weight gradient transposes it its own way).
        dy = None
        if not is_depthwise(self.geometry, x.shape[1], w.shape[0]) and not (self.saved is not None and self.saved.rows):
            dy = _grouped_dy(gy.data, self.geometry.groups)
        if self.needs_input_grad[0]:
            gx = ConvTranspose2dFunction(self.geometry, x.shape[2:], dy)(gy, w)
        if self.needs_input_grad[1]:
            gw = Conv2dGradWeight(self.geometry, w.shape, self.saved, dy)(x, gy)
        if len(self.inputs) == 3 and self.needs_input_grad[2]:
            gb = gy.sum((0, 2, 3))
        return gx, gw, gb


class ConvTranspose2dFunction(Function):
    """y = conv_transpose(x, w) + b: the adjoint of conv2d with the same geometry, whose input
    plays the role of conv2d's output (so y has conv2d's *input* size ``out_hw``)."""

    def __init__(self, geometry, out_hw, grouped_input=None):
        self.geometry, self.out_hw, self.grouped_input = geometry, tuple(out_hw), grouped_input

    def forward(self, x, w, b=None):
        out_shape = (x.shape[0], w.shape[1] * self.geometry.groups) + self.out_hw
        y = conv_grad_input_array(x, w, out_shape, self.geometry, self.grouped_input)
        self.grouped_input = None
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y

    def backward(self, gy):
        x, w = self.inputs[0], self.inputs[1]
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            gx = _crop(Conv2dFunction(self.geometry)(gy, w), x.shape[2:])
        if self.needs_input_grad[1]:
            gw = Conv2dGradWeight(self.geometry, w.shape)(gy, x)
        if len(self.inputs) == 3 and self.needs_input_grad[2]:
            gb = gy.sum((0, 2, 3))
        return gx, gw, gb


class Conv2dGradWeight(Function):
    """dW = conv2d's weight gradient as a function of (x, dy); linear in each argument."""

    def __init__(self, geometry, w_shape, saved=None, grouped_dy=None):
        self.geometry, self.w_shape, self.saved, self.grouped_dy = geometry, tuple(w_shape), saved, grouped_dy

    def forward(self, x, gy):
        gw = conv_grad_weight_array(x, gy, self.w_shape, self.geometry, self.saved, self.grouped_dy)
        self.saved = self.grouped_dy = None  # only needed once; do not keep big buffers alive in the graph
        return gw

    def backward(self, ggw):
        x, gy = self.inputs
        gx = ggy = None
        if self.needs_input_grad[0]:
            gx = ConvTranspose2dFunction(self.geometry, x.shape[2:])(gy, ggw)
        if self.needs_input_grad[1]:
            ggy = _crop(Conv2dFunction(self.geometry)(x, ggw), gy.shape[2:])
        return gx, ggy


def _crop(y, hw):
    """With output_padding a transposed conv's output has rows that no input position reaches
    through the adjoint convolution's windows; the adjoint convolution then yields a few more
    positions than the transposed conv's input had.  Keep the ones that exist."""
    if tuple(y.shape[2:]) == tuple(hw):
        return y
    return y[:, :, :hw[0], :hw[1]]


# ------------------------------------------------------------------ argument handling

def pair(value, name, op_name):
    """An int or a pair of ints → a pair of ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{op_name}: {name} must be an int or a pair of ints, got {value!r}")


def _padding(padding, kernel, stride, dilation, op_name):
    """int, pair, 'valid' or 'same' → ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op_name}: padding='same' needs stride 1, got stride={stride}")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))  # odd totals pad one more at the end
            return tuple(pads)
        raise ValueError(f"{op_name}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    ph, pw = pair(padding, "padding", op_name)
    if ph < 0 or pw < 0:
        raise ValueError(f"{op_name}: padding must be non-negative, got {padding!r}")
    return ((ph, ph), (pw, pw))


def _positive_pair(value, name, op_name):
    result = pair(value, name, op_name)
    if min(result) <= 0:
        raise ValueError(f"{op_name}: {name} must be positive, got {value!r}")
    return result


def _check_4d(x, name, op_name):
    if x.ndim != 4:
        raise RuntimeError(f"{op_name}: expected a 4-D {name} (N, C, H, W), got shape {x.shape}")


def _check_same_dtype(op_name, **tensors):
    named = [(k, v) for k, v in tensors.items() if v is not None]
    first_name, first = named[0]
    for name, tensor in named[1:]:
        if tensor.dtype != first.dtype:
            raise TypeError(f"{op_name}: {first_name} is {first.dtype} but {name} is {tensor.dtype}; convert one of them")


def _unbatched(x, op_name):
    """Accept (C, H, W) like PyTorch by adding a batch dim (removed again on return)."""
    x = to_tensor(x)
    if x.ndim == 3:
        return x.unsqueeze(0), True
    _check_4d(x, "input", op_name)
    return x, False


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in every framework).

    input: (N, C, H, W) or (C, H, W);  weight: (F, C/groups, kh, kw);  bias: (F,) or None
    → (N, F, OH, OW) with OH = floor((H + 2·pad − dilation·(kh − 1) − 1) / stride) + 1.
    ``padding`` may be an int, a pair, 'valid' (0) or 'same' (output size = input size, stride 1).
    """
    x, unbatched = _unbatched(input, "conv2d")
    x, weight, bias = amp.low_precision_inputs(x, to_tensor(weight), bias if bias is None else to_tensor(bias))
    w = weight
    _check_4d(w, "weight", "conv2d")
    _check_same_dtype("conv2d", input=x, weight=w, bias=bias)
    f, c_per_group, kh, kw = w.shape
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    if x.shape[1] != c_per_group * groups:
        raise RuntimeError(
            f"conv2d: expected input with {c_per_group * groups} channels (weight shape {w.shape}, groups={groups}), "
            f"got {x.shape[1]} channels (input shape {x.shape})"
        )
    if f % groups:
        raise RuntimeError(f"conv2d: out_channels ({f}) must be divisible by groups ({groups})")
    stride = _positive_pair(stride, "stride", "conv2d")
    dilation = _positive_pair(dilation, "dilation", "conv2d")
    geometry = ConvGeometry((kh, kw), stride, _padding(padding, (kh, kw), stride, dilation, "conv2d"), dilation, int(groups))
    oh, ow = geometry.output_hw(*x.shape[2:])
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"conv2d: input of spatial size {x.shape[2:]} is too small for kernel {(kh, kw)} with dilation "
            f"{dilation} and padding {geometry.pads} (output would be {oh}×{ow})"
        )
    if bias is not None:
        b = to_tensor(bias)
        if b.shape != (f,):
            raise RuntimeError(f"conv2d: expected bias of shape ({f},), got {b.shape}")
        y = Conv2dFunction(geometry)(x, w, b)
    else:
        y = Conv2dFunction(geometry)(x, w)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed convolution ("deconvolution"): the gradient of conv2d with respect to its input.

    input: (N, C_in, H, W);  weight: (C_in, C_out/groups, kh, kw)  →  (N, C_out, OH, OW) with
    OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1.
    """
    x, unbatched = _unbatched(input, "conv_transpose2d")
    x, weight, bias = amp.low_precision_inputs(x, to_tensor(weight), bias if bias is None else to_tensor(bias))
    w = weight
    _check_4d(w, "weight", "conv_transpose2d")
    _check_same_dtype("conv_transpose2d", input=x, weight=w, bias=bias)
    c_in, c_out_per_group, kh, kw = w.shape
    if x.shape[1] != c_in:
        raise RuntimeError(
            f"conv_transpose2d: expected input with {c_in} channels (weight shape {w.shape}), got {x.shape[1]} "
            f"(input shape {x.shape})"
        )
    if c_in % groups:
        raise RuntimeError(f"conv_transpose2d: in_channels ({c_in}) must be divisible by groups ({groups})")
    stride = _positive_pair(stride, "stride", "conv_transpose2d")
    dilation = _positive_pair(dilation, "dilation", "conv_transpose2d")
    ph, pw = pair(padding, "padding", "conv_transpose2d")
    oph, opw = pair(output_padding, "output_padding", "conv_transpose2d")
    if oph >= max(stride[0], dilation[0]) or opw >= max(stride[1], dilation[1]):
        raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller than stride or dilation")
    h, width = x.shape[2:]
    out_hw = (
        (h - 1) * stride[0] - 2 * ph + dilation[0] * (kh - 1) + oph + 1,
        (width - 1) * stride[1] - 2 * pw + dilation[1] * (kw - 1) + opw + 1,
    )
    if min(out_hw) <= 0:
        raise RuntimeError(f"conv_transpose2d: the output size {out_hw} would not be positive")
    geometry = ConvGeometry((kh, kw), stride, ((ph, ph), (pw, pw)), dilation, int(groups))
    inputs = (x, w) if bias is None else (x, w, to_tensor(bias))
    y = ConvTranspose2dFunction(geometry, out_hw)(*inputs)
    return y.squeeze(0) if unbatched else y


class Unfold(Function):
    """(N, C, H, W) → (N, C·kh·kw, L): every column one flattened kernel window (PyTorch's layout)."""

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x):
        col = im2col(x, self.geometry.kernel, self.geometry.stride, self.geometry.pads, self.geometry.dilation)
        c, kh, kw, n, oh, ow = col.shape
        self.x_hw = x.shape[2:]
        return col.transpose(3, 0, 1, 2, 4, 5).reshape(n, c * kh * kw, oh * ow)

    def backward(self, gy):
        return Fold(self.geometry, self.x_hw)(gy)


class Fold(Function):
    """(N, C·kh·kw, L) → (N, C, H, W), summing overlapping windows (the adjoint of Unfold)."""

    def __init__(self, geometry, output_hw):
        self.geometry, self.output_hw = geometry, tuple(output_hw)

    def forward(self, cols):
        kh, kw = self.geometry.kernel
        n, ckk, length = cols.shape
        oh, ow = self.geometry.output_hw(*self.output_hw)
        if ckk % (kh * kw) or oh * ow != length:
            raise RuntimeError(
                f"fold: input of shape {cols.shape} does not match kernel {(kh, kw)} and output size "
                f"{self.output_hw} (expected C·{kh * kw} rows and {oh * ow} columns)"
            )
        c = ckk // (kh * kw)
        col = cols.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        return col2im(col, (n, c) + self.output_hw, self.geometry.stride, self.geometry.pads, self.geometry.dilation)

    def backward(self, gy):
        return Unfold(self.geometry)(gy)


def _fold_geometry(kernel_size, dilation, padding, stride, op_name):
    kernel = _positive_pair(kernel_size, "kernel_size", op_name)
    ph, pw = pair(padding, "padding", op_name)
    return ConvGeometry(kernel, _positive_pair(stride, "stride", op_name), ((ph, ph), (pw, pw)),
                        _positive_pair(dilation, "dilation", op_name), 1)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col exposed: (N, C, H, W) → (N, C·kh·kw, L), L = OH·OW."""
    x = to_tensor(input)
    _check_4d(x, "input", "unfold")
    return Unfold(_fold_geometry(kernel_size, dilation, padding, stride, "unfold"))(x)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im exposed: (N, C·kh·kw, L) → (N, C, *output_size), overlapping values summed."""
    cols = to_tensor(input)
    if cols.ndim != 3:
        raise RuntimeError(f"fold: expected a 3-D input (N, C·kh·kw, L), got shape {cols.shape}")
    geometry = _fold_geometry(kernel_size, dilation, padding, stride, "fold")
    return Fold(geometry, pair(output_size, "output_size", "fold"))(cols)


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1."""
    return math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
