"""Loss functions, with PyTorch's arguments, reductions ('mean', 'sum', 'none') and conventions.

Cross-entropy goes through ``log_softmax`` (never ``log(softmax(x))``): subtracting the max
before exponentiating keeps it finite for any logits.
"""
from contextlib import nullcontext as _nullcontext

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from ._utils import to_tensor
from .activation import sigmoid, softplus
from .compare import where
from .softmax import log_softmax

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, op_name):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op_name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _classes_last(x):
    """(N, C, d1, ...) → (N·d1·..., C); (N, C) stays."""
    if x.ndim == 2:
        return x
    dims = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.permute(*dims).reshape(-1, x.shape[1])


def _check_class_targets(logits, target, op_name):
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: class-index targets must be integers, got dtype {target.dtype}")
    expected = (logits.shape[0],) + logits.shape[2:]
    if target.shape != expected:
        raise RuntimeError(
            f"{op_name}: expected target of shape {expected} for input of shape {logits.shape}, got {target.shape}"
        )


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood: −w[t]·input[n, t] for log-probabilities ``input`` (N, C, ...) and
    class indices ``target`` (N, ...).  'mean' divides by the summed weights of the counted targets."""
    logp = to_tensor(input)
    target = to_tensor(target)
    if logp.ndim == 1:  # one unbatched sample (C,) with a 0-d target, as PyTorch
        loss = nll_loss(logp.unsqueeze(0), target.unsqueeze(0), weight, ignore_index, reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    if logp.ndim < 2:
        raise RuntimeError(f"nll_loss: expected input of shape (N, C, ...) or (C,), got {logp.shape}")
    _check_class_targets(logp, target, "nll_loss")
    xp = backend.get_array_module(logp.array)
    flat_logp = _classes_last(logp)
    labels = target.array.reshape(-1)
    counted = labels != ignore_index
    classes = flat_logp.shape[1]
    safe_labels = xp.where(counted, labels, 0)
    if bool(((safe_labels < 0) | (safe_labels >= classes)).any()):
        bad = int(safe_labels[(safe_labels < 0) | (safe_labels >= classes)][0])
        raise IndexError(f"nll_loss: target {bad} is out of bounds for {classes} classes")
    picked = flat_logp[xp.arange(labels.shape[0]), safe_labels]  # (M,)
    sample_weight = counted.astype(logp.dtype)
    if weight is not None:
        sample_weight = sample_weight * _array(weight)[safe_labels].astype(logp.dtype)
    losses = -picked * sample_weight
    if reduction == "mean":
        return _weighted_mean(losses.sum(), float(sample_weight.sum()))
    if reduction == "none":
        return losses.reshape(target.shape)
    return _reduce(losses, reduction, "nll_loss")


def _array(value):
    return value.array if isinstance(value, Tensor) else value


def _weighted_mean(total, denominator):
    """total / denominator; when nothing was counted (every target ignored) the loss is NaN, as in
    PyTorch, but its gradient is 0 — a NaN gradient would poison every weight it reaches."""
    if denominator == 0:
        return total * 0.0 + float("nan")
    return total / denominator


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy from raw scores (logits) ``input`` (N, C), (N, C, d1, ...) or unbatched (C,).

    ``target``: class indices (N, ...) (a 0-d index for (C,)) or class probabilities shaped like ``input``.
    ``label_smoothing`` ε mixes the target with the uniform distribution: (1 − ε)·target + ε/C.
    """
    logits = to_tensor(input)
    target = to_tensor(target)
    if logits.ndim == 1:  # one unbatched sample (C,), with a 0-d index or (C,) probabilities, as PyTorch
        loss = cross_entropy(logits.unsqueeze(0), target.unsqueeze(0), weight, ignore_index, reduction, label_smoothing)
        return loss.squeeze(0) if reduction == "none" else loss
    if logits.ndim < 2:
        raise RuntimeError(f"cross_entropy: expected input of shape (N, C, ...) or (C,), got {logits.shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    logp = log_softmax(logits, 1)
    classes = logits.shape[1]
    w_shape = (1, classes) + (1,) * (logits.ndim - 2)
    if dtypes.is_floating(target.dtype):  # class probabilities
        if target.shape != logits.shape:
            raise RuntimeError(f"cross_entropy: probability targets must have the input's shape {logits.shape}, got {target.shape}")
        probs = target * (1 - label_smoothing) + label_smoothing / classes if label_smoothing else target
        weighted = logp * probs if weight is None else logp * probs * to_tensor(weight).reshape(w_shape)
        return _reduce(-weighted.sum(1), reduction, "cross_entropy")
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if not label_smoothing:
        return nll
    # The smoothing term: ε/C · Σ_c −w_c·log p_c per counted sample, reduced like nll.
    xp = backend.get_array_module(logp.array)
    counted = (target.array != ignore_index).astype(logp.dtype)
    weighted = logp if weight is None else logp * to_tensor(weight).reshape(w_shape)
    smooth = -weighted.sum(1) * counted
    if reduction == "mean":
        if weight is None:
            denominator = float(counted.sum())
        else:
            labels = xp.where(target.array != ignore_index, target.array, 0)
            denominator = float((_array(weight)[labels] * counted).sum())
        smooth = _weighted_mean(smooth.sum(), denominator)
    else:
        smooth = _reduce(smooth, reduction, "cross_entropy")
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _same_shape(input, target, op_name):
    input, target = to_tensor(input), to_tensor(target, like=to_tensor(input))
    if input.shape != target.shape:
        raise RuntimeError(
            f"{op_name}: input shape {input.shape} and target shape {target.shape} differ "
            "(broadcasting a loss target is almost always a bug; reshape one of them)"
        )
    return input, target


def mse_loss(input, target, reduction="mean"):
    """(input − target)², reduced."""
    input, target = _same_shape(input, target, "mse_loss")
    difference = input - target
    return _reduce(difference * difference, reduction, "mse_loss")


def l1_loss(input, target, reduction="mean"):
    """|input − target|, reduced."""
    input, target = _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction, "l1_loss")


class BinaryCrossEntropy(Function):
    """ℓ = −[t·max(log x, −100) + (1 − t)·max(log(1 − x), −100)] for probabilities x;
    dℓ/dx = (x − t) / max(x·(1 − x), 10⁻¹²),  dℓ/dt = log(1 − x) − log x (clamped logs).

    PyTorch's clamps: the loss stays finite at x = 0 or 1, and the gradient is 0 where x = t exactly.

    Shapes: x, t: the same shape → ℓ: that shape.
    """

    def forward(self, x, t):
        xp = backend.get_array_module(x)
        with xp.errstate(divide="ignore") if xp.__name__ == "numpy" else _nullcontext():
            log_x, log_1mx = xp.maximum(xp.log(x), -100), xp.maximum(xp.log(1 - x), -100)
        return -(t * log_x + (1 - t) * log_1mx)

    def backward(self, gy):
        x, t = self.inputs
        grad_x = grad_t = None
        if self.needs_input_grad[0]:
            grad_x = gy * (x - t) / (x * (1 - x)).clamp(min=1e-12)
        if self.needs_input_grad[1]:
            grad_t = gy * ((1 - x).log().clamp(min=-100.0) - x.log().clamp(min=-100.0))
        return grad_x, grad_t


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """−w·[t·log x + (1 − t)·log(1 − x)] for probabilities x in [0, 1]; logs clamped at −100 as in
    PyTorch (BinaryCrossEntropy).  Raises ValueError for x outside [0, 1]."""
    input, target = _same_shape(input, target, "binary_cross_entropy")
    if bool(((input.array < 0) | (input.array > 1)).any()):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] (use binary_cross_entropy_with_logits for logits)")
    loss = BinaryCrossEntropy()(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")


class BCEWithLogits(Function):
    """ℓ = (1 − t)·x + (1 + (p − 1)·t)·softplus(−x): binary cross-entropy of σ(x) against t, with the
    positive-class weight p (1 without ``pos_weight``), written so that no exp overflows.

        dℓ/dx = (1 − t)·σ(x) − p·t·(1 − σ(x))        (σ(x) − t when p = 1)
        dℓ/dt = −x + (p − 1)·softplus(−x)

    ℓ is smooth everywhere; built from |x| and max(−x, 0), autograd would take their kinks'
    subgradients at x = 0 and get 1 instead of ½ there (0 instead of −½ for t = 1).  ``pos_weight``
    is a constant (no gradient).

    Shapes: x, t: the same shape, pos_weight: broadcastable to it → ℓ: that shape.
    """

    def __init__(self, pos_weight):
        self.pos_weight = pos_weight

    def forward(self, x, t):
        xp = backend.get_array_module(x)
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)  # log(1 + e^(−x)), stable
        log_weight = 1 if self.pos_weight is None else 1 + (self.pos_weight - 1) * t
        return (1 - t) * x + log_weight * softplus_neg

    def backward(self, gy):
        x, t = self.inputs
        p = 1.0 if self.pos_weight is None else Tensor._wrap(self.pos_weight, False)
        grad_x = grad_t = None
        if self.needs_input_grad[0]:
            s = sigmoid(x)
            grad_x = gy * ((1 - t) * s - p * t * (1 - s))
        if self.needs_input_grad[1]:
            grad_t = gy * (-x + (p - 1) * softplus(-x))
        return grad_x, grad_t


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits x: −w·[p·t·log σ(x) + (1 − t)·log(1 − σ(x))], computed stably
    (BCEWithLogits).  input, target: the same shape; weight and pos_weight broadcast to it."""
    input, target = _same_shape(input, target, "binary_cross_entropy_with_logits")
    if pos_weight is not None:
        pos_weight = to_tensor(pos_weight).to(input.dtype).array
    loss = BCEWithLogits(pos_weight)(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def kl_div(input, target, reduction="mean", log_target=False):
    """KL(target ‖ exp(input)) pointwise: target·(log target − input), with 0·log 0 = 0.

    ``input`` holds log-probabilities.  Use ``reduction='batchmean'`` for the true KL divergence
    per sample (PyTorch's 'mean' divides by the number of elements).
    """
    input, target = _same_shape(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.array > 0
        safe_log = where(positive, target, 1.0).log()
        loss = where(positive, target * (safe_log - input), 0.0)
    if reduction == "batchmean":
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction, "kl_div")

