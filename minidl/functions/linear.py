"""``linear(x, W, b) = x @ Wᵀ + b``: x (..., in_features), W (out_features, in_features), b (out_features,)."""
from .. import amp
from ._utils import to_tensor


def linear(input, weight, bias=None):
    x, w, bias = amp.low_precision_inputs(to_tensor(input), to_tensor(weight), bias if bias is None else to_tensor(bias))
    if x.shape[-1] != w.shape[-1]:
        raise RuntimeError(
            f"linear: input has {x.shape[-1]} features (shape {x.shape}) but weight expects "
            f"{w.shape[-1]} (weight shape {w.shape})"
        )
    y = x @ w.mT
    if bias is not None:
        y = y + bias
    return y
