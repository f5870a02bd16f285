"""Dropout: in training, zero each element with probability p and scale the survivors by
1/(1 − p), so the expected value of every activation is unchanged and evaluation needs no
rescaling ("inverted dropout").  In eval mode it is the identity.

``drop_path`` (stochastic depth) is the same op with one draw per sample: it drops a residual
branch for whole samples, so the block is the identity for them."""
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


def _keep_mask(shape, p, like, scale=True):
    """1/(1 − p) (or 1 with ``scale=False``) with probability 1 − p, else 0, in ``like``'s dtype."""
    xp = backend.get_array_module(like)
    if xp.__name__ == "numpy":
        uniform = random.generator(xp).random(shape, dtype=like.dtype if like.dtype.itemsize >= 4 else "float32")
    else:
        uniform = xp.random.random(shape, dtype=like.dtype)
    return ((uniform >= p) * (1.0 / (1.0 - p) if scale else 1.0)).astype(like.dtype)


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


def drop_path(input, drop_prob=0.0, training=False, scale_by_keep=True):
    """Stochastic depth (Huang et al. 2016, "Deep Networks with Stochastic Depth"), per sample.

    In training, each sample's whole ``input`` (the residual branch of a block) is zeroed with
    probability ``drop_prob`` and otherwise scaled by 1/(1 − drop_prob) (``scale_by_keep=False``
    leaves it unscaled), so ``shortcut + drop_path(branch)`` is, for the dropped samples, the
    identity.  timm's ``drop_path`` (its ``DropPath`` in EfficientNet, where TensorFlow calls it
    "drop connect"); torchvision's ``stochastic_depth(mode="row")``.

    Shapes: input (N, *) → the same shape; one Bernoulli draw per n.  Identity in eval mode.
    Raises ValueError for a drop_prob outside [0, 1], RuntimeError for a 0-d input.
    """
    _check_p(drop_prob, "drop_path")
    x = to_tensor(input)
    if x.ndim == 0:
        raise RuntimeError("drop_path: expected an input with a batch dimension (N, *), got a 0-d tensor")
    if not training or drop_prob == 0.0:
        return x
    if drop_prob == 1.0:
        return x * 0.0
    mask_shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    return ScaleByMask(_keep_mask(mask_shape, drop_prob, x.array, scale=scale_by_keep))(x)
