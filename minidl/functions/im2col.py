"""im2col and col2im on raw arrays: the data movement that turns convolution into one matrix product.

For an input x of shape (N, C, H, W) and a kh×kw kernel, the *column buffer* holds, for every
output position, the C·kh·kw input values its kernel window covers:

    col[c, i, j, n, oh, ow] = x_padded[n, c, oh·sh + i·dh, ow·sw + j·dw]      shape (C, kh, kw, N, OH, OW)

Read as a matrix of shape (C·kh·kw, N·OH·OW), every *column* is one flattened window, so a
convolution with weights W of shape (F, C·kh·kw) is the single product W @ col.

We build it the Chainer way: one strided slice per kernel offset (i, j) — kh·kw copies of an
(N, C, OH, OW) block, no index arrays, and stride and dilation come free from slicing.
col2im is the same loop with ``+=``: it sends every column entry back to the input pixel it
came from, adding where windows overlap (which is exactly the adjoint of im2col).
See docs/im2col.md for a picture.
"""
from .. import backend


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


def pad_spatial(x, pads, value=0.0, extra=(0, 0)):
    """Pad the last two axes: ``pads = ((top, bottom), (left, right))``; ``extra`` adds to bottom/right."""
    (top, bottom), (left, right) = pads
    bottom, right = bottom + extra[0], right + extra[1]
    if not (top or bottom or left or right):
        return x
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out


def _channels_first_padded(x, pads, extra=(0, 0)):
    """x (N, C, H, W) → zero-padded (C, N, H_p, W_p): the transposition is paid once here, so that
    each kernel offset below copies a plain strided block (kh·kw transposing copies cost 20–30% more)."""
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    (top, bottom), (left, right) = pads
    out = xp.zeros((c, n, h + top + bottom + extra[0], w + left + right + extra[1]), dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x.transpose(1, 0, 2, 3)
    return out


def im2col(x, kernel, stride, pads, dilation, out_hw=None):
    """x: (N, C, H, W) → col: (C, kh, kw, N, OH, OW)."""
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = out_hw or (
        out_size(h, kh, sh, *pads[0], dh),
        out_size(w, kw, sw, *pads[1], dw),
    )
    padded = _channels_first_padded(x, pads)  # (C, N, H_p, W_p)
    col = xp.empty((c, kh, kw, n, oh, ow), dtype=x.dtype)
    for i in range(kh):
        top = i * dh
        for j in range(kw):
            left = j * dw
            col[:, i, j] = padded[:, :, top:top + sh * (oh - 1) + 1:sh, left:left + sw * (ow - 1) + 1:sw]
    return col


# ------------------------------------------------------------------ the same windows, channels last
#
# col above runs along OW in memory: each kernel offset copies rows of OW numbers, and for maps of
# 8 or 16 pixels NumPy's cost per row, not the bytes, sets the time.  Store the image channels last,
# (N, H_p, W_p, C), and a window row is contiguous instead: x_pad[n, h, w + j, c] for j < kw and
# all c is kw·C consecutive numbers.  So *every* window is a view — no copy — given by strides:
#
#     windows[n, oh, ow, i, j, c] = x_pad[n, oh·sh + i·dh, ow·sw + j·dw, c]
#
# and one copy of that view, run by run, is the im2col matrix with one *row* per output position:
# rows (N·OH·OW, kh·kw·C) = windows.reshape(...).  rows @ W' (kh·kw·C, F) is y channels last.


def channels_last_padded(x, pads):
    """x (N, C, H, W) → zero-padded (N, H_p, W_p, C), channels the innermost axis."""
    xp = backend.get_array_module(x)
    n, c, h, w = x.shape
    (top, bottom), (left, right) = pads
    out = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    out[:, top:top + h, left:left + w, :] = x.transpose(0, 2, 3, 1)
    return out


def window_view(padded, kernel, stride, dilation, out_hw):
    """padded (N, H_p, W_p, C) → a view (N, OH, OW, kh, kw, C) of every kernel window.

    Nothing is copied: stepping one output position moves by the stride along H or W, stepping
    one kernel offset moves by the dilation; the view reads the same memory many times — so only
    read it (a write would land in every window that shares the pixel).
    """
    xp = backend.get_array_module(padded)
    n, hp, wp, c = padded.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = out_hw
    if (oh - 1) * sh + (kh - 1) * dh >= hp or (ow - 1) * sw + (kw - 1) * dw >= wp:
        # as_strided does not check bounds: a window past the edge would read foreign memory
        raise ValueError(f"window_view: {oh}×{ow} windows of {kh}×{kw} (stride {stride}, dilation {dilation}) "
                         f"do not fit in a {hp}×{wp} image")
    s_n, s_h, s_w, s_c = padded.strides
    return xp.lib.stride_tricks.as_strided(
        padded, shape=(n, oh, ow, kh, kw, c),
        strides=(s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c))


def im2col_rows(padded, kernel, stride, dilation, out_hw, out=None):
    """padded (N, H_p, W_p, C) → rows (N·OH·OW, kh·kw·C): one copy of ``window_view`` (into the
    C-contiguous ``out`` if given)."""
    xp = backend.get_array_module(padded)
    windows = window_view(padded, kernel, stride, dilation, out_hw)
    n, oh, ow, kh, kw, c = windows.shape
    if out is None:
        out = xp.empty((n * oh * ow, kh * kw * c), dtype=padded.dtype)
    out.reshape(windows.shape)[...] = windows
    return out


def _padded_hw(hw, kernel, out_hw, stride, pads, dilation):
    """(H_p, W_p) for col2im: the padded image must hold every window, also ones that start in the
    right padding (a strided window may reach past it)."""
    return tuple(max(size + before + after, d * (k - 1) + s * (o - 1) + 1)
                 for size, k, o, s, (before, after), d in zip(hw, kernel, out_hw, stride, pads, dilation))


def col2im(col, x_shape, stride, pads, dilation, batch_last=False):
    """col: (C, kh, kw, N, OH, OW) → x: (N, C, H, W), summing overlapping contributions.

    ``batch_last`` only changes the memory order of the padded image we add into: (C, H_p, W_p, N)
    instead of (C, N, H_p, W_p), indexed through a transposed view, so the loop reads the same.
    Given a col stored batch-last too (a view in the order above), the slice that one kernel
    offset adds into is then a few long contiguous runs (OW·N numbers for stride 1) instead of
    N·C·OH rows of OW numbers, and NumPy's cost per row dominates short rows: 2.7–4.9× faster for
    LeNet's 10-wide maps.  (The caller pays for transposing dy and dx; see conv.py.)
    """
    xp = backend.get_array_module(col)
    c, kh, kw, n, oh, ow = col.shape
    _, _, h, w = x_shape
    (sh, sw), (dh, dw) = stride, dilation
    (top_pad, _), (left_pad, _) = pads
    hp, wp = _padded_hw((h, w), (kh, kw), (oh, ow), stride, pads, dilation)
    if batch_last:
        padded = xp.zeros((c, hp, wp, n), dtype=col.dtype).transpose(0, 3, 1, 2)
    else:  # channels first, like col: no transposition per offset
        padded = xp.zeros((c, n, hp, wp), dtype=col.dtype)
    for i in range(kh):
        top = i * dh
        for j in range(kw):
            left = j * dw
            padded[:, :, top:top + sh * (oh - 1) + 1:sh, left:left + sw * (ow - 1) + 1:sw] += col[:, i, j]
    return padded[:, :, top_pad:top_pad + h, left_pad:left_pad + w].transpose(1, 0, 2, 3)

