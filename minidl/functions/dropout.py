"""Dropout: in training, zero each element with probability p and scale the survivors by
1/(1 − p), so the expected value of every activation is unchanged and evaluation needs no
rescaling ("inverted dropout").  In eval mode it is the identity."""
from .. import backend, random
from ..autograd import Function
from ._utils import to_tensor


class ScaleByMask(Function):
    """y = x · mask, with a fixed mask of 0 and 1/(1 − p);  dx = dy · mask.

    Shapes: x: any shape, mask: x's shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x):
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask


def _keep_mask(shape, p, like):
    xp = backend.get_array_module(like)
    if xp.__name__ == "numpy":
        uniform = random.generator(xp).random(shape, dtype=like.dtype if like.dtype.itemsize >= 4 else "float32")
    else:
        uniform = xp.random.random(shape, dtype=like.dtype)
    return ((uniform >= p) * (1.0 / (1.0 - p))).astype(like.dtype)


def _check_p(p, op_name):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op_name}: p must be a probability between 0 and 1, got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` (PyTorch's p: the probability of *dropping*)."""
    _check_p(p, "dropout")
    x = to_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return ScaleByMask(_keep_mask(x.shape, p, x.array))(x)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: one draw per (sample, channel) of an (N, C, H, W) input."""
    _check_p(p, "dropout2d")
    x = to_tensor(input)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"dropout2d: expected a 3-D or 4-D input, got shape {x.shape}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    mask_shape = x.shape[:-2] + (1, 1)
    return ScaleByMask(_keep_mask(mask_shape, p, x.array))(x)
