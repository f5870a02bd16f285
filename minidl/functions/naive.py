"""The layers as plain loops: read these first.

Each function here is the definition of a layer written as directly as Python allows — one loop
per sum in the formula, one output element or one window at a time — so it is slow and obviously
right.  The reference path (conv.py, pooling.py, normalization.py) computes the same numbers with
whole-array operations, and the tests check it against these loops on small shapes (CS231n keeps
``conv_forward_naive`` for the same reason).  NumPy arrays only.

Shapes follow PyTorch: x: (N, C, H, W), w: (F, C/G, kh, kw), b: (F,) → y: (N, F, OH, OW).
``padding`` here is one int or a pair (the same on both sides of an axis).
"""
import numpy as np


def _pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


def _windows(out_h, out_w, stride, dilation, kernel):
    """(i, j, rows, cols) for every output position: the slices of the padded input its window covers."""
    (sh, sw), (dh, dw), (kh, kw) = stride, dilation, kernel
    for i in range(out_h):
        for j in range(out_w):
            yield i, j, slice(i * sh, i * sh + dh * (kh - 1) + 1, dh), slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)


def _out_size(size, kernel, stride, padding, dilation):
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# ------------------------------------------------------------------ convolution

def conv2d_forward_naive(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, f, i, j] = b[f] + Σ_{c, p, q} w[f, c, p, q] · x_pad[n, g·C/G + c, i·sh + p·dh, j·sw + q·dw]

    where g = f // (F/G) is the group of filter f.  x: (N, C, H, W), w: (F, C/G, kh, kw), b: (F,) or None
    → y: (N, F, OH, OW).
    """
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_batch, _, height, width = x.shape
    filters, c_per_group, kh, kw = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_h, out_w = _out_size(height, kh, sh, ph, dh), _out_size(width, kw, sw, pw, dw)
    y = np.zeros((n_batch, filters, out_h, out_w), dtype=x.dtype)
    for n in range(n_batch):
        for f in range(filters):
            first = (f // (filters // groups)) * c_per_group  # first input channel of f's group
            for i, j, rows, cols in _windows(out_h, out_w, (sh, sw), (dh, dw), (kh, kw)):
                window = x_pad[n, first:first + c_per_group, rows, cols]  # (C/G, kh, kw)
                y[n, f, i, j] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return y


def conv2d_backward_naive(dy, x, w, stride=1, padding=0, dilation=1, groups=1):
    """The three gradients of conv2d_forward_naive, one output element at a time: dL/dx, dL/dw and
    dL/db for L = Σ dy · y.

    dy: (N, F, OH, OW), x: (N, C, H, W), w: (F, C/G, kh, kw) → (dx like x, dw like w, db: (F,)).
    """
    # Every output y[n, f, i, j] used one window of x and the whole filter w[f], so its gradient
    # dy[n, f, i, j] flows back to both (+=: windows overlap, and every output uses w[f]):
    #     dx_pad[n, window] += dy[n, f, i, j] · w[f]        dw[f] += dy[n, f, i, j] · x_pad[n, window]
    #     db[f] = Σ_{n, i, j} dy[n, f, i, j]
    (sh, sw), (ph, pw), (dh, dw_) = _pair(stride), _pair(padding), _pair(dilation)
    n_batch, _, height, width = x.shape
    filters, c_per_group, kh, kw = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    out_h, out_w = dy.shape[2:]
    for n in range(n_batch):
        for f in range(filters):
            first = (f // (filters // groups)) * c_per_group
            for i, j, rows, cols in _windows(out_h, out_w, (sh, sw), (dh, dw_), (kh, kw)):
                dx_pad[n, first:first + c_per_group, rows, cols] += dy[n, f, i, j] * w[f]
                dw[f] += dy[n, f, i, j] * x_pad[n, first:first + c_per_group, rows, cols]
    db = dy.sum(axis=(0, 2, 3))
    return dx_pad[:, :, ph:ph + height, pw:pw + width], dw, db


# ------------------------------------------------------------------ pooling

def max_pool2d_forward_naive(x, kernel_size, stride=None, padding=0, dilation=1):
    """y[n, c, i, j] = max of window (i, j) of x_pad, padding counting as −∞.
    x: (N, C, H, W) → y: (N, C, OH, OW)."""
    return _max_pool_naive(x, None, kernel_size, stride, padding, dilation)


def max_pool2d_backward_naive(dy, x, kernel_size, stride=None, padding=0, dilation=1):
    """dx: each dy[n, c, i, j] goes to the first maximum of its window (row-major; a NaN is the
    maximum, the last one if several, as in PyTorch), the rest get 0.
    dy: (N, C, OH, OW), x: (N, C, H, W) → dx: (N, C, H, W)."""
    return _max_pool_naive(x, dy, kernel_size, stride, padding, dilation)


def _max_pool_naive(x, dy, kernel_size, stride, padding, dilation):
    kernel = _pair(kernel_size)
    stride, (ph, pw), dilation = _pair(kernel_size if stride is None else stride), _pair(padding), _pair(dilation)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    out_h = _out_size(x.shape[2], kernel[0], stride[0], ph, dilation[0])
    out_w = _out_size(x.shape[3], kernel[1], stride[1], pw, dilation[1])
    y = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    dx_pad = np.zeros_like(x_pad)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i, j, rows, cols in _windows(out_h, out_w, stride, dilation, kernel):
                window = x_pad[n, c, rows, cols]
                best = None
                for p, q in np.ndindex(*window.shape):  # row-major: the first maximum, or the last NaN
                    row, col = rows.start + p * dilation[0], cols.start + q * dilation[1]
                    if not (ph <= row < ph + x.shape[2] and pw <= col < pw + x.shape[3]):
                        continue  # a padding cell is never the maximum's position
                    if best is None or window[p, q] > window[best] or np.isnan(window[p, q]):
                        best = (p, q)
                y[n, c, i, j] = window[best]
                if dy is not None:
                    dx_pad[n, c, rows, cols][best] += dy[n, c, i, j]
    if dy is None:
        return y
    return dx_pad[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d_forward_naive(x, kernel_size, stride=None, padding=0):
    """y[n, c, i, j] = mean of window (i, j) of the zero-padded x (padding counted, PyTorch's default).
    x: (N, C, H, W) → y: (N, C, OH, OW)."""
    kernel, stride, (ph, pw) = _pair(kernel_size), _pair(kernel_size if stride is None else stride), _pair(padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_h, out_w = _out_size(x.shape[2], kernel[0], stride[0], ph, 1), _out_size(x.shape[3], kernel[1], stride[1], pw, 1)
    y = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    for i, j, rows, cols in _windows(out_h, out_w, stride, (1, 1), kernel):
        y[:, :, i, j] = x_pad[:, :, rows, cols].mean(axis=(2, 3))
    return y


def avg_pool2d_backward_naive(dy, x_shape, kernel_size, stride=None, padding=0):
    """dx: each dy[n, c, i, j] is shared equally by the kh·kw pixels of its window.
    dy: (N, C, OH, OW) → dx: x_shape (N, C, H, W)."""
    kernel, stride, (ph, pw) = _pair(kernel_size), _pair(kernel_size if stride is None else stride), _pair(padding)
    n, c, h, w = x_shape
    dx_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dy.dtype)
    for i, j, rows, cols in _windows(dy.shape[2], dy.shape[3], stride, (1, 1), kernel):
        dx_pad[:, :, rows, cols] += dy[:, :, i, j, None, None] / (kernel[0] * kernel[1])
    return dx_pad[:, :, ph:ph + h, pw:pw + w]


# ------------------------------------------------------------------ batch normalization (training)

def batch_norm_forward_naive(x, gamma, beta, eps=1e-5):
    """Per channel c, over its M = N·H·W values, in small named steps:

        μ = Σ x / M,   xc = x − μ,   σ² = Σ xc² / M,   inv = 1/√(σ² + ε),   x̂ = xc · inv,   y = γ·x̂ + β

    x: (N, C, H, W), gamma, beta: (C,) → (y like x, cache for the backward pass).
    """
    y = np.empty_like(x)
    cache = []
    for c in range(x.shape[1]):
        values = x[:, c]
        mu = values.sum() / values.size
        xc = values - mu
        var = (xc * xc).sum() / values.size
        inv = 1.0 / np.sqrt(var + eps)
        x_hat = xc * inv
        y[:, c] = gamma[c] * x_hat + beta[c]
        cache.append((xc, var, inv, x_hat, gamma[c]))
    return y, cache


def batch_norm_backward_naive(dy, cache, eps=1e-5):
    """Backpropagate through the forward's steps one at a time, last step first (the chain rule on
    the staged graph μ → xc → σ² → inv → x̂ → y; no closed form).

    dy: (N, C, H, W), cache from batch_norm_forward_naive → (dx like dy, dgamma: (C,), dbeta: (C,)).
    """
    dx = np.empty_like(dy)
    dgamma = np.empty(dy.shape[1], dtype=dy.dtype)
    dbeta = np.empty(dy.shape[1], dtype=dy.dtype)
    for c, (xc, var, inv, x_hat, gamma) in enumerate(cache):
        g = dy[:, c]
        m = g.size
        dbeta[c] = g.sum()                          # y = γ·x̂ + β
        dgamma[c] = (g * x_hat).sum()
        d_x_hat = g * gamma
        d_inv = (d_x_hat * xc).sum()                # x̂ = xc · inv
        d_xc = d_x_hat * inv
        d_var = d_inv * -0.5 * (var + eps) ** -1.5  # inv = (σ² + ε)^(−1/2)
        d_xc += d_var * 2 * xc / m                  # σ² = Σ xc² / M
        d_mu = -d_xc.sum()                          # xc = x − μ
        dx[:, c] = d_xc + d_mu / m                  # μ = Σ x / M
    return dx, dgamma, dbeta
