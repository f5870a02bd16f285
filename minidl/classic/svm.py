"""Support vector machines: the widest margin between classes (Cortes & Vapnik 1995).

``LinearSVC`` minimises the regularised hinge loss in the primal with minidl's autograd and
``minidl.optim.SGD``; ``SVC`` solves the kernelised dual with sequential minimal optimisation
(SMO: Platt 1998), choosing each pair of multipliers by the second-order rule of Fan, Chen &
Lin (2005), the rule libsvm uses.  A kernel k(x, x') = φ(x)·φ(x') draws the linear boundary in
the feature space of φ — curved in the input space — without ever computing φ.
"""
import numpy as np

from .. import backend
from ._base import (BaseEstimator, ClassifierMixin, check_choice, check_n_features, check_positive, check_X_y,
                    encode_labels, largest_eigenvalue, minimize)


class LinearSVC(ClassifierMixin, BaseEstimator):
    """A linear SVM trained in the primal.

    One-vs-rest (``multi_class="ovr"``; one problem for two classes, with classes_[1] as +1),
    each class k with targets t_ik = ±1, minimising::

        ½‖w_k‖² + C · Σ_i ℓ(t_ik · s_ik),   ℓ(m) = max(0, 1 − m)² ("squared_hinge") or max(0, 1 − m) ("hinge")

    ``multi_class="crammer_singer"`` (Crammer & Singer 2001): one joint problem,
    ½Σ_k‖w_k‖² + C Σ_i max(0, 1 + max_{k≠y_i} s_ik − s_iy_i).  As in liblinear, which
    scikit-learn calls, the intercept is a weight on a constant feature ``intercept_scaling``
    and is penalised with the rest.  Training: full-batch gradient descent (subgradients for the
    hinge) with Nesterov momentum and restarts on minidl (``_base.minimize``), until every
    gradient entry is below ``tol`` or ``max_iter`` steps.

    Attributes: ``coef_`` (1 or n_classes, n_features), ``intercept_``, ``classes_``, ``n_iter_``.
    """

    def __init__(self, penalty="l2", loss="squared_hinge", tol=1e-4, C=1.0, multi_class="ovr", fit_intercept=True,
                 intercept_scaling=1.0, max_iter=1000):
        self.penalty, self.loss, self.tol, self.C, self.multi_class = penalty, loss, tol, C, multi_class
        self.fit_intercept, self.intercept_scaling, self.max_iter = fit_intercept, intercept_scaling, max_iter

    def fit(self, X, y):
        import minidl
        import minidl.nn.functional as F
        check_choice(self, "penalty", self.penalty, ("l2",))
        check_choice(self, "loss", self.loss, ("hinge", "squared_hinge"))
        check_choice(self, "multi_class", self.multi_class, ("ovr", "crammer_singer"))
        check_positive(self, "C", self.C)
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        n, n_classes = len(X), len(self.classes_)
        design = xp.concatenate([X, xp.full((n, 1), float(self.intercept_scaling))], axis=1) if self.fit_intercept else X
        outputs = 1 if n_classes == 2 and self.multi_class == "ovr" else n_classes
        one_hot = (y_index[:, None] == xp.arange(n_classes)[None, :]).astype(X.dtype)
        signs = (2 * one_hot[:, 1:] - 1) if outputs == 1 else (2 * one_hot - 1)   # t_ik = ±1
        weight = minidl.tensor(xp.zeros((design.shape[1], outputs), dtype=X.dtype), requires_grad=True)
        inputs, targets, others = minidl.tensor(design), minidl.tensor(signs), minidl.tensor(1 - one_hot)
        decay = 1.0 / (self.C * n)

        def loss_fn():
            scores = inputs @ weight
            if self.multi_class == "crammer_singer":   # max_k (s_k + [k ≠ y]) − s_y ≥ 0
                data = ((scores + others).max(dim=1).values - (scores * (1 - others)).sum(dim=1)).mean()
            else:
                hinge = F.relu(1 - targets * scores)
                data = (hinge * hinge if self.loss == "squared_hinge" else hinge).sum(dim=1).mean()
            return data + 0.5 * decay * (weight * weight).sum()

        smooth = self.loss == "squared_hinge" and self.multi_class == "ovr"
        lipschitz = (2.0 if smooth else 1.0) * largest_eigenvalue(design) / n + decay
        self.n_iter_ = minimize([weight], loss_fn, 1.0 / lipschitz, self.max_iter, self.tol)
        W = weight.array.T
        self.coef_ = W[:, :X.shape[1]].copy()
        self.intercept_ = (W[:, -1] * self.intercept_scaling if self.fit_intercept
                           else xp.zeros(outputs, dtype=X.dtype))
        return self

    def decision_function(self, X):
        """(n_samples,) for two classes (positive → classes_[1]); else (n_samples, n_classes)."""
        X = check_n_features(self, X)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        xp = backend.get_array_module(scores)
        return self.classes_[(scores > 0).astype(np.int64) if scores.ndim == 1 else xp.argmax(scores, axis=1)]


def pairwise_kernel(A, B, kernel, gamma, degree, coef0):
    """K[i, j] = k(A[i], B[j]) → (len(A), len(B)).  linear: a·b; rbf: exp(−γ‖a − b‖²);
    poly: (γ a·b + coef0)^degree; sigmoid: tanh(γ a·b + coef0)."""
    xp = backend.get_array_module(A, B)
    dot = A @ B.T
    if kernel == "linear":
        return dot
    if kernel == "rbf":
        squared = (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - 2 * dot
        return xp.exp(-gamma * xp.maximum(squared, 0))
    if kernel == "poly":
        return (gamma * dot + coef0) ** degree
    return xp.tanh(gamma * dot + coef0)


def smo(K, y, C, tol, max_iter):
    """Solve the SVM dual  min ½αᵀQα − Σα,  0 ≤ α ≤ C,  yᵀα = 0,  Q_ij = y_i y_j K_ij.

    K: (n, n) kernel matrix, y: (n,) of ±1 → (α (n,), ρ, iterations); decision = Σ α_i y_i k(x_i, x) − ρ.
    Each step picks i with the largest violation of the optimality conditions and, among the
    j that could pair with it, the one whose two-variable step lowers the objective most
    (second-order working-set selection); the pair is solved exactly, clipped to the box,
    and the gradient G = Qα − 1 updated with two kernel columns.  Stops when the largest
    violation m − M falls below ``tol`` (libsvm's eps).
    """
    xp = backend.get_array_module(K)
    n = len(y)
    alpha, G, diagonal = xp.zeros(n), -xp.ones(n), xp.diag(K).copy()
    iteration = 0
    while max_iter < 0 or iteration < max_iter:
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))      # α_i can move so that y_i α_i grows
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        violation = -y * G
        i = int(xp.argmax(xp.where(up, violation, -xp.inf)))
        m, M = float(violation[i]), float(xp.where(low, violation, xp.inf).min())
        if m - M < tol:
            break
        curvature = xp.maximum(diagonal[i] + diagonal - 2 * K[i], 1e-12)
        gain = xp.where(low & (violation < m), -(m - violation) ** 2 / curvature, xp.inf)
        j = int(xp.argmin(gain))
        step = (m - float(violation[j])) / float(curvature[j])
        step = min(step, float(C - alpha[i] if y[i] > 0 else alpha[i]), float(alpha[j] if y[j] > 0 else C - alpha[j]))
        alpha[i] = min(max(float(alpha[i] + y[i] * step), 0.0), C)
        alpha[j] = min(max(float(alpha[j] - y[j] * step), 0.0), C)
        G += step * y * (K[:, i] - K[:, j])
        iteration += 1
    free = (alpha > 0) & (alpha < C)
    # on a free multiplier y_i·f(x_i) = 1 exactly, which gives ρ = y_i G_i; average them for stability
    rho = float((y * G)[free].mean()) if bool(free.any()) else -(m + M) / 2
    return alpha, rho, iteration


class SVC(ClassifierMixin, BaseEstimator):
    """A kernel SVM (C-SVC) trained by SMO; more than two classes by one-vs-one voting, as libsvm.

    kernel: ``"linear"``, ``"rbf"`` (default), ``"poly"``, ``"sigmoid"``; gamma ``"scale"``
    = 1 / (n_features · X.var()), ``"auto"`` = 1 / n_features, or a float.  For each pair of
    classes (p < q) one binary SVM with q as +1; ``predict`` takes the class with most votes
    (ties → the smaller label).  Memory: each pair's kernel matrix, (n_p + n_q)² floats — SVC
    is quadratic in the training set, subsample large ones.

    Attributes: ``classes_``, ``support_`` (indices of the support vectors), ``support_vectors_``,
    ``n_support_`` (per class), ``dual_coef_`` (two classes: (1, n_SV) of α_i y_i),
    ``intercept_`` (one per pair, in scikit-learn's sign convention), ``n_iter_`` (per pair).
    """

    def __init__(self, C=1.0, kernel="rbf", degree=3, gamma="scale", coef0=0.0, tol=1e-3, max_iter=-1,
                 decision_function_shape="ovr"):
        self.C, self.kernel, self.degree, self.gamma, self.coef0 = C, kernel, degree, gamma, coef0
        self.tol, self.max_iter, self.decision_function_shape = tol, max_iter, decision_function_shape

    def fit(self, X, y):
        check_choice(self, "kernel", self.kernel, ("linear", "rbf", "poly", "sigmoid"))
        check_choice(self, "decision_function_shape", self.decision_function_shape, ("ovr", "ovo"))
        check_positive(self, "C", self.C)
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        if self.gamma == "scale":
            variance = float(X.var())
            self._gamma = 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        elif self.gamma == "auto":
            self._gamma = 1.0 / X.shape[1]
        else:
            check_positive(self, "gamma", self.gamma)
            self._gamma = float(self.gamma)
        self._pairs, self.n_iter_, self.intercept_ = [], [], []
        used = xp.zeros(len(X), dtype=bool)
        for p in range(len(self.classes_)):
            for q in range(p + 1, len(self.classes_)):
                members = xp.flatnonzero((y_index == p) | (y_index == q))
                signs = xp.where(y_index[members] == q, 1.0, -1.0)
                K = pairwise_kernel(X[members], X[members], self.kernel, self._gamma, self.degree, self.coef0)
                alpha, rho, iterations = smo(K, signs, float(self.C), self.tol, self.max_iter)
                support = alpha > 0
                self._pairs.append((p, q, members[support], (alpha * signs)[support], rho))
                self.n_iter_.append(iterations)
                self.intercept_.append(-rho)
                used[members[support]] = True
        self.support_ = xp.flatnonzero(used)
        self.support_vectors_ = X[self.support_]
        self.n_support_ = xp.bincount(y_index[self.support_], minlength=len(self.classes_))
        # libsvm, and so scikit-learn, takes the first class of a pair as +1 when there are more than
        # two classes: report the intercepts in that convention (two classes: positive → classes_[1])
        self.intercept_ = xp.asarray(self.intercept_) if len(self.classes_) == 2 else -xp.asarray(self.intercept_)
        if len(self.classes_) == 2:
            self.dual_coef_ = self._pairs[0][3][None, :]
        return self

    def _pair_decisions(self, X):
        """(n_samples, n_pairs): each pairwise SVM's Σ α_i y_i k(x_i, x) − ρ."""
        X = check_n_features(self, X)
        xp = backend.get_array_module(X)
        K = pairwise_kernel(X, self.support_vectors_, self.kernel, self._gamma, self.degree, self.coef0)
        column = {int(index): position for position, index in enumerate(self.support_.tolist())}
        out = xp.empty((len(X), len(self._pairs)))
        for k, (_, _, support, coef, rho) in enumerate(self._pairs):
            columns = xp.asarray([column[int(i)] for i in support.tolist()], dtype=np.int64)
            out[:, k] = K[:, columns] @ coef - rho
        return out

    def _votes(self, decisions):
        xp = backend.get_array_module(decisions)
        votes = xp.zeros((len(decisions), len(self.classes_)))
        confidence = xp.zeros_like(votes)
        for k, (p, q, _, _, _) in enumerate(self._pairs):
            votes[:, q] += decisions[:, k] > 0
            votes[:, p] += decisions[:, k] <= 0
            confidence[:, q] += decisions[:, k]
            confidence[:, p] -= decisions[:, k]
        return votes, confidence

    def decision_function(self, X):
        """Two classes: (n_samples,), positive → classes_[1].  More: ``"ovo"`` gives the
        (n_samples, n_pairs) pairwise decisions; ``"ovr"`` (n_samples, n_classes) votes plus a
        confidence in (−1/3, 1/3) that breaks ties without changing the vote order."""
        decisions = self._pair_decisions(X)
        if len(self.classes_) == 2:
            return decisions[:, 0]
        if self.decision_function_shape == "ovo":
            return decisions
        votes, confidence = self._votes(decisions)
        return votes + confidence / (3 * (abs(confidence) + 1))

    def predict(self, X):
        decisions = self._pair_decisions(X)
        votes, _ = self._votes(decisions)
        return self.classes_[backend.get_array_module(votes).argmax(votes, axis=1)]
