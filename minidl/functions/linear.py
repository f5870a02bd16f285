"""``linear(x, W, b) = x @ Wᵀ + b``: x (..., in_features), W (out_features, in_features), b (out_features,).

With the leading dims of x flattened into one batch axis of B rows, X (B, in) and dY (B, out),
the forward is Y = X @ Wᵀ + b; the three gradients are in ``LinearFunction.backward`` (a
coursework task derives them).

Why a Function of its own and not ``x @ w.mT``: autograd would then differentiate the transpose
too, handing back dW as the transposed *view* of a product, and storing that in ``.grad`` copies
it element by element — 1.4 s per step for VGG's 25088 × 4096 classifier.  Written here, dW is
one BLAS call (NumPy passes a transpose as a flag, no copy) with a result that is contiguous
from the start, already in W's (out, in) memory order.
"""
from .. import amp
from ..autograd import Function
from ._utils import promote, to_tensor


class LinearFunction(Function):
    """y = x @ Wᵀ + b and its three gradients dx, dW, db.

    Shapes: x: (..., in), W: (out, in), b: (out,) → y: (..., out).
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def forward(self, x, w, b=None):
        y = x @ w.T  # a transposed view: BLAS reads it in place
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        # dX = dY @ W,   dW = dYᵀ @ X (out, in),   db = Σ_rows dY   (rows: the flattened leading dims)
        x, w = self.inputs[0], self.inputs[1]
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            gx = gy @ w
        rows = gy.reshape(-1, gy.shape[-1])  # (B, out)
        if self.needs_input_grad[1]:
            gw = rows.mT @ x.reshape(-1, x.shape[-1])  # (out, B) @ (B, in)
        if len(self.inputs) == 3 and self.needs_input_grad[2]:
            gb = rows.sum(0)
        return gx, gw, gb


def linear(input, weight, bias=None):
    x, w, bias = amp.low_precision_inputs(to_tensor(input), to_tensor(weight), bias if bias is None else to_tensor(bias))
    if x.shape[-1] != w.shape[-1]:
        raise RuntimeError(
            f"linear: input has {x.shape[-1]} features (shape {x.shape}) but weight expects "
            f"{w.shape[-1]} (weight shape {w.shape})"
        )
    if w.ndim != 2:
        raise RuntimeError(f"linear: expected a 2-D weight (out_features, in_features), got shape {w.shape}")
    x, w = promote(x, w)
    if bias is None:
        return LinearFunction()(x, w)
    if bias.shape != (w.shape[0],):
        raise RuntimeError(f"linear: expected bias of shape ({w.shape[0]},), got {bias.shape}")
    x, bias = promote(x, bias)
    x, w = promote(x, w)  # in case the bias raised x's dtype
    return LinearFunction()(x, w, bias)
