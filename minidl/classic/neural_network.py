"""``MLPClassifier``: the "artificial neural network" of the classic syllabus — fully connected
layers with a non-linearity between them — built from ``minidl.nn`` and trained by minidl's
autograd and optimizers, exactly as the convolutional networks are.

One hidden layer of enough units can approximate any continuous function (Cybenko 1989; Hornik
1991), but every pixel gets its own weight in every unit: nothing tells the network that a
stroke shifted by one pixel is the same stroke.  That is what convolutions add.
"""
import math

import numpy as np

from .. import backend
from ._base import BaseEstimator, ClassifierMixin, check_choice, check_n_features, check_positive, check_X_y, encode_labels

_ACTIVATIONS = {"identity": None, "logistic": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A multi-layer perceptron trained with softmax cross-entropy by minibatch SGD or Adam.

    ``hidden_layer_sizes``: units per hidden layer, e.g. ``(100,)`` or ``(256, 128)``;
    ``activation``: ``"relu"``, ``"tanh"``, ``"logistic"`` or ``"identity"`` between layers;
    ``solver``: ``"adam"`` (``minidl.optim.Adam``) or ``"sgd"`` (``minidl.optim.SGD`` with
    ``momentum`` and ``nesterovs_momentum``); ``alpha``: L2 penalty, added to each batch's mean
    loss as α‖W‖²/(2·batch) over the weights (not the biases), as scikit-learn does;
    ``batch_size="auto"`` = min(200, n_samples).  Weights start Glorot-uniform (Glorot & Bengio
    2010) from ``random_state``, which also seeds the shuffling.  Training stops after
    ``max_iter`` epochs, or when the epoch loss has not dropped by ``tol`` for
    ``n_iter_no_change`` epochs in a row.

    X: (n_samples, n_features), y: (n_samples,).  Attributes: ``classes_``, ``coefs_`` (per
    layer, (fan_in, fan_out)), ``intercepts_``, ``loss_curve_``, ``n_iter_``, ``model_`` (the
    ``minidl.nn.Sequential``).  The output layer always has one unit per class (scikit-learn
    uses a single logistic unit for two classes).
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True, random_state=None, tol=1e-4, momentum=0.9,
                 nesterovs_momentum=True, n_iter_no_change=10):
        self.hidden_layer_sizes, self.activation, self.solver = hidden_layer_sizes, activation, solver
        self.alpha, self.batch_size, self.learning_rate_init = alpha, batch_size, learning_rate_init
        self.max_iter, self.shuffle, self.random_state, self.tol = max_iter, shuffle, random_state, tol
        self.momentum, self.nesterovs_momentum, self.n_iter_no_change = momentum, nesterovs_momentum, n_iter_no_change

    def _build(self, sizes, xp, rng):
        from .. import nn
        layers = []
        for position, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(fan_in, fan_out).double()
            bound = math.sqrt((2.0 if self.activation == "logistic" else 6.0) / (fan_in + fan_out))
            linear.weight.array[...] = xp.asarray(rng.uniform(-bound, bound, (fan_out, fan_in)))
            linear.bias.array[...] = xp.asarray(rng.uniform(-bound, bound, fan_out))
            layers.append(linear)
            if position < len(sizes) - 2 and _ACTIVATIONS[self.activation]:
                layers.append(getattr(nn, _ACTIVATIONS[self.activation])())
        model = nn.Sequential(*layers)
        return model.to("cuda") if xp is not np else model

    def fit(self, X, y):
        import minidl
        import minidl.nn.functional as F
        check_choice(self, "activation", self.activation, tuple(_ACTIVATIONS))
        check_choice(self, "solver", self.solver, ("adam", "sgd"))
        check_positive(self, "learning_rate_init", self.learning_rate_init)
        check_positive(self, "alpha", self.alpha, strict=False)
        hidden = [self.hidden_layer_sizes] if isinstance(self.hidden_layer_sizes, int) else list(self.hidden_layer_sizes)
        if any(not isinstance(h, (int, np.integer)) or h < 1 for h in hidden):
            raise ValueError(f"MLPClassifier: hidden_layer_sizes must be positive ints, got {self.hidden_layer_sizes!r}")
        X, y = check_X_y(self, X, y)
        xp = backend.get_array_module(X)
        self.classes_, y_index = encode_labels(self, y)
        self.n_features_in_ = X.shape[1]
        n = len(X)
        batch = min(200, n) if self.batch_size == "auto" else int(min(self.batch_size, n))
        rng = np.random.default_rng(self.random_state)
        self.model_ = self._build([X.shape[1], *hidden, len(self.classes_)], xp, rng)
        parameters = list(self.model_.parameters())
        weights = [p for p in parameters if p.ndim == 2]
        if self.solver == "adam":
            optimizer = minidl.optim.Adam(parameters, lr=self.learning_rate_init)
        else:
            optimizer = minidl.optim.SGD(parameters, lr=self.learning_rate_init, momentum=self.momentum,
                                         nesterov=self.nesterovs_momentum and self.momentum > 0)
        self.loss_curve_, best, stalled = [], math.inf, 0
        for epoch in range(1, self.max_iter + 1):
            order = xp.asarray(rng.permutation(n) if self.shuffle else np.arange(n))
            total = 0.0
            for start in range(0, n, batch):
                index = order[start:start + batch]
                logits = self.model_(minidl.tensor(X[index]))
                loss = F.cross_entropy(logits, minidl.tensor(y_index[index]))
                loss = loss + 0.5 * self.alpha / len(index) * sum((w * w).sum() for w in weights)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(index)
            self.loss_curve_.append(total / n)
            stalled = stalled + 1 if self.loss_curve_[-1] > best - self.tol else 0
            best = min(best, self.loss_curve_[-1])
            if stalled > self.n_iter_no_change:
                break
        self.n_iter_ = epoch
        linears = [layer for layer in self.model_ if hasattr(layer, "weight")]
        self.coefs_ = [layer.weight.array.T.copy() for layer in linears]
        self.intercepts_ = [layer.bias.array.copy() for layer in linears]
        return self

    def predict_proba(self, X):
        """(n_samples, n_classes) softmax of the network's outputs."""
        import minidl
        X = check_n_features(self, X)
        with minidl.no_grad():
            return minidl.nn.functional.softmax(self.model_(minidl.tensor(X)), dim=1).array

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[backend.get_array_module(proba).argmax(proba, axis=1)]
