"""``minidl.classic``: the classifiers that come before CNNs, with scikit-learn's interface.

One short file per family — rules (ZeroR, OneR), naive Bayes, decision trees, linear
discriminant analysis, linear models, support vector machines, k-nearest neighbours and the
multi-layer perceptron — plus the little preprocessing they need.  Every estimator has
``fit(X, y)``, ``predict(X)``, ``score(X, y)`` and, where it makes sense, ``predict_proba``;
constructor arguments are scikit-learn's names.  The gradient-trained ones (logistic
regression, linear SVM, MLP, ``LinearRegression(solver="sgd")``) run on minidl's own autograd
and optimizers.  Arrays may be NumPy or CuPy.  See docs/before_cnns.md.
"""
from ._base import NotFittedError
from .discriminant_analysis import LinearDiscriminantAnalysis
from .linear_model import LinearRegression, LogisticRegression, Ridge
from .metrics import accuracy_score, confusion_matrix
from .naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
from .neighbors import KNeighborsClassifier, KNeighborsRegressor, pairwise_distances
from .neural_network import MLPClassifier
from .preprocessing import StandardScaler, train_test_split
from .rules import OneR, ZeroR
from .svm import SVC, LinearSVC
from .tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text

__all__ = [
    "ZeroR", "OneR", "GaussianNB", "MultinomialNB", "BernoulliNB", "DecisionTreeClassifier", "DecisionTreeRegressor",
    "export_text", "LinearDiscriminantAnalysis", "LogisticRegression", "LinearSVC", "SVC", "LinearRegression", "Ridge",
    "MLPClassifier", "KNeighborsClassifier", "KNeighborsRegressor", "StandardScaler", "train_test_split",
    "accuracy_score", "confusion_matrix", "pairwise_distances", "NotFittedError",
]
