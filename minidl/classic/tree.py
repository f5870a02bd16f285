"""Decision trees: recursive binary (numeric) and multiway (categorical) splits.

At each node every feature is tried; the split that most lowers the children's impurity,
weighted by their sizes, wins (ties → the first feature, then the smallest threshold).
Impurities of a node with class fractions p_k:

    entropy  H = −Σ p_k log₂ p_k     (ID3, Quinlan 1986; the decrease is the information gain)
    gini     G = 1 − Σ p_k²           (CART, Breiman et al. 1984)
    squared_error: the variance of y (regression)

A numeric feature is sorted once per node and every cut between two distinct neighbouring
values is scored at once from cumulative class counts (the threshold is their midpoint, as in
scikit-learn); a categorical feature (listed in ``categorical_features``) gets one child per
value, ID3's multiway split.  Stopping: ``max_depth``, ``min_samples_split``,
``min_samples_leaf``, or a pure node.
"""
import math

import numpy as np

from .. import backend
from ._base import (BaseEstimator, ClassifierMixin, RegressorMixin, check_choice, check_is_fitted,
                    check_n_features, check_X_y, encode_labels)

_FEATURE_THRESHOLD = 1e-7  # values closer than this count as equal: no cut between them
_CHUNK_ELEMENTS = 2 ** 22   # cap on the (samples × features × statistics) block scored at once


class _Node:
    """One node: ``value`` (class counts, or [mean]), ``impurity``, ``n_samples``; an inner node
    also has ``feature`` and either ``threshold`` (children [≤, >]) or ``categories`` (one child each)."""

    def __init__(self, value, impurity, n_samples):
        self.value, self.impurity, self.n_samples = value, impurity, n_samples
        self.feature, self.threshold, self.categories, self.children = None, None, None, []


def _impurity(stats, n, criterion, xp):
    """Impurity of groups from their statistics: stats (..., k), n (...) → (...)."""
    n = xp.maximum(n, 1)
    if criterion == "squared_error":   # stats = [Σy, Σy²]
        return stats[..., 1] / n - (stats[..., 0] / n) ** 2
    p = stats / n[..., None]
    if criterion == "gini":
        return 1.0 - (p ** 2).sum(axis=-1)
    return -(p * xp.log2(xp.where(p > 0, p, 1.0))).sum(axis=-1)


class _BaseTree(BaseEstimator):
    def __init__(self, criterion, max_depth=None, min_samples_split=2, min_samples_leaf=1, categorical_features=None):
        self.criterion, self.max_depth = criterion, max_depth
        self.min_samples_split, self.min_samples_leaf = min_samples_split, min_samples_leaf
        self.categorical_features = categorical_features

    def _check_params(self, n):
        if self.max_depth is not None and (not isinstance(self.max_depth, (int, np.integer)) or self.max_depth < 1):
            raise ValueError(f"{type(self).__name__}: max_depth must be None or an int >= 1, got {self.max_depth!r}")
        def count(name, minimum):
            value = getattr(self, name)
            if isinstance(value, float) and 0 < value <= 1:
                return max(minimum, math.ceil(value * n))
            if isinstance(value, (int, np.integer)) and value >= minimum:
                return int(value)
            raise ValueError(f"{type(self).__name__}: {name} must be an int >= {minimum} or a fraction in (0, 1], got {value!r}")
        self._min_split, self._min_leaf = count("min_samples_split", 2), count("min_samples_leaf", 1)

    def _fit(self, X, stats):
        """stats: (n_samples, k) per-sample statistics whose sums give a node's value."""
        self._check_params(len(X))
        self.n_features_in_ = X.shape[1]
        categorical = np.zeros(X.shape[1], dtype=bool)
        if self.categorical_features is not None:
            categorical[np.asarray(self.categorical_features)] = True
        self._categorical = categorical
        xp = backend.get_array_module(X)
        self.feature_importances_ = np.zeros(X.shape[1])
        self.tree_ = self._grow(X, stats, xp.arange(len(X)), 0, xp)
        total = self.feature_importances_.sum()
        self.feature_importances_ = self.feature_importances_ / total if total > 0 else self.feature_importances_
        return self

    def _grow(self, X, stats, index, depth, xp):
        node_stats = stats[index].sum(axis=0)
        n = len(index)
        node = _Node(self._node_value(node_stats, n), float(_impurity(node_stats, xp.asarray(float(n)), self.criterion, xp)), n)
        if ((self.max_depth is not None and depth >= self.max_depth) or n < self._min_split
                or n < 2 * self._min_leaf or node.impurity <= 1e-7):
            return node
        split = self._best_split(X[index], stats[index], xp)
        if split is None:
            return node
        weighted_impurity, feature, threshold, categories = split
        node.feature = feature
        self.feature_importances_[feature] += n * node.impurity - weighted_impurity
        column = X[index, feature]
        if categories is None:
            node.threshold = threshold
            parts = [index[column <= threshold], index[column > threshold]]
        else:
            node.categories = categories
            parts = [index[column == value] for value in categories]
        node.children = [self._grow(X, stats, part, depth + 1, xp) for part in parts]
        return node

    def _best_split(self, X, stats, xp):
        """(weighted child impurity, feature, threshold, categories) of the best split, or None."""
        best = None
        numeric = np.flatnonzero(~self._categorical)
        chunk = max(1, _CHUNK_ELEMENTS // (len(X) * stats.shape[1]))
        for start in range(0, len(numeric), chunk):
            found = self._best_numeric(X, stats, numeric[start:start + chunk], xp)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        for feature in np.flatnonzero(self._categorical):
            found = self._best_categorical(X[:, feature], stats, int(feature), xp)
            if found is not None and (best is None or found[0] < best[0] or
                                      (found[0] == best[0] and feature < best[1])):
                best = found
        return best

    def _best_numeric(self, X, stats, features, xp):
        n = len(X)
        columns = X[:, features]                                      # (n, f)
        order = xp.argsort(columns, axis=0, kind="stable")
        sorted_values = xp.take_along_axis(columns, order, axis=0)
        left = xp.cumsum(stats[order], axis=0)[:-1]                  # (n − 1, f, k): first i + 1 samples
        right = left[-1:] + stats[order[-1]][None] - left
        n_left = xp.arange(1, n, dtype=stats.dtype)[:, None]
        n_right = n - n_left
        weighted = (n_left * _impurity(left, n_left, self.criterion, xp)
                    + n_right * _impurity(right, n_right, self.criterion, xp))   # (n − 1, f)
        valid = sorted_values[1:] > sorted_values[:-1] + _FEATURE_THRESHOLD
        valid &= (n_left >= self._min_leaf) & (n_right >= self._min_leaf)
        weighted = xp.where(valid, weighted, xp.inf)
        flat = int(xp.argmin(weighted.T.reshape(-1)))                 # feature-major: first feature wins ties
        position, column = flat % (n - 1), flat // (n - 1)
        score = float(weighted[position, column])
        if not math.isfinite(score):
            return None
        low, high = float(sorted_values[position, column]), float(sorted_values[position + 1, column])
        threshold = (low + high) / 2
        if threshold == high:  # rounding put the midpoint on the upper value
            threshold = low
        return score, int(features[column]), threshold, None

    def _best_categorical(self, column, stats, feature, xp):
        categories, inverse = xp.unique(column, return_inverse=True)
        if len(categories) < 2:
            return None
        one_hot = (inverse.reshape(-1)[:, None] == xp.arange(len(categories))[None, :]).astype(stats.dtype)
        group_stats, group_n = one_hot.T @ stats, one_hot.sum(axis=0)           # (v, k), (v,)
        if float(group_n.min()) < self._min_leaf:
            return None
        score = float((group_n * _impurity(group_stats, group_n, self.criterion, xp)).sum())
        return score, feature, None, [float(v) for v in categories.tolist()]

    def _node_value(self, stats, n):  # class counts (a regressor keeps the mean)
        return stats

    def _leaf_values(self, X):
        """(n_samples, k) the value of the node each row ends in (an unseen category stops at its node)."""
        X = check_n_features(self, X)
        xp = backend.get_array_module(X)
        out = xp.zeros((len(X), len(self.tree_.value)))
        stack = [(self.tree_, xp.arange(len(X)))]
        while stack:
            node, index = stack.pop()
            if not node.children or len(index) == 0:
                out[index] = node.value
                continue
            column = X[index, node.feature]
            if node.categories is None:
                masks = [column <= node.threshold, column > node.threshold]
            else:
                masks = [column == value for value in node.categories]
                seen = xp.zeros(len(index), dtype=bool)
                for mask in masks:
                    seen |= mask
                out[index[~seen]] = node.value
            stack += [(child, index[mask]) for child, mask in zip(node.children, masks)]
        return out

    def get_depth(self):
        check_is_fitted(self, "tree_")
        def depth(node):
            return 0 if not node.children else 1 + max(depth(child) for child in node.children)
        return depth(self.tree_)

    def get_n_leaves(self):
        check_is_fitted(self, "tree_")
        def leaves(node):
            return 1 if not node.children else sum(leaves(child) for child in node.children)
        return leaves(self.tree_)


class DecisionTreeClassifier(ClassifierMixin, _BaseTree):
    """A classification tree.  criterion: ``"gini"`` (default, CART) or ``"entropy"``
    (information gain, ID3; ``"log_loss"`` is the same).  ``categorical_features``: column
    indices split multiway, one child per value (numbers; encode strings as integers first).

    X: (n_samples, n_features) float, y: (n_samples,).  Attributes: ``classes_``, ``tree_``
    (root ``_Node``), ``feature_importances_`` (total impurity decrease per feature,
    normalised), ``n_features_in_``.  Print it with ``export_text``.
    """

    def __init__(self, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 categorical_features=None):
        super().__init__(criterion, max_depth, min_samples_split, min_samples_leaf, categorical_features)

    def fit(self, X, y):
        check_choice(self, "criterion", self.criterion, ("gini", "entropy", "log_loss"))
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y, min_classes=1)
        one_hot = (y_index[:, None] == xp.arange(len(self.classes_))[None, :]).astype(X.dtype)
        criterion, self.criterion = self.criterion, "entropy" if self.criterion == "log_loss" else self.criterion
        try:
            return self._fit(X, one_hot)
        finally:
            self.criterion = criterion

    def predict_proba(self, X):
        """(n_samples, n_classes): the class fractions of each row's leaf."""
        counts = self._leaf_values(X)
        return counts / counts.sum(axis=1, keepdims=True)

    def predict(self, X):
        counts = self._leaf_values(X)
        return self.classes_[backend.get_array_module(counts).argmax(counts, axis=1)]


class DecisionTreeRegressor(RegressorMixin, _BaseTree):
    """A regression tree: splits minimise the children's summed squared error (criterion
    ``"squared_error"``); a leaf predicts the mean of its training targets."""

    def __init__(self, criterion="squared_error", max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 categorical_features=None):
        super().__init__(criterion, max_depth, min_samples_split, min_samples_leaf, categorical_features)

    def fit(self, X, y):
        check_choice(self, "criterion", self.criterion, ("squared_error",))
        X, y = check_X_y(self, X, y, y_numeric=True)
        xp = backend.get_array_module(X)
        return self._fit(X, xp.stack([y, y ** 2], axis=1).astype(X.dtype))

    def predict(self, X):
        """(n_samples,) the mean training target of each row's leaf."""
        return self._leaf_values(X)[:, 0]

    def _node_value(self, stats, n):
        return stats[:1] / n


def export_text(decision_tree, feature_names=None, class_names=None, max_depth=10, decimals=2):
    """The fitted tree as indented if/else rules, one line per branch::

        |--- petal width <= 0.80
        |   |--- class: 0
        |--- petal width >  0.80
        ...

    A categorical split prints one ``feature == value`` branch per value.  Deeper than
    ``max_depth`` levels, branches are elided as ``truncated branch``.
    """
    check_is_fitted(decision_tree, "tree_")
    names = feature_names if feature_names is not None else [f"feature_{j}" for j in range(decision_tree.n_features_in_)]
    if len(names) != decision_tree.n_features_in_:
        raise ValueError(f"export_text: feature_names has {len(names)} names for {decision_tree.n_features_in_} features")
    is_classifier = hasattr(decision_tree, "classes_")
    labels = class_names if class_names is not None else (
        [str(c) for c in decision_tree.classes_.tolist()] if is_classifier else None)
    lines = []

    def leaf(node):
        if is_classifier:
            return f"class: {labels[int(np.argmax(backend.to_device(node.value, 'cpu')))]}"
        return f"value: [{float(node.value[0]):.{decimals}f}]"

    def visit(node, depth):
        indent = "|   " * depth + "|--- "
        if not node.children:
            lines.append(indent + leaf(node))
            return
        if depth >= max_depth:
            lines.append(indent + "truncated branch of depth " + str(_depth(node)))
            return
        name = names[node.feature]
        if node.categories is None:
            branches = [f"{name} <= {node.threshold:.{decimals}f}", f"{name} >  {node.threshold:.{decimals}f}"]
        else:
            branches = [f"{name} == {value:g}" for value in node.categories]
        for text, child in zip(branches, node.children):
            lines.append(indent + text)
            visit(child, depth + 1)

    visit(decision_tree.tree_, 0)
    return "\n".join(lines) + "\n"


def _depth(node):
    return 0 if not node.children else 1 + max(_depth(child) for child in node.children)
