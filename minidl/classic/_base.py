"""What every classic estimator shares: scikit-learn's estimator interface and the input checks.

The interface (Buitinck et al. 2013, "API design for machine learning software: experiences from
the scikit-learn project"): hyper-parameters are constructor arguments stored unchanged under the
same names; ``fit(X, y)`` learns attributes whose names end in ``_``; ``predict``/``score`` read
them.  ``X`` is ``(n_samples, n_features)``, ``y`` is ``(n_samples,)``; both may be NumPy or CuPy
arrays (lists are converted to NumPy).

Also here: the full-batch minimiser the gradient-trained estimators share, which runs on minidl's
own autograd and ``minidl.optim.SGD``.
"""
import inspect
import math

import numpy as np

from .. import backend


class NotFittedError(ValueError, AttributeError):
    """``predict`` (or another method needing fitted attributes) was called before ``fit``."""


def as_array(a):
    """NumPy/CuPy arrays pass through; lists, tuples and Tensors become arrays."""
    if backend.is_cupy_array(a) or isinstance(a, np.ndarray):
        return a
    if hasattr(a, "array") and hasattr(a, "requires_grad"):  # a minidl Tensor
        return a.array
    return np.asarray(a)


def check_array(estimator, X, name="X", ndim=2, dtype="float"):
    """``X`` as a float array of ``ndim`` dimensions with no NaN or infinity, else ValueError."""
    who = type(estimator).__name__ if not isinstance(estimator, str) else estimator
    X = as_array(X)
    if X.ndim != ndim:
        expected = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        raise ValueError(f"{who}: expected {name} as a {ndim}-D array {expected}, got shape {tuple(X.shape)}")
    if X.shape[0] == 0:
        raise ValueError(f"{who}: {name} has 0 samples (shape {tuple(X.shape)}); at least 1 is required")
    if dtype == "float":
        xp = backend.get_array_module(X)
        if X.dtype.kind not in "fc":
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError) as error:
                raise ValueError(f"{who}: {name} must be numeric, got dtype {X.dtype} ({error})") from None
        if not bool(xp.isfinite(X).all()):
            raise ValueError(f"{who}: {name} contains NaN or infinity; remove or impute those entries first")
    return X


def check_X_y(estimator, X, y, y_numeric=False):
    """Check ``X`` (2-D, finite) and ``y`` (1-D, one label per row of ``X``)."""
    X = check_array(estimator, X, "X")
    y = check_array(estimator, y, "y", ndim=1, dtype="float" if y_numeric else None)
    if not y_numeric and y.dtype.kind == "f" and not bool(backend.get_array_module(y).isfinite(y).all()):
        raise ValueError(f"{type(estimator).__name__}: y contains NaN or infinity")
    if len(y) != len(X):
        raise ValueError(f"{type(estimator).__name__}: X and y have different numbers of samples: "
                         f"X has {len(X)}, y has {len(y)}")
    return X, y


def check_is_fitted(estimator, attribute):
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet; "
                             f"call 'fit' with appropriate arguments before using this method")


def check_n_features(estimator, X):
    """``X`` checked, with as many columns as the data ``fit`` saw."""
    check_is_fitted(estimator, "n_features_in_")
    X = check_array(estimator, X, "X")
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"{type(estimator).__name__}: X has {X.shape[1]} features, but the estimator was "
                         f"fitted with {estimator.n_features_in_} features")
    return X


def encode_labels(estimator, y, min_classes=2):
    """``(classes_, y_index)``: the sorted distinct labels and each sample's index into them."""
    xp = backend.get_array_module(y)
    classes, y_index = xp.unique(y, return_inverse=True)
    if len(classes) < min_classes:
        raise ValueError(f"{type(estimator).__name__}: y needs samples of at least {min_classes} classes "
                         f"to fit a classifier; got {len(classes)} class ({classes.tolist()})")
    return classes, y_index.reshape(-1)


def check_choice(estimator, name, value, choices):
    if value not in choices:
        raise ValueError(f"{type(estimator).__name__}: {name} must be one of {sorted(map(str, choices))}, got {value!r}")


def check_positive(estimator, name, value, strict=True):
    if not isinstance(value, (int, float)) or (value <= 0 if strict else value < 0):
        raise ValueError(f"{type(estimator).__name__}: {name} must be {'> 0' if strict else '>= 0'}, got {value!r}")


class BaseEstimator:
    """``get_params``/``set_params`` and a repr from the constructor's arguments."""

    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values() if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in self._param_names():
                raise ValueError(f"{type(self).__name__}: invalid parameter {name!r}; valid ones are {self._param_names()}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


class ClassifierMixin:
    _estimator_type = "classifier"

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against ``y``."""
        from .metrics import accuracy_score
        return accuracy_score(y, self.predict(X))


class RegressorMixin:
    _estimator_type = "regressor"

    def score(self, X, y):
        """Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of ``predict(X)``."""
        y = as_array(y)
        residual = float(((y - self.predict(X)) ** 2).sum())
        total = float(((y - y.mean()) ** 2).sum())
        return 1.0 - residual / total if total > 0 else 0.0


def largest_eigenvalue(X, iterations=30):
    """λ_max(XᵀX) by power iteration (for a safe gradient step size 1/L); X: (n, d)."""
    xp = backend.get_array_module(X)
    v = xp.ones(X.shape[1], dtype=X.dtype) / math.sqrt(X.shape[1])
    value = 0.0
    for _ in range(iterations):
        w = X.T @ (X @ v)
        value = float(xp.linalg.norm(w))
        if value == 0.0:
            return 0.0
        v = w / value
    return value * 1.01  # a little above the estimate, which approaches λ_max from below


def minimize(params, loss_fn, lr, max_iter, tol):
    """Full-batch gradient descent with Nesterov momentum and adaptive restart, on minidl.

    ``loss_fn()`` builds a scalar minidl Tensor from ``params`` (Tensors with
    ``requires_grad=True``).  Each step is ``loss.backward()`` then ``minidl.optim.SGD.step()``
    with momentum k/(k+3) (Nesterov 1983), reset to zero whenever the loss goes up (O'Donoghue &
    Candès 2015, "Adaptive restart for accelerated gradient schemes").  With ``lr = 1/L`` for an
    L-smooth convex loss this converges; it stops when every gradient entry is below ``tol``.
    Returns the number of iterations run.
    """
    from .. import optim
    optimizer = optim.SGD(params, lr=lr, momentum=0.0, nesterov=False)
    previous, k = math.inf, 0
    for iteration in range(1, max_iter + 1):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        if max(float(abs(p.grad.array).max()) for p in params) < tol:
            return iteration
        value = loss.item()
        if value > previous:
            optimizer.state.clear()  # restart: forget the momentum that overshot
            k = 0
        previous, k = value, k + 1
        momentum = min(k / (k + 3), 0.995)
        optimizer.param_groups[0].update(momentum=momentum, nesterov=momentum > 0)
        optimizer.step()
    return max_iter
