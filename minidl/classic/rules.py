"""ZeroR and OneR: the two baselines every results table should start from.

ZeroR predicts the most frequent class and ignores the features: any model that cannot beat it
has learnt nothing.  OneR (Holte 1993, "Very simple classification rules perform well on most
commonly used datasets") builds, for every predictor, one rule — a class for each of its values
(numeric predictors cut into intervals first) — and keeps the predictor whose rule makes the
fewest errors on the training data.
"""
import numpy as np

from .. import backend
from ._base import BaseEstimator, ClassifierMixin, as_array, check_X_y, check_array, check_is_fitted, check_n_features, encode_labels


class ZeroR(ClassifierMixin, BaseEstimator):
    """Predict the majority class of the training labels (scikit-learn's
    ``DummyClassifier(strategy="prior")``): ``predict_proba`` is the class frequencies for every
    row, ``predict`` their argmax (ties → the smallest label).  Attributes: ``classes_``,
    ``class_prior_`` (n_classes,), ``n_features_in_``.
    """

    def fit(self, X, y):
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y, min_classes=1)
        self.class_prior_ = xp.bincount(y_index, minlength=len(self.classes_)) / len(y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X):
        """(n_samples, n_classes): the training class frequencies, the same for every row."""
        X = check_n_features(self, X)
        xp = backend.get_array_module(X)
        return xp.broadcast_to(self.class_prior_, (len(X), len(self.classes_))).copy()

    def predict(self, X):
        X = check_n_features(self, X)
        xp = backend.get_array_module(X)
        return xp.full(len(X), self.classes_[int(xp.argmax(self.class_prior_))])


class OneR(ClassifierMixin, BaseEstimator):
    """Holte's 1R: one rule on the single best predictor.

    For each column of ``X``: a *categorical* column (any non-numeric value, or an index listed in
    ``categorical_features``) maps each of its values to its most frequent class; a *numeric*
    column is sorted and cut into intervals, each holding at least ``min_bucket_size`` samples
    of its majority class (Holte's SMALL; Weka's default is 6), extended while the next sample
    has that class, never cut between equal values; adjacent intervals with the same class merge.
    The column whose rule misclassifies the fewest training samples wins (ties → the first).
    Class ties inside a value or interval → the smallest label.

    X: (n_samples, n_features), numeric or an object array mixing strings and numbers (a
    weather-style table); y: (n_samples,).  ``feature_names`` (optional in ``fit``) names the
    columns in ``rule_``.  Attributes: ``feature_`` (index of the chosen column), ``rule_`` (the
    rule in words), ``errors_`` (training errors of every column's rule), ``classes_``.
    A value unseen in training is given the overall majority class.  OneR works on the host
    (NumPy, object arrays allowed): its rules are Python dictionaries and lists.
    """

    def __init__(self, min_bucket_size=6, categorical_features=None):
        self.min_bucket_size = min_bucket_size
        self.categorical_features = categorical_features

    def fit(self, X, y, feature_names=None):
        if not isinstance(self.min_bucket_size, (int, np.integer)) or self.min_bucket_size < 1:
            raise ValueError(f"OneR: min_bucket_size must be an int >= 1, got {self.min_bucket_size!r}")
        X, y = self._table(X), check_array(self, y, "y", ndim=1, dtype=None)
        if len(y) != len(X):
            raise ValueError(f"OneR: X and y have different numbers of samples: X has {len(X)}, y has {len(y)}")
        y = np.asarray(backend.to_device(y, "cpu"))
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(X.shape[1])]
        if len(self.feature_names_in_) != X.shape[1]:
            raise ValueError(f"OneR: feature_names has {len(self.feature_names_in_)} names for {X.shape[1]} columns of X")
        self.default_ = int(np.bincount(y_index).argmax())
        self.rules_, self.errors_ = [], []
        for column in range(X.shape[1]):
            rule = (self._nominal_rule if self._is_categorical(X, column) else self._numeric_rule)(X[:, column], y_index)
            self.rules_.append(rule)
            self.errors_.append(rule["errors"])
        self.feature_ = int(np.argmin(self.errors_))
        return self

    def _table(self, X):
        X = as_array(X)
        X = np.asarray(backend.to_device(X, "cpu"))
        if X.ndim != 2:
            raise ValueError(f"OneR: expected X as a 2-D array (n_samples, n_features), got shape {X.shape}")
        if X.dtype.kind in "biuf":   # a numeric array: one vectorised check
            if X.dtype.kind == "f" and not np.isfinite(X).all():
                raise ValueError("OneR: X contains NaN or infinity; remove or impute those entries first")
            return X
        for column in range(X.shape[1]):   # an object table: look at each value
            values = X[:, column]
            numeric = [v for v in values if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
            if any(v != v or v in (np.inf, -np.inf) for v in numeric):
                raise ValueError(f"OneR: X contains NaN or infinity (column {column}); remove or impute them first")
        return X

    def _is_categorical(self, X, column):
        if self.categorical_features is not None and column in list(self.categorical_features):
            return True
        if X.dtype.kind in "iuf":
            return False
        return not all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in X[:, column])

    def _nominal_rule(self, values, y_index):
        table = {}
        for value, label in zip(values.tolist(), y_index.tolist()):
            table.setdefault(value, np.zeros(len(self.classes_), dtype=np.int64))[label] += 1
        mapping = {value: int(counts.argmax()) for value, counts in table.items()}
        errors = sum(int(counts.sum() - counts.max()) for counts in table.values())
        return {"kind": "nominal", "mapping": mapping, "errors": errors,
                "counts": {value: (int(c.max()), int(c.sum())) for value, c in table.items()}}

    def _numeric_rule(self, values, y_index):
        values = values.astype(np.float64)
        order = np.argsort(values, kind="stable")
        values, labels = values[order], y_index[order]
        buckets = []  # [first, last] positions into the sorted arrays
        start, counts = 0, np.zeros(len(self.classes_), dtype=np.int64)
        for i in range(len(values)):
            counts[labels[i]] += 1
            last = i == len(values) - 1
            if last or (counts.max() >= self.min_bucket_size and labels[i + 1] != counts.argmax()
                        and values[i + 1] != values[i]):
                buckets.append([start, i, counts.copy()])
                start, counts = i + 1, np.zeros_like(counts)
        merged = []
        for first, last, counts in buckets:
            if merged and merged[-1][2].argmax() == counts.argmax():
                merged[-1][1], merged[-1][2] = last, merged[-1][2] + counts
            else:
                merged.append([first, last, counts])
        thresholds = [(values[last] + values[last + 1]) / 2 for _, last, _ in merged[:-1]]
        classes = [int(counts.argmax()) for _, _, counts in merged]
        errors = sum(int(counts.sum() - counts.max()) for _, _, counts in merged)
        return {"kind": "numeric", "thresholds": thresholds, "classes": classes, "errors": errors,
                "counts": [(int(c.max()), int(c.sum())) for _, _, c in merged]}

    @property
    def rule_(self):
        """The chosen rule in words, e.g. ``outlook: sunny → no, overcast → yes, … (4/14 errors)``."""
        check_is_fitted(self, "feature_")
        rule, name = self.rules_[self.feature_], self.feature_names_in_[self.feature_]
        label = lambda index: str(self.classes_[index])
        if rule["kind"] == "nominal":
            parts = [f"{value} → {label(cls)}" for value, cls in rule["mapping"].items()]
        else:
            edges = [-np.inf] + rule["thresholds"] + [np.inf]
            parts = []
            for low, high, cls in zip(edges[:-1], edges[1:], rule["classes"]):
                where = (f"< {high:g}" if low == -np.inf else f">= {low:g}" if high == np.inf else f"in [{low:g}, {high:g})")
                parts.append(f"{where} → {label(cls)}")
        total = sum(n for _, n in rule["counts"].values()) if rule["kind"] == "nominal" else sum(n for _, n in rule["counts"])
        return f"{name}: " + ", ".join(parts) + f" ({rule['errors']}/{total} errors)"

    def predict(self, X):
        check_is_fitted(self, "feature_")
        X = self._table(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"OneR: X has {X.shape[1]} features, but the estimator was fitted with {self.n_features_in_}")
        rule, column = self.rules_[self.feature_], X[:, self.feature_]
        if rule["kind"] == "nominal":
            index = np.array([rule["mapping"].get(v, self.default_) for v in column.tolist()])
        else:
            index = np.array(rule["classes"])[np.searchsorted(rule["thresholds"], column.astype(np.float64), side="right")]
        return self.classes_[index]
