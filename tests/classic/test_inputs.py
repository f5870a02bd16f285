"""Bad input raises errors that name the argument; the preprocessing helpers; the estimator
interface (get_params/set_params/repr) that every classic model shares."""
import numpy as np
import pytest

from minidl import classic

X = np.random.default_rng(0).normal(size=(30, 3))
Y = np.arange(30) % 3

CLASSIFIERS = [classic.ZeroR, classic.OneR, classic.GaussianNB, classic.BernoulliNB, classic.DecisionTreeClassifier,
               classic.LinearDiscriminantAnalysis, lambda: classic.LogisticRegression(max_iter=5),
               lambda: classic.LinearSVC(max_iter=5), classic.SVC, lambda: classic.MLPClassifier(max_iter=1),
               classic.KNeighborsClassifier]
REGRESSORS = [classic.LinearRegression, classic.Ridge, classic.DecisionTreeRegressor, classic.KNeighborsRegressor]
ALL = CLASSIFIERS + REGRESSORS


@pytest.mark.parametrize("make", ALL)
def test_predict_before_fit_raises_not_fitted(make):
    with pytest.raises(classic.NotFittedError, match="not fitted yet"):
        make().predict(X)


@pytest.mark.parametrize("make", ALL)
def test_nan_in_X_names_X(make):
    bad = X.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        make().fit(bad, Y)


@pytest.mark.parametrize("make", ALL)
def test_wrong_shapes_name_the_argument(make):
    with pytest.raises(ValueError, match=r"X as a 2-D array .*got shape \(30,\)"):
        make().fit(X[:, 0], Y)
    with pytest.raises(ValueError, match=r"different numbers of samples: X has 30, y has 29"):
        make().fit(X, Y[:29])
    model = make().fit(X, Y)
    if not isinstance(model, classic.OneR):
        with pytest.raises(ValueError, match="X has 2 features, but the estimator was fitted with 3"):
            model.predict(X[:, :2])


@pytest.mark.parametrize("make", [c for c in CLASSIFIERS if c not in (classic.ZeroR, classic.DecisionTreeClassifier,
                                                                      classic.KNeighborsClassifier)])
def test_one_class_only_is_refused(make):
    with pytest.raises(ValueError, match=r"y needs samples of at least 2 classes.*got 1 class"):
        make().fit(X, np.zeros(30))


def test_nan_in_y_and_bad_hyper_parameters_are_named():
    y = Y.astype(float)
    y[0] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        classic.LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="C must be > 0"):
        classic.LogisticRegression(C=0).fit(X, Y)
    with pytest.raises(ValueError, match="kernel must be one of"):
        classic.SVC(kernel="cubic").fit(X, Y)
    with pytest.raises(ValueError, match="n_neighbors=50 is larger than the 30 training samples"):
        classic.KNeighborsClassifier(n_neighbors=50).fit(X, Y)
    with pytest.raises(ValueError, match="min_bucket_size"):
        classic.OneR(min_bucket_size=0).fit(X, Y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        classic.MLPClassifier(hidden_layer_sizes=(0,)).fit(X, Y)


def test_estimator_interface():
    model = classic.LogisticRegression(C=0.5)
    assert model.get_params()["C"] == 0.5 and repr(model) == "LogisticRegression(C=0.5)"
    assert model.set_params(C=2.0).C == 2.0
    with pytest.raises(ValueError, match="invalid parameter 'lr'"):
        model.set_params(lr=0.1)


def test_standard_scaler():
    data = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = classic.StandardScaler().fit(data)
    np.testing.assert_allclose(scaler.mean_, [3.0, 5.0])
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(8 / 3), 1.0])   # a constant column is left unscaled
    z = scaler.transform(data)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(z), data)


def test_train_test_split_sizes_alignment_and_stratify():
    a, b = np.arange(40), np.arange(40) * 10
    a_train, a_test, b_train, b_test = classic.train_test_split(a, b, test_size=0.25, random_state=0)
    assert len(a_train) == 30 and len(a_test) == 10
    np.testing.assert_array_equal(b_train, a_train * 10)
    assert sorted(np.concatenate([a_train, a_test]).tolist()) == list(range(40))
    again = classic.train_test_split(a, test_size=0.25, random_state=0)
    np.testing.assert_array_equal(again[1], a_test)
    labels = np.array([0] * 30 + [1] * 10)
    _, y_test = classic.train_test_split(a, labels, test_size=0.5, stratify=labels, random_state=1)[2:]
    assert (y_test == 1).sum() == 5 and len(y_test) == 20
    with pytest.raises(ValueError, match="test_size"):
        classic.train_test_split(a, test_size=1.5)
    with pytest.raises(ValueError, match="array 1 has 39"):
        classic.train_test_split(a, b[:39])


def test_accuracy_and_confusion_matrix_match_sklearn():
    from tests.oracles import sklearn
    metrics = sklearn().metrics
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    assert classic.accuracy_score(y_true, y_pred) == metrics.accuracy_score(y_true, y_pred)
    assert classic.accuracy_score(y_true, y_pred, normalize=False) == metrics.accuracy_score(y_true, y_pred, normalize=False)
    np.testing.assert_array_equal(classic.confusion_matrix(y_true, y_pred), metrics.confusion_matrix(y_true, y_pred))
    np.testing.assert_array_equal(classic.confusion_matrix(y_true, y_pred, labels=[3, 1]),
                                  metrics.confusion_matrix(y_true, y_pred, labels=[3, 1]))
    for normalize in ("true", "pred", "all"):
        np.testing.assert_allclose(classic.confusion_matrix(y_true, y_pred, normalize=normalize),
                                   metrics.confusion_matrix(y_true, y_pred, normalize=normalize))
    with pytest.raises(ValueError, match="same length"):
        classic.accuracy_score(y_true, y_pred[:3])
