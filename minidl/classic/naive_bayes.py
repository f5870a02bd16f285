"""Naive Bayes: Bayes' rule with features assumed independent given the class.

    log P(c | x) = log P(c) + Σ_j log P(x_j | c) − log P(x)

All three keep log-probabilities, so products of hundreds of small likelihoods never underflow;
``predict_proba`` normalises with log-sum-exp.  They differ in the model of P(x_j | c):
Gaussian (continuous features), multinomial (counts, e.g. words or pixel intensities) and
Bernoulli (binary features).  See Manning, Raghavan & Schütze (2008), ch. 13.
"""
import numpy as np

from .. import backend
from ._base import BaseEstimator, ClassifierMixin, as_array, check_X_y, check_n_features, check_positive, encode_labels


class _BaseNB(ClassifierMixin, BaseEstimator):
    def _joint_log_likelihood(self, X):  # (n_samples, n_classes): log P(c) + log P(x | c)
        raise NotImplementedError

    def predict_joint_log_proba(self, X):
        return self._joint_log_likelihood(check_n_features(self, X))

    def predict(self, X):
        """(n_samples,) the class with the largest posterior."""
        jll = self.predict_joint_log_proba(X)
        return self.classes_[backend.get_array_module(jll).argmax(jll, axis=1)]

    def predict_log_proba(self, X):
        jll = self.predict_joint_log_proba(X)
        xp = backend.get_array_module(jll)
        top = jll.max(axis=1, keepdims=True)
        return jll - (top + xp.log(xp.exp(jll - top).sum(axis=1, keepdims=True)))

    def predict_proba(self, X):
        """(n_samples, n_classes) posterior probabilities, rows summing to 1."""
        log_proba = self.predict_log_proba(X)
        return backend.get_array_module(log_proba).exp(log_proba)

    def _fit_classes(self, X, y):
        X, y = check_X_y(self, X, y)
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        xp = backend.get_array_module(X)
        one_hot = (y_index[:, None] == xp.arange(len(self.classes_))[None, :]).astype(X.dtype)
        self.class_count_ = one_hot.sum(axis=0)
        return X, one_hot

    def _log_prior(self, xp, prior=None):
        n_classes = len(self.classes_)
        if prior is not None:
            prior = xp.asarray(as_array(prior), dtype=np.float64)
            if prior.shape != (n_classes,):
                raise ValueError(f"{type(self).__name__}: class priors must have shape ({n_classes},), got {tuple(prior.shape)}")
            return xp.log(prior)
        if getattr(self, "fit_prior", True):
            return xp.log(self.class_count_ / self.class_count_.sum())
        return xp.full(n_classes, -np.log(n_classes))


class GaussianNB(_BaseNB):
    """P(x_j | c) = N(x_j; θ_cj, σ²_cj), the class's per-feature mean and variance.

    ``var_smoothing`` adds that fraction of the largest feature variance to every variance, so a
    feature that is constant within a class does not give an infinite density.  Attributes:
    ``theta_``, ``var_`` (n_classes, n_features), ``class_prior_``, ``class_count_``, ``epsilon_``.
    """

    def __init__(self, priors=None, var_smoothing=1e-9):
        self.priors, self.var_smoothing = priors, var_smoothing

    def fit(self, X, y):
        check_positive(self, "var_smoothing", self.var_smoothing, strict=False)
        X, one_hot = self._fit_classes(X, y)
        xp = backend.get_array_module(X)
        counts = self.class_count_[:, None]
        self.theta_ = one_hot.T @ X / counts
        self.epsilon_ = self.var_smoothing * float(X.var(axis=0).max())
        self.var_ = one_hot.T @ (X ** 2) / counts - self.theta_ ** 2
        self.var_ = xp.maximum(self.var_, 0) + self.epsilon_
        self.class_prior_ = xp.exp(self._log_prior(xp, self.priors))
        return self

    def _joint_log_likelihood(self, X):
        xp = backend.get_array_module(X)
        log_norm = -0.5 * xp.log(2 * np.pi * self.var_).sum(axis=1)                     # (n_classes,)
        # Σ_j (x_j − θ_cj)² / σ²_cj expanded into matrix products: never (n, classes, features)
        inv = 1.0 / self.var_
        mahalanobis = (X ** 2) @ inv.T - 2 * X @ (self.theta_ * inv).T + (self.theta_ ** 2 * inv).sum(axis=1)
        return xp.log(self.class_prior_) + log_norm - 0.5 * mahalanobis


class MultinomialNB(_BaseNB):
    """P(x | c) ∝ Π_j p_cj^{x_j}: features are counts (non-negative) drawn from the class's
    multinomial.  ``p_cj = (N_cj + alpha) / (N_c + alpha·n_features)`` — Laplace (alpha=1) or
    Lidstone (0 < alpha < 1) smoothing, so an unseen feature has non-zero probability.
    Attributes: ``feature_count_``, ``feature_log_prob_`` (n_classes, n_features),
    ``class_log_prior_``, ``class_count_``.
    """

    def __init__(self, alpha=1.0, fit_prior=True, class_prior=None):
        self.alpha, self.fit_prior, self.class_prior = alpha, fit_prior, class_prior

    def fit(self, X, y):
        check_positive(self, "alpha", self.alpha, strict=False)
        X, one_hot = self._fit_classes(X, y)
        xp = backend.get_array_module(X)
        if bool((X < 0).any()):
            raise ValueError("MultinomialNB: X must be non-negative counts or frequencies, got a negative value")
        alpha = max(self.alpha, 1e-10)
        self.feature_count_ = one_hot.T @ X
        smoothed = self.feature_count_ + alpha
        self.feature_log_prob_ = xp.log(smoothed) - xp.log(smoothed.sum(axis=1, keepdims=True))
        self.class_log_prior_ = self._log_prior(xp, self.class_prior)
        return self

    def _joint_log_likelihood(self, X):
        return X @ self.feature_log_prob_.T + self.class_log_prior_


class BernoulliNB(_BaseNB):
    """P(x | c) = Π_j p_cj^{x_j} (1 − p_cj)^{1 − x_j} on binary features (``X > binarize``;
    ``binarize=None`` takes ``X`` as already binary).  ``p_cj = (N_cj + alpha) / (N_c + 2·alpha)``.
    Unlike the multinomial model, an *absent* feature is evidence too.  Attributes:
    ``feature_count_``, ``feature_log_prob_``, ``class_log_prior_``, ``class_count_``.
    """

    def __init__(self, alpha=1.0, binarize=0.0, fit_prior=True, class_prior=None):
        self.alpha, self.binarize, self.fit_prior, self.class_prior = alpha, binarize, fit_prior, class_prior

    def _binary(self, X):
        return (X > self.binarize).astype(X.dtype) if self.binarize is not None else X

    def fit(self, X, y):
        check_positive(self, "alpha", self.alpha, strict=False)
        X, one_hot = self._fit_classes(X, y)
        xp = backend.get_array_module(X)
        alpha = max(self.alpha, 1e-10)
        self.feature_count_ = one_hot.T @ self._binary(X)
        self.feature_log_prob_ = xp.log(self.feature_count_ + alpha) - xp.log(self.class_count_[:, None] + 2 * alpha)
        self.class_log_prior_ = self._log_prior(xp, self.class_prior)
        return self

    def _joint_log_likelihood(self, X):
        xp = backend.get_array_module(X)
        X = self._binary(X)
        log_absent = xp.log(1 - xp.exp(self.feature_log_prob_))
        return X @ (self.feature_log_prob_ - log_absent).T + log_absent.sum(axis=1) + self.class_log_prior_
