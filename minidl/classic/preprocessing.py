"""``StandardScaler`` and ``train_test_split``, with scikit-learn's names and arguments."""
import numpy as np

from .. import backend
from ._base import BaseEstimator, as_array, check_array, check_n_features


class StandardScaler(BaseEstimator):
    """Standardise features: ``z = (x − mean_) / scale_``, per column.

    Attributes after ``fit``: ``mean_`` (n_features,), ``var_`` (population variance),
    ``scale_`` (standard deviation; 1 where a column is constant, so it is left unscaled),
    ``n_features_in_``, ``n_samples_seen_``.  NaN or infinity in ``X`` raises ValueError.
    """

    def __init__(self, copy=True, with_mean=True, with_std=True):
        self.copy, self.with_mean, self.with_std = copy, with_mean, with_std

    def fit(self, X, y=None):
        X = check_array(self, X)
        xp = backend.get_array_module(X)
        self.n_features_in_, self.n_samples_seen_ = X.shape[1], X.shape[0]
        self.mean_ = X.mean(axis=0) if self.with_mean else None
        self.var_ = X.var(axis=0) if self.with_std else None
        if self.with_std:
            scale = xp.sqrt(self.var_)
            # a column whose spread is rounding noise is constant: leave it unscaled
            self.scale_ = xp.where(scale < 10 * np.finfo(X.dtype).eps * xp.maximum(abs(X.mean(axis=0)), 1), 1.0, scale)
        else:
            self.scale_ = None
        return self

    def transform(self, X):
        X = check_n_features(self, X)
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return X

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        X = check_n_features(self, X)
        if self.with_std:
            X = X * self.scale_
        if self.with_mean:
            X = X + self.mean_
        return X


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None):
    """Split each array into a random train part and test part, the same rows for all arrays.

    Returns ``[a_train, a_test, b_train, b_test, …]``.  ``test_size``/``train_size``: a fraction in
    (0, 1) or a number of samples; by default 25 % is test.  ``stratify``: labels whose class
    proportions both parts keep (each class is split on its own, rounding its test share).
    ``random_state``: an int seed for a reproducible split.
    """
    if not arrays:
        raise ValueError("train_test_split: at least one array is required")
    arrays = [as_array(a) for a in arrays]
    n = len(arrays[0])
    for position, a in enumerate(arrays):
        if len(a) != n:
            raise ValueError(f"train_test_split: all arrays need the same length; array 0 has {n}, "
                             f"array {position} has {len(a)}")
    n_test, n_train = _sizes(n, test_size, train_size)
    rng = np.random.default_rng(random_state)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify requires shuffle=True")
        labels = np.asarray(backend.to_device(as_array(stratify), "cpu"))
        test = []
        for label in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == label))
            test.extend(members[:int(round(len(members) * n_test / n))].tolist())
        test = np.array(sorted(test, key=lambda i: rng.random()), dtype=np.int64)
        train = rng.permutation(np.setdiff1d(np.arange(n), test))[:n_train]
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[:n_train], order[n - n_test:] if shuffle else order[n_train:n_train + n_test]
    out = []
    for a in arrays:
        xp = backend.get_array_module(a)
        out += [a[xp.asarray(train)], a[xp.asarray(test)]]
    return out


def _sizes(n, test_size, train_size):
    def count(size, name):
        if size is None:
            return None
        if isinstance(size, float) and 0 < size < 1:
            return int(np.ceil(size * n)) if name == "test_size" else int(np.floor(size * n))
        if isinstance(size, (int, np.integer)) and 0 < size < n:
            return int(size)
        raise ValueError(f"train_test_split: {name} must be a fraction in (0, 1) or a count in [1, {n - 1}], got {size!r}")
    n_test, n_train = count(test_size, "test_size"), count(train_size, "train_size")
    if n_test is None:
        n_test = n - n_train if n_train is not None else int(np.ceil(0.25 * n))
    if n_train is None:
        n_train = n - n_test
    if n_train + n_test > n or n_train == 0:
        raise ValueError(f"train_test_split: train_size + test_size = {n_train + n_test} leaves no valid split of {n} samples")
    return n_test, n_train
