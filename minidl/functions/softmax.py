"""``softmax`` and ``log_softmax`` along one dim, computed stably by subtracting the max first
(softmax is unchanged by a constant shift, and exp of a large number would overflow)."""
from .. import amp, backend
from ..autograd import Function
from ._utils import accepts_axis, float_tensor, normalize_dim


class Softmax(Function):
    """y_i = exp(x_i) / Σ_j exp(x_j);  dx = y ⊙ (gy − Σ_j gy_j y_j).

    Shapes: x: any shape → y: the same shape, normalised along ``dim``.
    """

    reads_inputs = False

    saves_outputs = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = backend.get_array_module(x)
        if x.size == 0:  # nothing to normalise (and max has no identity)
            return xp.empty_like(x)
        shifted = x - x.max(axis=self.dim, keepdims=True)
        e = xp.exp(shifted)
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    def backward(self, gy):
        y = self.output()
        return y * (gy - (gy * y).sum(self.dim, keepdim=True))


class LogSoftmax(Function):
    """y_i = x_i − log Σ_j exp(x_j), and its backward (written with Tensor ops, so it is differentiable).

    Shapes: x: any shape → y: the same shape, normalised along ``dim``.
    """

    reads_inputs = False

    saves_outputs = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = backend.get_array_module(x)
        if x.size == 0:
            return xp.empty_like(x)
        shifted = x - x.max(axis=self.dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, gy):
        # ∂y_i/∂x_j = δ_ij − softmax(x)_j, so dx_j = gy_j − softmax(x)_j · Σ_i gy_i
        y = self.output()
        return gy - y.exp() * gy.sum(self.dim, keepdim=True)


def _dim(x, dim, name):
    if dim is None:
        # PyTorch's legacy implicit choice; we ask for it explicitly instead of guessing.
        raise TypeError(f"{name}: pass dim= explicitly (for (N, C) logits use dim=1)")
    return normalize_dim(dim, x.ndim, name)


@accepts_axis
def softmax(input, dim=None, dtype=None):
    (x,) = amp.full_precision_inputs(float_tensor(input, "softmax"))
    if dtype is not None:
        x = x.to(dtype)
    return Softmax(_dim(x, dim, "softmax"))(x)


@accepts_axis
def log_softmax(input, dim=None, dtype=None):
    (x,) = amp.full_precision_inputs(float_tensor(input, "log_softmax"))
    if dtype is not None:
        x = x.to(dtype)
    return LogSoftmax(_dim(x, dim, "log_softmax"))(x)
