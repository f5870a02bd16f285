"""Linear discriminant analysis (Fisher 1936; Hastie, Tibshirani & Friedman, ESL §4.3).

Every class is modelled as a Gaussian N(μ_k, Σ) with one covariance Σ shared by all classes,
so the log-posterior is linear in x:

    δ_k(x) = xᵀ Σ⁻¹ μ_k − ½ μ_kᵀ Σ⁻¹ μ_k + log π_k

``transform`` projects onto Fisher's discriminant directions — those that maximise the
between-class spread relative to the within-class spread; there are at most C − 1 of them.
"""
import numpy as np

from .. import backend
from ._base import BaseEstimator, ClassifierMixin, as_array, check_choice, check_n_features, check_X_y, encode_labels


def ledoit_wolf_shrinkage(X):
    """The Ledoit–Wolf (2004) optimal shrinkage α of the sample covariance of the (already
    centred) ``X`` (n, d) towards μ·I, μ = trace/d: minimises the expected Frobenius error."""
    n, d = X.shape
    X2 = X ** 2
    emp_trace = X2.sum(axis=0) / n
    mu = float(emp_trace.sum()) / d
    beta_sum = float((X2.T @ X2).sum())
    delta_sum = float(((X.T @ X) ** 2).sum()) / n ** 2
    beta = (beta_sum / n - delta_sum) / (d * n)
    delta = (delta_sum - 2 * mu * float(emp_trace.sum()) + d * mu ** 2) / d
    beta = min(beta, delta)
    return 0.0 if beta == 0 else beta / delta


def _covariance(X, shrinkage):
    """Covariance of the rows of ``X`` (biased, 1/n), shrunk: (1 − α)·S + α·(trace S / d)·I with
    α = ``shrinkage``; for ``"auto"``, α is Ledoit–Wolf's, applied on the standardised scale."""
    xp = backend.get_array_module(X)
    X = X - X.mean(axis=0)
    if shrinkage is None or shrinkage != "auto":
        S = X.T @ X / len(X)
        alpha = float(shrinkage or 0.0)
        return (1 - alpha) * S + alpha * float(xp.trace(S)) / S.shape[0] * xp.eye(S.shape[0])
    scale = X.std(axis=0)
    scale = xp.where(scale == 0, 1.0, scale)
    Z = X / scale
    alpha = ledoit_wolf_shrinkage(Z)
    S = Z.T @ Z / len(Z)
    S = (1 - alpha) * S + alpha * float(xp.trace(S)) / S.shape[0] * xp.eye(S.shape[0])
    return scale[:, None] * S * scale[None, :]


class LinearDiscriminantAnalysis(ClassifierMixin, BaseEstimator):
    """Fisher's LDA classifier and dimensionality reduction.

    solver ``"svd"`` (default): whitens the within-class scatter by an SVD of the centred data
    (never forms Σ, so it works when features outnumber samples or some are constant; singular
    values below ``tol`` are dropped), then an SVD of the whitened class means gives the
    discriminant directions.  solver ``"eigen"``: forms the within-class covariance
    Σ_W = Σ_k π_k Σ_k (optionally shrunk: ``shrinkage`` = "auto" for Ledoit–Wolf, or a float in
    [0, 1]) and the between-class Σ_B, and solves Σ_B v = λ Σ_W v through a Cholesky factor.

    X: (n_samples, n_features), y: (n_samples,) with ≥ 2 classes.  Attributes: ``classes_``,
    ``priors_``, ``means_`` (n_classes, n_features), ``coef_``, ``intercept_`` (decision
    ``X @ coef_.T + intercept_``; one row for two classes), ``scalings_``,
    ``explained_variance_ratio_``, ``xbar_``.  ``transform`` → (n_samples, n_components) with
    n_components ≤ min(n_classes − 1, n_features).
    """

    def __init__(self, solver="svd", shrinkage=None, priors=None, n_components=None, tol=1e-4):
        self.solver, self.shrinkage, self.priors = solver, shrinkage, priors
        self.n_components, self.tol = n_components, tol

    def fit(self, X, y):
        check_choice(self, "solver", self.solver, ("svd", "eigen"))
        if self.shrinkage is not None and self.solver == "svd":
            raise ValueError("LinearDiscriminantAnalysis: shrinkage is not supported with solver='svd'; use solver='eigen'")
        if self.shrinkage is not None and self.shrinkage != "auto" and not (0 <= self.shrinkage <= 1):
            raise ValueError(f"LinearDiscriminantAnalysis: shrinkage must be None, 'auto' or in [0, 1], got {self.shrinkage!r}")
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y)
        n, d = X.shape
        n_classes = len(self.classes_)
        self.n_features_in_ = d
        one_hot = (y_index[:, None] == xp.arange(n_classes)[None, :]).astype(X.dtype)
        counts = one_hot.sum(axis=0)
        self.priors_ = counts / n if self.priors is None else xp.asarray(as_array(self.priors), dtype=X.dtype)
        if self.priors_.shape != (n_classes,):
            raise ValueError(f"LinearDiscriminantAnalysis: priors must have shape ({n_classes},), got {tuple(self.priors_.shape)}")
        self.priors_ = self.priors_ / self.priors_.sum()
        self.means_ = one_hot.T @ X / counts[:, None]
        self.xbar_ = self.priors_ @ self.means_
        max_components = min(n_classes - 1, d)
        if self.n_components is not None and not (1 <= self.n_components <= max_components):
            raise ValueError(f"LinearDiscriminantAnalysis: n_components must be in [1, {max_components}] "
                             f"(min(n_classes - 1, n_features)), got {self.n_components}")
        self._max_components = self.n_components or max_components
        (self._fit_svd if self.solver == "svd" else self._fit_eigen)(X, y_index, xp)
        if n_classes == 2:  # one decision for two classes: positive means classes_[1]
            self.coef_ = self.coef_[1:] - self.coef_[:1]
            self.intercept_ = self.intercept_[1:] - self.intercept_[:1]
        return self

    def _fit_svd(self, X, y_index, xp):
        n, n_classes = len(X), len(self.classes_)
        within = X - self.means_[y_index]                        # centred on each sample's class mean
        std = within.std(axis=0)
        std = xp.where(std == 0, 1.0, std)
        # 1/n: the maximum-likelihood within-class covariance, as the eigen solver's Σ_k π_k Σ_k
        _, S, Vt = xp.linalg.svd(within / std / np.sqrt(n), full_matrices=False)
        rank = int((S > self.tol).sum())
        whiten = (Vt[:rank] / std).T / S[:rank]                   # (d, rank): Σ_W^(−1/2)
        # the class means, whitened and weighted by √(n π_k); their SVD orders Fisher's directions
        between = (xp.sqrt(n * self.priors_ / (n_classes - 1))[:, None] * (self.means_ - self.xbar_)) @ whiten
        _, S, Vt = xp.linalg.svd(between, full_matrices=False)
        rank = int((S > self.tol * S[0]).sum())
        self.explained_variance_ratio_ = (S ** 2 / (S ** 2).sum())[:self._max_components]
        self.scalings_ = whiten @ Vt.T[:, :rank]
        projected_means = (self.means_ - self.xbar_) @ self.scalings_
        coef = projected_means @ self.scalings_.T
        self.intercept_ = -0.5 * (projected_means ** 2).sum(axis=1) + xp.log(self.priors_) - coef @ self.xbar_
        self.coef_ = coef

    def _fit_eigen(self, X, y_index, xp):
        n_classes = len(self.classes_)
        self.covariance_ = sum(self.priors_[k] * _covariance(X[y_index == k], self.shrinkage) for k in range(n_classes))
        total = _covariance(X, self.shrinkage)
        between = total - self.covariance_
        L = xp.linalg.cholesky(self.covariance_)
        L_inv = xp.linalg.inv(L)
        values, vectors = xp.linalg.eigh(L_inv @ between @ L_inv.T)   # symmetric form of Σ_W⁻¹ Σ_B
        order = xp.argsort(values)[::-1]
        values, vectors = values[order], L_inv.T @ vectors[:, order]    # back to the original space
        self.explained_variance_ratio_ = (values / values.sum())[:self._max_components]
        self.scalings_ = vectors
        self.coef_ = xp.linalg.solve(self.covariance_, self.means_.T).T    # μ_k Σ_W⁻¹
        self.intercept_ = -0.5 * (self.means_ * self.coef_).sum(axis=1) + xp.log(self.priors_)

    def decision_function(self, X):
        """(n_samples, n_classes) the linear scores δ_k(x); (n_samples,) for two classes."""
        X = check_n_features(self, X)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        xp = backend.get_array_module(scores)
        index = (scores > 0).astype(np.int64) if scores.ndim == 1 else xp.argmax(scores, axis=1)
        return self.classes_[index]

    def predict_proba(self, X):
        scores = self.decision_function(X)
        xp = backend.get_array_module(scores)
        if scores.ndim == 1:
            scores = xp.stack([xp.zeros_like(scores), scores], axis=1)
        scores = scores - scores.max(axis=1, keepdims=True)
        e = xp.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def transform(self, X):
        """(n_samples, n_components): the data on Fisher's discriminant directions."""
        X = check_n_features(self, X)
        if self.solver == "svd":
            return (X - self.xbar_) @ self.scalings_[:, :self._max_components]
        return X @ self.scalings_[:, :self._max_components]

    def fit_transform(self, X, y):
        return self.fit(X, y).transform(X)
