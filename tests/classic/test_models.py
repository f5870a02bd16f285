"""Decision trees, linear models, SVMs and the MLP against scikit-learn: equal predictions where
the algorithm is deterministic, equal coefficients (1e-3) on strictly convex problems, and
accuracies within a stated tolerance where the optimisers differ."""
import numpy as np
import pytest

from minidl import classic
from tests.oracles import sklearn


@pytest.fixture(scope="module")
def continuous():
    """Continuous features with no repeated values: split ties between features (which
    scikit-learn breaks in a random feature order) have probability zero."""
    sklearn()
    from sklearn.datasets import make_classification
    X, y = make_classification(400, 6, n_informative=4, n_classes=3, random_state=2)
    return X[::2], y[::2], X[1::2], y[1::2]


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("kwargs", [{"max_depth": 3}, {"min_samples_leaf": 5, "min_samples_split": 12}])
def test_tree_matches_sklearn(continuous, criterion, kwargs):
    """Equal trees while nodes are large.  Grown to purity, tiny nodes often have several
    features giving exactly the same split; scikit-learn breaks those ties in a random feature
    order, minidl by the first feature, so fully grown trees are compared by accuracy below."""
    from sklearn.tree import DecisionTreeClassifier
    X, y, X_test, _ = continuous
    ours = classic.DecisionTreeClassifier(criterion=criterion, **kwargs).fit(X, y)
    theirs = DecisionTreeClassifier(criterion=criterion, random_state=0, **kwargs).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test))
    assert ours.get_depth() == theirs.get_depth() and ours.get_n_leaves() == theirs.get_n_leaves()
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-12)


def test_fully_grown_tree_accuracy_close_to_sklearn(continuous):
    from sklearn.tree import DecisionTreeClassifier
    X, y, X_test, y_test = continuous
    ours = classic.DecisionTreeClassifier(criterion="entropy").fit(X, y)
    assert ours.score(X, y) == 1.0
    theirs = DecisionTreeClassifier(criterion="entropy", random_state=0).fit(X, y)
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.06


def test_tree_regressor_and_export_text_match_sklearn(continuous):
    from sklearn import tree
    X, y, X_test, _ = continuous
    target = X[:, 0] * 2 + np.sin(X[:, 1])
    ours = classic.DecisionTreeRegressor(max_depth=4).fit(X, target)
    theirs = tree.DecisionTreeRegressor(max_depth=4).fit(X, target)
    np.testing.assert_allclose(ours.predict(X_test), theirs.predict(X_test))
    classifier = classic.DecisionTreeClassifier(max_depth=3).fit(X, y)
    names = [f"x{j}" for j in range(X.shape[1])]
    assert classic.export_text(classifier, feature_names=names) == \
        tree.export_text(tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y), feature_names=names)


def test_tree_categorical_multiway_split_is_id3():
    """Outlook (0 sunny, 1 overcast, 2 rainy) has the largest information gain on the weather
    table (0.247 bits); ID3 splits it three ways, then humidity under sunny and windy under rainy."""
    outlook = [0, 0, 1, 2, 2, 2, 1, 0, 0, 2, 0, 1, 1, 2]
    humidity = [1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1]   # 1 high, 0 normal
    windy = [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1]
    play = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0])
    X = np.array([outlook, humidity, windy], dtype=float).T
    model = classic.DecisionTreeClassifier(criterion="entropy", categorical_features=[0, 1, 2]).fit(X, play)
    assert model.tree_.feature == 0 and model.tree_.categories == [0.0, 1.0, 2.0]
    sunny, overcast, rainy = model.tree_.children
    assert sunny.feature == 1 and not overcast.children and rainy.feature == 2
    assert model.score(X, play) == 1.0
    text = classic.export_text(model, feature_names=["outlook", "humidity", "windy"])
    assert "|--- outlook == 1" in text and "|   |--- windy == 0" in text
    assert model.predict(np.array([[7.0, 0.0, 0.0]])).tolist() == [1]   # unseen outlook: the root's majority


def test_tree_stopping_rules(continuous):
    X, y, _, _ = continuous
    assert classic.DecisionTreeClassifier(max_depth=2).fit(X, y).get_depth() == 2
    leaf_sizes = []
    def collect(node):
        if not node.children:
            leaf_sizes.append(node.n_samples)
        for child in node.children:
            collect(child)
    collect(classic.DecisionTreeClassifier(min_samples_leaf=7).fit(X, y).tree_)
    assert min(leaf_sizes) >= 7
    with pytest.raises(ValueError, match="min_samples_leaf"):
        classic.DecisionTreeClassifier(min_samples_leaf=0).fit(X, y)
    with pytest.raises(ValueError, match="criterion"):
        classic.DecisionTreeClassifier(criterion="chaos").fit(X, y)


def test_least_squares_and_ridge_match_sklearn_and_the_coefficient_table():
    linear_model = sklearn().linear_model
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = X @ np.array([1.5, -2.0, 0.0, 0.5, 3.0]) + 0.7 + rng.normal(0, 0.5, len(X))
    ours, theirs = classic.LinearRegression().fit(X, y), linear_model.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-10)
    # the table, from its textbook formulas with plain NumPy
    design = np.column_stack([np.ones(len(X)), X])
    residual = y - design @ ours.estimates_
    sigma2 = residual @ residual / (len(X) - 6)
    errors = np.sqrt(sigma2 * np.diag(np.linalg.inv(design.T @ design)))
    np.testing.assert_allclose(ours.standard_errors_, errors, rtol=1e-8)
    np.testing.assert_allclose(ours.t_statistics_, ours.estimates_ / errors, rtol=1e-8)
    assert ours.rsquared_ == pytest.approx(theirs.score(X, y), rel=1e-12)
    assert ours.df_resid_ == len(X) - 6
    assert "| x4 |" in ours.summary() and "R² =" in ours.summary()
    sgd = classic.LinearRegression(solver="sgd", tol=1e-9).fit(X, y)      # minidl autograd + optim.SGD
    np.testing.assert_allclose(sgd.coef_, ours.coef_, atol=1e-3)
    assert sgd.intercept_ == pytest.approx(ours.intercept_, abs=1e-3)
    ridge, oracle = classic.Ridge(alpha=3.0).fit(X, y), linear_model.Ridge(alpha=3.0).fit(X, y)
    np.testing.assert_allclose(ridge.coef_, oracle.coef_, atol=1e-10)
    assert ridge.intercept_ == pytest.approx(oracle.intercept_, abs=1e-10)


def test_simple_regression_slope_is_covariance_over_variance():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([2.1, 3.9, 6.2, 7.8, 10.1])
    model = classic.LinearRegression().fit(x[:, None], y)
    slope = np.cov(x, y, bias=True)[0, 1] / x.var()
    assert model.coef_[0] == pytest.approx(slope) and model.intercept_ == pytest.approx(y.mean() - slope * x.mean())


@pytest.mark.parametrize("penalty_C", [1.0, 0.1])
def test_logistic_regression_coefficients_match_sklearn(convex_binary, penalty_C):
    from sklearn.linear_model import LogisticRegression
    X, y = convex_binary
    ours = classic.LogisticRegression(C=penalty_C, tol=1e-8, max_iter=5000).fit(X, y)
    theirs = LogisticRegression(C=penalty_C, tol=1e-10, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-3)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)


def test_multinomial_logistic_regression_matches_sklearn(datasets):
    from sklearn.linear_model import LogisticRegression
    X, y, X_test, y_test = datasets["blobs"]
    ours = classic.LogisticRegression(C=0.5, tol=1e-8, max_iter=5000).fit(X, y)
    theirs = LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    for name in ("iris", "wine", "breast_cancer"):   # accuracy within 2 points at default settings
        X, y, X_test, y_test = datasets[name]
        assert abs(classic.LogisticRegression().fit(X, y).score(X_test, y_test)
                   - LogisticRegression().fit(X, y).score(X_test, y_test)) <= 0.02


def test_linear_svc_squared_hinge_coefficients_match_liblinear(convex_binary):
    from sklearn.svm import LinearSVC
    X, y = convex_binary
    ours = classic.LinearSVC(tol=1e-8, max_iter=20000).fit(X, y)
    theirs = LinearSVC(tol=1e-10, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-3)


@pytest.mark.parametrize("kwargs", [{"loss": "hinge"}, {"multi_class": "crammer_singer"}, {}])
def test_linear_svc_accuracy_close_to_liblinear(datasets, kwargs):
    """Hinge losses are not differentiable: subgradient descent lands near, not on, liblinear's
    optimum, so accuracies are compared, within 3 points."""
    import warnings
    from sklearn.svm import LinearSVC
    X, y, X_test, y_test = datasets["wine"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = LinearSVC(**kwargs).fit(X, y).score(X_test, y_test)
    ours = classic.LinearSVC(max_iter=300, **kwargs).fit(X, y).score(X_test, y_test)
    assert abs(ours - theirs) <= 0.03


@pytest.mark.parametrize("kwargs", [{}, {"kernel": "linear", "C": 0.5}, {"kernel": "poly", "degree": 2, "coef0": 1.0},
                                    {"kernel": "rbf", "gamma": 0.1, "C": 3.0}])
def test_svc_smo_matches_libsvm(datasets, kwargs):
    from sklearn.svm import SVC
    for name in ("iris", "wine", "blobs"):
        X, y, X_test, _ = datasets[name]
        ours, theirs = classic.SVC(**kwargs).fit(X, y), SVC(**kwargs).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test), err_msg=name)
        # a multiplier within tol of zero may be a support vector in one solver and not the other
        assert len(set(ours.support_.tolist()) ^ set(theirs.support_.tolist())) <= 2, name
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=5e-3, err_msg=name)


def test_binary_svc_dual_coefficients_and_decision_match_libsvm(datasets):
    from sklearn.svm import SVC
    X, y, X_test, _ = datasets["breast_cancer"]
    ours, theirs = classic.SVC(kernel="linear", tol=1e-6).fit(X, y), SVC(kernel="linear", tol=1e-6).fit(X, y)
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_[:, np.argsort(theirs.support_)], atol=1e-3)
    np.testing.assert_allclose(ours.decision_function(X_test), theirs.decision_function(X_test), atol=1e-3)


def test_mlp_learns_digits_close_to_sklearn(datasets):
    """Different initial draws and trajectories: compare accuracy, within 5 points (both near
    82 % on 300 training digits)."""
    import warnings
    from sklearn.neural_network import MLPClassifier
    X, y, X_test, y_test = datasets["digits"]
    ours = classic.MLPClassifier(hidden_layer_sizes=(32,), batch_size=50, max_iter=60, random_state=0).fit(X / 16, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = MLPClassifier(hidden_layer_sizes=(32,), batch_size=50, max_iter=60, random_state=0).fit(X / 16, y)
    assert ours.loss_curve_[-1] < ours.loss_curve_[0]
    assert abs(ours.score(X_test / 16, y_test) - theirs.score(X_test / 16, y_test)) <= 0.05
    assert [w.shape for w in ours.coefs_] == [(64, 32), (32, 10)]
    sgd = classic.MLPClassifier(hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=0.05, activation="tanh",
                                max_iter=40, random_state=0).fit(X / 16, y)
    assert sgd.score(X_test / 16, y_test) > 0.7   # chance is 0.1
