"""Linear models: logistic regression (classification), least squares and ridge (regression).

``LogisticRegression`` and ``LinearRegression(solver="sgd")`` are trained by minidl's own
autograd and ``minidl.optim.SGD`` — the same engine as a ResNet — on the same convex objective
that scikit-learn minimises, so their coefficients can be checked against the closed forms and
against scikit-learn.  ``LinearRegression()`` and ``Ridge`` solve their normal equations directly.
"""
import numpy as np

from .. import backend
from ._base import (BaseEstimator, ClassifierMixin, RegressorMixin, check_choice, check_is_fitted, check_n_features,
                    check_positive, check_X_y, encode_labels, largest_eigenvalue, minimize)


def _with_ones(X):
    xp = backend.get_array_module(X)
    return xp.concatenate([xp.ones((len(X), 1), dtype=X.dtype), X], axis=1)


def _parameters(xp, shape, fit_intercept, dtype):
    import minidl
    weight = minidl.tensor(xp.zeros(shape, dtype=dtype), requires_grad=True)
    bias = minidl.tensor(xp.zeros(shape[1], dtype=dtype), requires_grad=True) if fit_intercept else None
    return weight, bias


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression with an L2 penalty, binary or multinomial (softmax).

    Minimises, over coef W and intercept b (the intercept is not penalised)::

        ½‖W‖² + C · Σ_i ℓ(y_i, x_i W + b)

    with ℓ the logistic loss (two classes: one score, P(y = classes_[1]) = σ(score)) or the
    softmax cross-entropy (more classes: one score per class).  Training: full-batch gradient
    descent with Nesterov momentum and adaptive restart, by ``loss.backward()`` and
    ``minidl.optim.SGD`` (see ``_base.minimize``), step 1/L for the loss's Lipschitz constant L;
    it stops when every gradient entry of the mean loss is below ``tol`` or after ``max_iter``
    steps (scikit-learn's lbfgs uses fewer, more expensive steps; its default is 100).
    ``penalty=None`` drops the ½‖W‖² term.

    X: (n_samples, n_features), y: (n_samples,) with ≥ 2 classes.  Attributes: ``coef_``
    (1 or n_classes, n_features), ``intercept_``, ``classes_``, ``n_iter_``.
    """

    def __init__(self, penalty="l2", C=1.0, fit_intercept=True, tol=1e-4, max_iter=1000):
        self.penalty, self.C, self.fit_intercept, self.tol, self.max_iter = penalty, C, fit_intercept, tol, max_iter

    def fit(self, X, y):
        import minidl.nn.functional as F
        check_choice(self, "penalty", self.penalty, ("l2", None))
        check_positive(self, "C", self.C)
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        n, binary = len(X), len(self.classes_) == 2
        weight, bias = _parameters(xp, (X.shape[1], 1 if binary else len(self.classes_)), self.fit_intercept, X.dtype)
        params = [weight] + ([bias] if bias is not None else [])
        import minidl
        inputs = minidl.tensor(X)
        target = minidl.tensor((y_index[:, None] if binary else y_index).astype(X.dtype if binary else np.int64))
        decay = 0.0 if self.penalty is None else 1.0 / (self.C * n)   # ½‖W‖²/(C n): the objective ÷ (C n)

        def loss_fn():
            scores = inputs @ weight + bias if bias is not None else inputs @ weight
            data = (F.binary_cross_entropy_with_logits(scores, target) if binary else F.cross_entropy(scores, target))
            return data + 0.5 * decay * (weight * weight).sum()

        curvature = 0.25 if binary else 0.5  # the largest second derivative of the loss in a score
        lipschitz = curvature * largest_eigenvalue(_with_ones(X) if self.fit_intercept else X) / n + decay
        self.n_iter_ = minimize(params, loss_fn, 1.0 / lipschitz, self.max_iter, self.tol)
        self.coef_ = weight.array.T.copy()
        self.intercept_ = bias.array.copy() if bias is not None else xp.zeros(self.coef_.shape[0], dtype=X.dtype)
        return self

    def decision_function(self, X):
        """(n_samples,) the score for two classes; (n_samples, n_classes) for more."""
        X = check_n_features(self, X)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """(n_samples, n_classes): σ(score) for two classes, softmax(scores) for more."""
        scores = self.decision_function(X)
        xp = backend.get_array_module(scores)
        if scores.ndim == 1:
            p = 1 / (1 + xp.exp(-scores))
            return xp.stack([1 - p, p], axis=1)
        e = xp.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X):
        scores = self.decision_function(X)
        xp = backend.get_array_module(scores)
        return self.classes_[(scores > 0).astype(np.int64) if scores.ndim == 1 else xp.argmax(scores, axis=1)]


class LinearRegression(RegressorMixin, BaseEstimator):
    """Ordinary least squares: minimise Σ(y − Xβ − β₀)².  Simple regression is one column.

    solver ``"lstsq"`` (default): the closed form, by a least-squares solve (SVD) of
    [1, X] β = y.  solver ``"sgd"``: the same objective (halved, per sample) by full-batch
    gradient descent on minidl's autograd with ``minidl.optim.SGD`` (Nesterov momentum,
    adaptive restart, step 1/L), until every gradient entry is below ``tol`` or ``max_iter``.

    After ``fit`` the coefficient table a statistics course expects, for the intercept
    followed by each feature: ``standard_errors_`` = √diag(σ̂² ([1, X]ᵀ[1, X])⁻¹) with
    σ̂² = RSS / (n − p − 1), ``t_statistics_`` = estimate / standard error (compare with a
    t distribution of ``df_resid_`` degrees of freedom), ``rsquared_``, ``rsquared_adj_``;
    ``summary()`` prints it.  Attributes: ``coef_`` (n_features,), ``intercept_`` (float).
    """

    def __init__(self, fit_intercept=True, solver="lstsq", tol=1e-6, max_iter=10000):
        self.fit_intercept, self.solver, self.tol, self.max_iter = fit_intercept, solver, tol, max_iter

    def fit(self, X, y):
        check_choice(self, "solver", self.solver, ("lstsq", "sgd"))
        X, y = check_X_y(self, X, y, y_numeric=True)
        xp = backend.get_array_module(X)
        self.n_features_in_ = X.shape[1]
        design = _with_ones(X) if self.fit_intercept else X
        if self.solver == "lstsq":
            beta = xp.linalg.lstsq(design, y, rcond=None)[0]
        else:
            beta = self._fit_sgd(design, y, xp)
        self.intercept_ = float(beta[0]) if self.fit_intercept else 0.0
        self.coef_ = beta[1:] if self.fit_intercept else beta
        self._statistics(design, y, beta, xp)
        return self

    def _fit_sgd(self, design, y, xp):
        import minidl
        beta = minidl.tensor(xp.zeros(design.shape[1], dtype=design.dtype), requires_grad=True)
        inputs, target = minidl.tensor(design), minidl.tensor(y)

        def loss_fn():
            residual = inputs @ beta - target
            return 0.5 * (residual * residual).mean()

        self.n_iter_ = minimize([beta], loss_fn, len(design) / largest_eigenvalue(design), self.max_iter, self.tol)
        return beta.array.copy()

    def _statistics(self, design, y, beta, xp):
        n, p = design.shape
        residual = y - design @ beta
        rss = float((residual ** 2).sum())
        tss = float(((y - y.mean()) ** 2).sum()) if self.fit_intercept else float((y ** 2).sum())
        self.df_resid_ = n - p
        sigma2 = rss / self.df_resid_ if self.df_resid_ > 0 else float("nan")
        self.standard_errors_ = xp.sqrt(sigma2 * xp.diag(xp.linalg.pinv(design.T @ design)))
        self.estimates_ = beta
        self.t_statistics_ = beta / self.standard_errors_
        self.rsquared_ = 1 - rss / tss if tss > 0 else 0.0
        self.rsquared_adj_ = 1 - (1 - self.rsquared_) * (n - 1) / self.df_resid_ if self.df_resid_ > 0 else float("nan")
        self.sigma_ = sigma2 ** 0.5

    def predict(self, X):
        X = check_n_features(self, X)
        return X @ self.coef_ + self.intercept_

    def summary(self, feature_names=None):
        """The coefficient table as Markdown: estimate, standard error and t statistic per row,
        then R², adjusted R², residual standard error and degrees of freedom."""
        check_is_fitted(self, "estimates_")
        names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(self.n_features_in_)]
        if len(names) != self.n_features_in_:
            raise ValueError(f"LinearRegression.summary: feature_names has {len(names)} names for {self.n_features_in_} features")
        names = (["(intercept)"] if self.fit_intercept else []) + names
        rows = ["| term | estimate | std. error | t |", "|---|---:|---:|---:|"]
        for name, estimate, error, t in zip(names, self.estimates_.tolist(), self.standard_errors_.tolist(),
                                            self.t_statistics_.tolist()):
            rows.append(f"| {name} | {estimate:.4g} | {error:.4g} | {t:.3f} |")
        rows.append(f"\nR² = {self.rsquared_:.4f}, adjusted R² = {self.rsquared_adj_:.4f}, "
                    f"residual standard error {self.sigma_:.4g} on {self.df_resid_} degrees of freedom")
        return "\n".join(rows)


class Ridge(RegressorMixin, BaseEstimator):
    """Least squares with an L2 penalty: minimise ‖y − Xβ − β₀‖² + alpha·‖β‖² (β₀ not penalised).

    Closed form on centred data: β = (XcᵀXc + alpha·I)⁻¹ Xcᵀ yc, β₀ = ȳ − x̄ β.  Shrinking β
    trades a little bias for less variance, and makes the system solvable when XᵀX is singular.
    """

    def __init__(self, alpha=1.0, fit_intercept=True):
        self.alpha, self.fit_intercept = alpha, fit_intercept

    def fit(self, X, y):
        check_positive(self, "alpha", self.alpha, strict=False)
        X, y = check_X_y(self, X, y, y_numeric=True)
        xp = backend.get_array_module(X)
        self.n_features_in_ = X.shape[1]
        x_mean = X.mean(axis=0) if self.fit_intercept else xp.zeros(X.shape[1], dtype=X.dtype)
        y_mean = float(y.mean()) if self.fit_intercept else 0.0
        Xc, yc = X - x_mean, y - y_mean
        self.coef_ = xp.linalg.solve(Xc.T @ Xc + self.alpha * xp.eye(X.shape[1], dtype=X.dtype), Xc.T @ yc)
        self.intercept_ = y_mean - float(x_mean @ self.coef_)
        return self

    def predict(self, X):
        X = check_n_features(self, X)
        return X @ self.coef_ + self.intercept_
