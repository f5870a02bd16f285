"""The 3-D layers: ``conv3d``, ``max_pool3d``, ``avg_pool3d``, ``adaptive_avg_pool3d``.

A volume (N, C, D, H, W) — a video clip, a CT scan — is an image with one more spatial axis, and
nothing in im2col or pooling is particular to two axes: a kd×kh×kw kernel has kd·kh·kw offsets,
each offset reads one strided slice of the padded volume (three slices, one per axis) for every
output position, and

    col[c, i, j, k, n, od, oh, ow] = x_pad[n, c, od·s_d + i·d_d, oh·s_h + j·d_h, ow·s_w + k·d_w]

is im2col's column buffer with one more kernel axis and one more output axis.  So these
functions only check their arguments and call the code of conv.py, im2col.py and pooling.py
(written with tuples of spatial sizes, for any number of axes): the same Functions, the same
gradients.  There is no fast twin in 3-D; the reference runs.

Shapes: x: (N, C, D, H, W) or (C, D, H, W);  conv3d's weight: (F, C/groups, kd, kh, kw)
→ (N, F, OD, OH, OW), each output size as in 2-D:  OD = floor((D + 2p − d·(kd − 1) − 1) / s) + 1.
"""
from .conv import convolution


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation).  input (N, C, D, H, W) or (C, D, H, W);
    weight (F, C/groups, kd, kh, kw); bias (F,) or None → (N, F, OD, OH, OW).

    ``stride``, ``padding`` and ``dilation`` are ints or triples; ``padding`` may also be 'valid'
    or 'same' (stride 1; an odd total padding puts the extra plane at the end, as in PyTorch).
    Raises RuntimeError for mismatched shapes, TypeError for mixed dtypes.
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")
