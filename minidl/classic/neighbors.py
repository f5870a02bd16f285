"""k-nearest neighbours (Fix & Hodges 1951; Cover & Hart 1967): no training, just memory.

A query takes the labels of the ``n_neighbors`` closest training samples: their majority
(classification) or mean (regression), optionally weighted by 1/distance.  Distances are
computed for a block of queries at a time against all training samples, so memory stays at
``block × n_train`` (never n_queries × n_train × n_features); on CuPy arrays the whole search
runs on the GPU.
"""
import numpy as np

from .. import backend
from ._base import (BaseEstimator, ClassifierMixin, RegressorMixin, check_choice, check_is_fitted,
                    check_n_features, check_X_y, encode_labels)

_BLOCK_ELEMENTS = 2 ** 22   # query-block × training-set distances held at once (32 MiB of float64)


def pairwise_distances(A, B, metric="euclidean", p=2):
    """D[i, j] = distance(A[i], B[j]) → (len(A), len(B)).

    euclidean: √(‖a‖² + ‖b‖² − 2a·b) (one matrix product); cosine: 1 − a·b / (‖a‖‖b‖);
    manhattan (p = 1) and minkowski (Σ|a − b|^p)^(1/p): accumulated over feature blocks, each
    an (len(A), len(B), block) array within the memory cap.
    """
    xp = backend.get_array_module(A, B)
    if metric == "minkowski" and p == 2:
        metric = "euclidean"
    if metric == "euclidean":
        squared = (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - 2 * A @ B.T
        return xp.sqrt(xp.maximum(squared, 0))
    if metric == "cosine":
        norm_a = xp.linalg.norm(A, axis=1)[:, None]
        norm_b = xp.linalg.norm(B, axis=1)[None, :]
        return 1 - (A @ B.T) / xp.where(norm_a * norm_b == 0, 1, norm_a * norm_b)
    power = 1.0 if metric == "manhattan" else float(p)
    out = xp.zeros((len(A), len(B)), dtype=np.result_type(A.dtype, B.dtype))
    step = max(1, _BLOCK_ELEMENTS // max(1, len(A) * len(B)))
    for start in range(0, A.shape[1], step):
        difference = xp.abs(A[:, None, start:start + step] - B[None, :, start:start + step])
        out += (difference if power == 1 else difference ** power).sum(axis=2)
    return out if power == 1 else out ** (1 / power)


class _BaseNeighbors(BaseEstimator):
    def __init__(self, n_neighbors=5, weights="uniform", p=2, metric="minkowski"):
        self.n_neighbors, self.weights, self.p, self.metric = n_neighbors, weights, p, metric

    def _remember(self, X, y, y_numeric):
        check_choice(self, "weights", self.weights, ("uniform", "distance"))
        check_choice(self, "metric", self.metric, ("euclidean", "manhattan", "minkowski", "cosine"))
        if not isinstance(self.n_neighbors, (int, np.integer)) or self.n_neighbors < 1:
            raise ValueError(f"{type(self).__name__}: n_neighbors must be an int >= 1, got {self.n_neighbors!r}")
        if self.metric == "minkowski" and not (isinstance(self.p, (int, float)) and self.p >= 1):
            raise ValueError(f"{type(self).__name__}: p must be >= 1 for the minkowski metric, got {self.p!r}")
        X, y = check_X_y(self, X, y, y_numeric=y_numeric)
        if self.n_neighbors > len(X):
            raise ValueError(f"{type(self).__name__}: n_neighbors={self.n_neighbors} is larger than the "
                             f"{len(X)} training samples")
        self._fit_X, self.n_features_in_, self.n_samples_fit_ = X, X.shape[1], len(X)
        return y

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        """The ``n_neighbors`` nearest training samples of each row of ``X``, nearest first:
        ((n_queries, k) distances, (n_queries, k) indices).  Among equal distances inside the k the
        smaller training index comes first; which of several samples tied at the k-th distance
        gets in is not specified (as in scikit-learn)."""
        check_is_fitted(self, "_fit_X")
        X = check_n_features(self, X)
        xp = backend.get_array_module(X)
        k = n_neighbors or self.n_neighbors
        rows = max(1, _BLOCK_ELEMENTS // self.n_samples_fit_)
        distances, indices = [], []
        for start in range(0, len(X), rows):
            D = pairwise_distances(X[start:start + rows], self._fit_X, self.metric, self.p)
            # argpartition finds the k smallest in linear time; only those k are then sorted, by
            # distance and, among equal distances, by training index
            candidates = xp.sort(xp.argpartition(D, k - 1, axis=1)[:, :k], axis=1) if k < D.shape[1] else \
                xp.broadcast_to(xp.arange(D.shape[1]), D.shape)
            order = xp.argsort(xp.take_along_axis(D, candidates, axis=1), axis=1, kind="stable")
            nearest = xp.take_along_axis(candidates, order, axis=1)
            indices.append(nearest)
            distances.append(xp.take_along_axis(D, nearest, axis=1))
        distances, indices = xp.concatenate(distances), xp.concatenate(indices)
        return (distances, indices) if return_distance else indices

    def _neighbor_weights(self, distances):
        xp = backend.get_array_module(distances)
        if self.weights == "uniform":
            return xp.ones_like(distances)
        exact = distances == 0
        # a query that coincides with training samples takes only those (1/0 would be infinite)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / distances
        return xp.where(exact.any(axis=1, keepdims=True), exact.astype(distances.dtype), inverse)


class KNeighborsClassifier(ClassifierMixin, _BaseNeighbors):
    """Classify by the (weighted) majority of the ``n_neighbors`` nearest training samples.

    metric: ``"minkowski"`` with ``p`` (default, p=2 is Euclidean), ``"euclidean"``,
    ``"manhattan"``, ``"cosine"``; weights: ``"uniform"`` or ``"distance"`` (1/d; a query equal
    to training samples takes their labels).  Ties between classes → the smallest label.
    X: (n_samples, n_features).  ``predict_proba`` → (n_samples, n_classes) vote shares.
    """

    def fit(self, X, y):
        y = self._remember(X, y, y_numeric=False)
        self.classes_, self._y = encode_labels(self, y, min_classes=1)
        return self

    def predict_proba(self, X):
        distances, indices = self.kneighbors(X)
        xp = backend.get_array_module(distances)
        weights = self._neighbor_weights(distances)
        votes = xp.zeros((len(indices), len(self.classes_)))
        labels = self._y[indices]
        for c in range(len(self.classes_)):
            votes[:, c] = ((labels == c) * weights).sum(axis=1)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[backend.get_array_module(proba).argmax(proba, axis=1)]


class KNeighborsRegressor(RegressorMixin, _BaseNeighbors):
    """Predict the (1/distance-weighted, with ``weights="distance"``) mean target of the
    ``n_neighbors`` nearest training samples; same metrics as ``KNeighborsClassifier``."""

    def fit(self, X, y):
        self._y = self._remember(X, y, y_numeric=True)
        return self

    def predict(self, X):
        distances, indices = self.kneighbors(X)
        weights = self._neighbor_weights(distances)
        return (self._y[indices] * weights).sum(axis=1) / weights.sum(axis=1)
