"""Fast twins of the three convolution products (functions/conv.py) on NumPy.

Same contracts, same numbers (tests/functions/test_fast_twins.py holds each equal to the
reference); only memory order, buffer reuse and which product computes what differ.  What each
buys, measured, is in docs/benchmarks.md ("fast paths and what each buys").

- depthwise (groups = C = F) input gradient: kh·kw shifted, scaled views added into dx instead of
  C tiny matrix products and a col2im (forward and weight gradient measured slower that way: the
  grouped matmul stays).
- channels-last rows: every window as an ``as_strided`` view of the (N, H_p, W_p, C) image, one
  copy → rows (N·OH·OW, kh·kw·C); chosen when its contiguous runs (kw·C) beat channel-first's (OW).
- forward's windows kept in ``scratch`` for the weight gradient when they fit the budget.
- dWᵀ = col @ dyᵀ: the same numbers as dy @ colᵀ in the orientation OpenBLAS runs faster.
- dy transposed once into the GEMM layout and shared by both gradients (``scratch``).
- stride-1 input gradient as a forward convolution of dy with the flipped, transposed kernel.
- col2im batch-last: the padded image stored (C, H_p, W_p, N), long runs for short rows.
"""
import numpy as np

from ... import backend
from ..conv import conv2d_forward, conv2d_grad_input, conv2d_grad_weight
from ..dispatch import twin_of
from ..geometry import ConvGeometry, padded_hw
from ..im2col import batch_chunks, col2im, im2col, im2col_budget

_ROWS_PIECE_BYTES = 2 * 2**20  # forward rows built and multiplied in cache-sized pieces


# ------------------------------------------------------------------ the twins (dispatch)

@twin_of(conv2d_forward)
def conv2d_forward_fast(x, w, geometry, scratch):
    n, c, h, width = x.shape
    oh, ow = geometry.output_hw(h, width)
    if rows_layout_pays(c, geometry, ow):
        y, rows = forward_by_rows(x, w, geometry, (oh, ow))
        scratch["rows"] = rows
        return y
    if n * col_bytes_per_sample(c, geometry, (oh, ow), x.itemsize) > im2col_budget():
        return NotImplemented  # the reference's chunked loop; nothing to keep
    col = im2col(x, geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, (oh, ow))
    scratch["col"] = col  # kept for the weight gradient
    f, g = w.shape[0], geometry.groups
    product = w.reshape(g, f // g, -1) @ col.reshape(g, -1, n * oh * ow)
    return product.reshape(f, n, oh, ow).transpose(1, 0, 2, 3)


@twin_of(conv2d_grad_input)
def conv2d_grad_input_fast(dy, w, x_shape, geometry, scratch):
    if is_depthwise(geometry, x_shape[1], dy.shape[1]):
        return depthwise_grad_input(dy, w, x_shape, geometry)
    if grad_input_as_convolution_pays(dy.shape, x_shape, geometry):
        return grad_input_as_convolution(dy, w, geometry)
    batch_last = batch_last_pays(geometry, dy.shape[3])
    grouped = grouped_dy(dy, geometry.groups, batch_last)
    if not batch_last:
        scratch["grouped_dy"] = (dy, grouped)  # the weight gradient reads dy in the same layout
    return grad_input_by_col2im(grouped, w, x_shape, geometry, dy.shape, batch_last)


@twin_of(conv2d_grad_weight)
def conv2d_grad_weight_fast(x, dy, w_shape, geometry, scratch):
    shared = scratch.pop("grouped_dy", None)
    if scratch.get("rows") is not None:
        return grad_weight_from_rows(scratch["rows"], dy, w_shape)
    grouped = shared[1] if shared is not None and shared[0] is dy else grouped_dy(dy, geometry.groups)
    return grad_weight_transposed(x, grouped, w_shape, geometry, dy.shape, scratch.get("col"))


# ------------------------------------------------------------------ when each trick pays

def is_depthwise(geometry, channels, filters):
    return geometry.groups > 1 and geometry.groups == channels == filters


def rows_layout_pays(channels, geometry, ow):
    """Channels-last when its runs (kw·C numbers, C with a dilated kernel) are at least channel-first's
    (OW, or single numbers with a stride); groups = 1 and kernels bigger than 1×1 only."""
    kh, kw = geometry.kernel
    run_rows = channels * (kw if geometry.dilation[1] == 1 else 1)
    run_channel_first = ow if geometry.stride[1] == 1 else 1
    return geometry.groups == 1 and kh * kw > 1 and run_rows >= run_channel_first


def grad_input_as_convolution_pays(dy_shape, x_shape, geometry):
    """Stride 1, groups 1, and its column buffer (F·H·W per sample) no bigger than col2im's (C·OH·OW)."""
    (kh, kw), (dh, dw) = geometry.kernel, geometry.dilation
    (top, bottom), (left, right) = geometry.pads
    n, f, oh, ow = dy_shape
    c, h, w = x_shape[1:]
    if not (geometry.stride == (1, 1) and geometry.groups == 1
            and min(dh * (kh - 1) - top, dh * (kh - 1) - bottom, dw * (kw - 1) - left, dw * (kw - 1) - right) >= 0):
        return False
    # the full correlation must produce exactly x's size (not with a transposed conv's output_padding)
    return full_correlation(geometry).output_hw(oh, ow) == (h, w) and f * h * w <= c * oh * ow


def batch_last_pays(geometry, ow):
    """col2im batch-last for stride 1, kernels bigger than 1×1 and rows up to 16 wide."""
    kh, kw = geometry.kernel
    return geometry.stride == (1, 1) and kh * kw > 1 and ow <= 16


def col_bytes_per_sample(channels, geometry, out_hw, itemsize):
    kh, kw = geometry.kernel
    return channels * kh * kw * out_hw[0] * out_hw[1] * itemsize


# ------------------------------------------------------------------ depthwise: shifted views
#     y[n, c] = Σ_{i,j} w[c, 0, i, j] · x_pad[n, c, i·d + s·oh, j·d + s·ow], so dx_pad[n, c] gets
#     dy[n, c] · w[c, 0, i, j] added at every offset's shifted view

def depthwise_grad_input(dy, w, x_shape, geometry):
    xp = backend.get_array_module(dy, w)
    n, c, oh, ow = dy.shape
    hp, wp = padded_hw(x_shape[2:], geometry.kernel, (oh, ow), geometry.stride, geometry.pads, geometry.dilation)
    padded = xp.zeros((n, c, hp, wp), dtype=dy.dtype)
    for i, j, rows, cols in geometry.offsets((oh, ow)):
        padded[:, :, rows, cols] += dy * w[:, 0, i, j].reshape(1, c, 1, 1)
    (top, _), (left, _) = geometry.pads
    return padded[:, :, top:top + x_shape[2], left:left + x_shape[3]]


# ------------------------------------------------------------------ channels-last rows

def channels_last_padded(x, pads):
    """x (N, C, H, W) → zero-padded (N, H_p, W_p, C), channels the innermost axis."""
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    (top, bottom), (left, right) = pads
    out = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    out[:, top:top + h, left:left + w, :] = x.transpose(0, 2, 3, 1)
    return out


def window_view(padded, kernel, stride, dilation, out_hw):
    """padded (N, H_p, W_p, C) → a view (N, OH, OW, kh, kw, C) of every kernel window, no copy:
    one output step moves stride·(the H or W stride), one kernel step dilation·(the same).
    Read it only — a write would land in every window that shares the pixel."""
    xp = backend.get_array_module(padded)
    n, hp, wp, c = padded.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    if (oh - 1) * sh + (kh - 1) * dh >= hp or (ow - 1) * sw + (kw - 1) * dw >= wp:
        # as_strided does not check bounds: a window past the edge would read foreign memory
        raise ValueError(f"window_view: {oh}×{ow} windows of {kh}×{kw} (stride {stride}, dilation {dilation}) "
                         f"do not fit in a {hp}×{wp} image")
    s_n, s_h, s_w, s_c = padded.strides
    return xp.lib.stride_tricks.as_strided(
        padded, shape=(n, oh, ow, kh, kw, c), strides=(s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c))


def im2col_rows(padded, kernel, stride, dilation, out_hw, out=None):
    """padded (N, H_p, W_p, C) → rows (N·OH·OW, kh·kw·C): one copy of ``window_view`` (into ``out``)."""
    xp = backend.get_array_module(padded)
    windows = window_view(padded, kernel, stride, dilation, out_hw)
    n, oh, ow, kh, kw, c = windows.shape
    if out is None:
        out = xp.empty((n * oh * ow, kh * kw * c), dtype=padded.dtype)
    out.reshape(windows.shape)[...] = windows
    return out


def forward_by_rows(x, w, geometry, out_hw, keep=True):
    """y = rows @ W' (W' = W as (kh·kw·C, F)), the rows built piece by piece; returns (y, rows)
    with all the rows when ``keep`` and they fit the budget, else (y, None)."""
    xp = backend.get_array_module(x, w)
    (n, c), (f, _, kh, kw), (oh, ow) = x.shape[:2], w.shape, out_hw
    k = kh * kw * c
    padded = channels_last_padded(x, geometry.pads)
    w_rows = w.transpose(2, 3, 1, 0).reshape(k, f)  # rows in the windows' (i, j, c) order
    bytes_per_sample = oh * ow * k * x.itemsize
    kept = xp.empty((n * oh * ow, k), dtype=x.dtype) if keep and n * bytes_per_sample <= im2col_budget() else None
    y = xp.empty((n, f, oh, ow), dtype=x.dtype)
    per_piece = max(1, _ROWS_PIECE_BYTES // bytes_per_sample)
    for start in range(0, n, per_piece):
        batch = slice(start, min(start + per_piece, n))
        out = None if kept is None else kept[batch.start * oh * ow:batch.stop * oh * ow]
        rows = im2col_rows(padded[batch], geometry.kernel, geometry.stride, geometry.dilation, out_hw, out=out)
        y[batch] = (rows @ w_rows).reshape(-1, oh, ow, f).transpose(0, 3, 1, 2)
    return y, kept


def grad_weight_from_rows(rows, dy, w_shape):
    """dWᵀ = dy_rowsᵀ @ rows (F, kh·kw·C) → (F, C, kh, kw)."""
    xp = backend.get_array_module(rows, dy)
    n, f, oh, ow = dy.shape
    c, kh, kw = w_shape[1:]
    dy_rows = xp.ascontiguousarray(dy.transpose(0, 2, 3, 1)).reshape(n * oh * ow, f)
    return (dy_rows.T @ rows).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)


# ------------------------------------------------------------------ channel-first, tuned

def grouped_dy(dy, groups, batch_last=False):
    """dy (N, F, OH, OW) → (G, F/G, N, OH·OW), or (G, F/G, OH·OW, N) batch-last, copied once."""
    xp = backend.get_array_module(dy)
    n, f, oh, ow = dy.shape
    if batch_last:
        return xp.ascontiguousarray(dy.transpose(1, 2, 3, 0)).reshape(groups, f // groups, oh * ow, n)
    return xp.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, f // groups, n, oh * ow)


def _dy_matrix(grouped, batch, batch_last):
    part = grouped[..., batch] if batch_last else grouped[:, :, batch]
    return part.reshape(part.shape[0], part.shape[1], -1)


def grad_weight_transposed(x, grouped, w_shape, geometry, dy_shape, col=None):
    """dWᵀ = col @ dyᵀ per group, from forward's col when kept, else chunk by chunk."""
    xp = backend.get_array_module(x, grouped)
    n, f, oh, ow = dy_shape
    g = geometry.groups
    gw_t = xp.zeros((g, int(np.prod(w_shape[1:])), f // g), dtype=grouped.dtype)
    chunks = [slice(0, n)] if col is not None else batch_chunks(
        n, col_bytes_per_sample(x.shape[1], geometry, (oh, ow), x.itemsize))
    for batch in chunks:
        m = batch.stop - batch.start
        part = col if col is not None else im2col(
            x[batch], geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, (oh, ow))
        gw_t += part.reshape(g, -1, m * oh * ow) @ _dy_matrix(grouped, batch, False).transpose(0, 2, 1)
    return gw_t.transpose(0, 2, 1).reshape(w_shape)


def grad_input_by_col2im(grouped, w, x_shape, geometry, dy_shape, batch_last):
    """dx = col2im(Wᵀ @ dy) from dy already grouped (``grouped_dy``), channel-first or batch-last."""
    xp = backend.get_array_module(grouped, w)
    n, f, oh, ow = dy_shape
    c, g, (kh, kw) = x_shape[1], geometry.groups, geometry.kernel
    w_cols = w.reshape(g, f // g, -1).transpose(0, 2, 1)  # (G, C/G·kh·kw, F/G)
    dx = xp.empty((n,) + tuple(x_shape[1:]), dtype=grouped.dtype)
    for batch in batch_chunks(n, col_bytes_per_sample(c, geometry, (oh, ow), grouped.itemsize)):
        m = batch.stop - batch.start
        product = w_cols @ _dy_matrix(grouped, batch, batch_last)
        if batch_last:  # (G, C/G·kh·kw, OH·OW·m) → a view (C, kh, kw, m, OH, OW)
            col = product.reshape(c, kh, kw, oh, ow, m).transpose(0, 1, 2, 5, 3, 4)
        else:
            col = product.reshape(c, kh, kw, m, oh, ow)
        dx[batch] = col2im_any_order(col, (m,) + tuple(x_shape[1:]), geometry, batch_last)
    return dx


def col2im_any_order(col, x_shape, geometry, batch_last):
    """functions/im2col.col2im, or with ``batch_last`` the same loop adding into a padded image stored
    (C, H_p, W_p, N) (indexed through a transposed view, so the loop reads the same)."""
    if not batch_last:
        return col2im(col, x_shape, geometry.stride, geometry.pads, geometry.dilation)
    xp = backend.get_array_module(col)
    c, kh, kw, n, oh, ow = col.shape
    h, w = x_shape[2:]
    (top, _), (left, _) = geometry.pads
    hp, wp = padded_hw((h, w), (kh, kw), (oh, ow), geometry.stride, geometry.pads, geometry.dilation)
    padded = xp.zeros((c, hp, wp, n), dtype=col.dtype).transpose(0, 3, 1, 2)
    for i, j, rows, cols in geometry.offsets((oh, ow)):
        padded[:, :, rows, cols] += col[:, i, j]
    return padded[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)


# ------------------------------------------------------------------ input gradient as a convolution
#     dx[n, c, h, w] = Σ_{f,i,j} dy[n, f, h + p − d·i, w + p − d·j] · W[f, c, i, j]   (stride 1)

def flipped_transposed(w):
    """W (F, C, kh, kw) → W' (C, F, kh, kw) with W'[c, f, i, j] = W[f, c, kh − 1 − i, kw − 1 − j]."""
    return w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1].copy()


def grad_input_as_convolution(dy, w, geometry):
    """dx as conv2d(dy, flipped_transposed(w)) in the full-correlation geometry (rows never kept)."""
    full, w_flipped = full_correlation(geometry), flipped_transposed(w)
    n, f, oh, ow = dy.shape
    out_hw = full.output_hw(oh, ow)
    if rows_layout_pays(f, full, out_hw[1]):
        return forward_by_rows(dy, w_flipped, full, out_hw, keep=False)[0]
    return conv2d_forward(dy, w_flipped, full, {})


def full_correlation(geometry):
    """The stride-1 geometry of that forward convolution: pad d·(k − 1) − p on each side."""
    (kh, kw), (dh, dw) = geometry.kernel, geometry.dilation
    (top, bottom), (left, right) = geometry.pads
    pads = ((dh * (kh - 1) - top, dh * (kh - 1) - bottom), (dw * (kw - 1) - left, dw * (kw - 1) - right))
    return ConvGeometry(geometry.kernel, (1, 1), pads, geometry.dilation, 1)
