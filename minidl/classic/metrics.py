"""``accuracy_score`` and ``confusion_matrix``, with scikit-learn's names and arguments."""
from .. import backend
from ._base import as_array


def _pair(y_true, y_pred, who):
    y_true, y_pred = as_array(y_true), as_array(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1 or len(y_true) != len(y_pred):
        raise ValueError(f"{who}: y_true and y_pred must be 1-D of the same length, got shapes "
                         f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}")
    return y_true, y_pred


def accuracy_score(y_true, y_pred, normalize=True, sample_weight=None):
    """Fraction (or, with ``normalize=False``, number) of samples where ``y_pred == y_true``.

    y_true, y_pred: (n_samples,) labels → float.
    """
    y_true, y_pred = _pair(y_true, y_pred, "accuracy_score")
    correct = (y_true == y_pred).astype(float)
    if sample_weight is not None:
        weight = as_array(sample_weight)
        return float((correct * weight).sum() / weight.sum()) if normalize else float((correct * weight).sum())
    return float(correct.mean()) if normalize else int(correct.sum())


def confusion_matrix(y_true, y_pred, labels=None, normalize=None):
    """``C[i, j]``: the number of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    y_true, y_pred: (n_samples,) → (n_labels, n_labels) int array (float with ``normalize`` =
    ``"true"`` (rows sum to 1), ``"pred"`` (columns) or ``"all"``).  ``labels`` defaults to the
    sorted union of both arrays' labels.
    """
    y_true, y_pred = _pair(y_true, y_pred, "confusion_matrix")
    xp = backend.get_array_module(y_true, y_pred)
    labels = xp.unique(xp.concatenate([y_true, y_pred])) if labels is None else as_array(labels)
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"confusion_matrix: normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    n = len(labels)
    order = xp.argsort(labels)
    def index(y):  # position of each label in `labels`; n for labels not listed
        position = xp.searchsorted(labels[order], y)
        position = xp.clip(position, 0, n - 1)
        found = labels[order][position] == y
        return xp.where(found, order[position], n)
    true_index, pred_index = index(y_true), index(y_pred)
    keep = (true_index < n) & (pred_index < n)
    flat = true_index[keep] * n + pred_index[keep]
    matrix = xp.bincount(flat, minlength=n * n).reshape(n, n)
    if normalize == "true":
        return matrix / xp.maximum(matrix.sum(axis=1, keepdims=True), 1)
    if normalize == "pred":
        return matrix / xp.maximum(matrix.sum(axis=0, keepdims=True), 1)
    if normalize == "all":
        return matrix / max(int(matrix.sum()), 1)
    return matrix
