"""A deliberately naive convolution: four nested loops, one dot product per output element.

Slow (pure Python loops) and obviously right — it reads like the definition

    y[n, f, i, j] = b[f] + Σ_{c, p, q} x_pad[n, g·C/G + c, i·sh + p·dh, j·sw + q·dw] · w[f, c, p, q]

where g = f // (F/G) is the group of filter f.  The fast im2col version is tested against it.
Works on NumPy arrays only.
"""
import numpy as np


def conv2d_reference(x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """x: (N, C, H, W), w: (F, C/groups, kh, kw), b: (F,) → (N, F, OH, OW)."""
    n_batch, channels, height, width = x.shape
    filters, channels_per_group, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    x_pad = np.pad(x, ((0, 0), (0, 0), padding[0], padding[1]))
    out_h = (x_pad.shape[2] - dh * (kh - 1) - 1) // sh + 1
    out_w = (x_pad.shape[3] - dw * (kw - 1) - 1) // sw + 1
    filters_per_group = filters // groups
    y = np.zeros((n_batch, filters, out_h, out_w), dtype=x.dtype)
    for n in range(n_batch):
        for f in range(filters):
            group = f // filters_per_group
            first_channel = group * channels_per_group
            for i in range(out_h):
                for j in range(out_w):
                    window = x_pad[
                        n,
                        first_channel:first_channel + channels_per_group,
                        i * sh:i * sh + dh * (kh - 1) + 1:dh,
                        j * sw:j * sw + dw * (kw - 1) + 1:dw,
                    ]
                    y[n, f, i, j] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return y
