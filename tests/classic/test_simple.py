"""ZeroR, OneR (against rules worked out by hand), naive Bayes, LDA, k-NN: deterministic
algorithms, so their predictions must equal scikit-learn's."""
import numpy as np
import pytest

from minidl import classic

# Quinlan's weather table (Witten, Frank & Hall, "Data Mining", table 1.3): numeric temperature
# and humidity, nominal outlook and windy, target "play".
WEATHER = np.array([
    ["sunny", 85, 85, False, "no"], ["sunny", 80, 90, True, "no"], ["overcast", 83, 86, False, "yes"],
    ["rainy", 70, 96, False, "yes"], ["rainy", 68, 80, False, "yes"], ["rainy", 65, 70, True, "no"],
    ["overcast", 64, 65, True, "yes"], ["sunny", 72, 95, False, "no"], ["sunny", 69, 70, False, "yes"],
    ["rainy", 75, 80, False, "yes"], ["sunny", 75, 70, True, "yes"], ["overcast", 72, 90, True, "yes"],
    ["overcast", 81, 75, False, "yes"], ["rainy", 71, 91, True, "no"]], dtype=object)
NAMES = ["outlook", "temperature", "humidity", "windy"]


def test_zeror_predicts_the_majority_with_class_frequencies():
    X, y = np.zeros((5, 2)), np.array([2, 1, 2, 0, 2])
    model = classic.ZeroR().fit(X, y)
    assert model.predict(np.ones((3, 2))).tolist() == [2, 2, 2]
    np.testing.assert_allclose(model.predict_proba(X[:1]), [[0.2, 0.2, 0.6]])
    assert model.score(X, y) == 0.6


def test_zeror_matches_dummy_classifier(datasets):
    from sklearn.dummy import DummyClassifier
    for X, y, X_test, _ in datasets.values():
        ours, theirs = classic.ZeroR().fit(X, y), DummyClassifier(strategy="prior").fit(X, y)
        np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
        np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test))


def test_oner_nominal_weather_rule_by_hand():
    """Errors per attribute, counted by hand from the table: outlook 4 (sunny→no 2/5, overcast→yes
    0/4, rainy→yes 2/5), windy 5 (false→yes 2/8, true→no 3/6); outlook is first of the lowest."""
    X = WEATHER[:, [0, 3]]
    model = classic.OneR().fit(X, WEATHER[:, 4], feature_names=["outlook", "windy"])
    assert model.errors_ == [4, 5]
    assert model.feature_ == 0
    assert model.rule_ == "outlook: sunny → no, overcast → yes, rainy → yes (4/14 errors)"
    assert model.predict(np.array([["overcast", True], ["sunny", False], ["snowy", True]], dtype=object)).tolist() == \
        ["yes", "no", "yes"]   # an unseen value gets the overall majority, "yes" (9 of 14)


def test_oner_numeric_temperature_buckets_by_hand():
    """Temperature sorted: 64y 65n 68y 69y 70y | 71n 72n 72y 75y 75y | 80n 81y 83y 85n.  With
    min_bucket_size=3 the first bucket closes after 70 (3 yes reached, next is a 'no'), the second
    after 75 (3 yes, next 'no'), the last holds the rest (2 no, 2 yes: the tie goes to 'no', the
    smaller label).  The first two merge (both 'yes'): cut at (75 + 80)/2 = 77.5, 1 + 2 + 2 = 5 errors."""
    X = WEATHER[:, [1]].astype(float)
    model = classic.OneR(min_bucket_size=3).fit(X, WEATHER[:, 4], feature_names=["temperature"])
    rule = model.rules_[0]
    assert rule["thresholds"] == [77.5] and [model.classes_[c] for c in rule["classes"]] == ["yes", "no"]
    assert model.errors_ == [5]
    assert model.rule_ == "temperature: < 77.5 → yes, >= 77.5 → no (5/14 errors)"
    assert model.predict(np.array([[60.0], [77.0], [78.0]])).tolist() == ["yes", "yes", "no"]


def test_oner_picks_the_best_of_mixed_columns():
    model = classic.OneR(min_bucket_size=3).fit(WEATHER[:, :4], WEATHER[:, 4], feature_names=NAMES)
    assert model.errors_[0] == 4 and model.errors_[1] == 5 and model.feature_ == int(np.argmin(model.errors_))
    assert model.score(WEATHER[:, :4], WEATHER[:, 4]) == 1 - min(model.errors_) / 14


@pytest.mark.parametrize("name", ["GaussianNB", "MultinomialNB", "BernoulliNB"])
def test_naive_bayes_matches_sklearn(datasets, name):
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    kwargs = {"BernoulliNB": {"binarize": 4.0}}.get(name, {})
    for data, (X, y, X_test, _) in datasets.items():
        if name != "GaussianNB" and data != "digits":
            X, X_test = X - X.min(), X_test - X.min()   # counts must be non-negative
            X_test = np.maximum(X_test, 0)
            kwargs_here = {"binarize": 0.0} if name == "BernoulliNB" else {}
        else:
            kwargs_here = kwargs
        ours = getattr(classic, name)(**kwargs_here).fit(X, y)
        theirs = getattr(naive_bayes, name)(**kwargs_here).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test), err_msg=data)
        np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-9, err_msg=data)


def test_naive_bayes_smoothing_and_priors():
    X = np.array([[2.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    y = np.array([0, 0, 1])
    model = classic.MultinomialNB(alpha=1.0).fit(X, y)
    # class 0 counts (5, 0) + 1 each → (6/7, 1/7); class 1 (0, 4) + 1 → (1/6, 5/6)
    np.testing.assert_allclose(np.exp(model.feature_log_prob_), [[6 / 7, 1 / 7], [1 / 6, 5 / 6]])
    np.testing.assert_allclose(np.exp(model.class_log_prior_), [2 / 3, 1 / 3])
    uniform = classic.MultinomialNB(fit_prior=False).fit(X, y)
    np.testing.assert_allclose(np.exp(uniform.class_log_prior_), [0.5, 0.5])
    with pytest.raises(ValueError, match="non-negative"):
        classic.MultinomialNB().fit(-X, y)


@pytest.mark.parametrize("kwargs", [{}, {"solver": "eigen"}, {"solver": "eigen", "shrinkage": "auto"},
                                    {"solver": "eigen", "shrinkage": 0.3}])
def test_lda_matches_sklearn(datasets, kwargs):
    discriminant = pytest.importorskip("sklearn.discriminant_analysis")
    for data, (X, y, X_test, _) in datasets.items():
        if data == "digits" and kwargs == {"solver": "eigen"}:
            continue  # constant pixels make the unshrunk covariance singular (sklearn fails too)
        ours = classic.LinearDiscriminantAnalysis(**kwargs).fit(X, y)
        theirs = discriminant.LinearDiscriminantAnalysis(**kwargs).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test), err_msg=data)
        np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-7, err_msg=data)
        # discriminant directions are defined up to sign; the leading two are well separated
        np.testing.assert_allclose(abs(ours.transform(X_test))[:, :2], abs(theirs.transform(X_test))[:, :2], atol=1e-6,
                                   err_msg=data)


def test_lda_transform_has_at_most_classes_minus_one_components(datasets):
    X, y, _, _ = datasets["wine"]
    assert classic.LinearDiscriminantAnalysis().fit(X, y).transform(X).shape == (len(X), 2)
    assert classic.LinearDiscriminantAnalysis(n_components=1).fit(X, y).transform(X).shape == (len(X), 1)
    with pytest.raises(ValueError, match="n_components"):
        classic.LinearDiscriminantAnalysis(n_components=3).fit(X, y)
    with pytest.raises(ValueError, match="shrinkage"):
        classic.LinearDiscriminantAnalysis(shrinkage="auto").fit(X, y)


@pytest.mark.parametrize("kwargs", [{}, {"weights": "distance"}, {"metric": "manhattan"}, {"p": 3},
                                    {"metric": "cosine", "n_neighbors": 3}, {"metric": "euclidean", "n_neighbors": 1}])
def test_knn_matches_sklearn(datasets, kwargs):
    neighbors = pytest.importorskip("sklearn.neighbors")
    for data, (X, y, X_test, _) in datasets.items():
        if data == "digits":
            continue  # integer pixels: many equal distances, whose order is unspecified in both
        ours = classic.KNeighborsClassifier(**kwargs).fit(X, y)
        theirs = neighbors.KNeighborsClassifier(algorithm="brute", **kwargs).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test), err_msg=data)
        np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-12)
        regressor = classic.KNeighborsRegressor(**kwargs).fit(X, y.astype(float))
        oracle = neighbors.KNeighborsRegressor(algorithm="brute", **kwargs).fit(X, y.astype(float))
        np.testing.assert_allclose(regressor.predict(X_test), oracle.predict(X_test), atol=1e-12)


def test_knn_distances_in_blocks_equal_the_direct_formula(monkeypatch):
    from minidl.classic import neighbors
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(7, 5)), rng.normal(size=(9, 5))
    direct = {"manhattan": np.abs(A[:, None] - B[None]).sum(-1),
              "minkowski": (np.abs(A[:, None] - B[None]) ** 3).sum(-1) ** (1 / 3),
              "euclidean": np.sqrt(((A[:, None] - B[None]) ** 2).sum(-1))}
    monkeypatch.setattr(neighbors, "_BLOCK_ELEMENTS", 7 * 9 * 2)   # two features per block
    for metric, expected in direct.items():
        np.testing.assert_allclose(classic.pairwise_distances(A, B, metric, p=3), expected, atol=1e-12)


def test_knn_query_equal_to_training_point_takes_its_label_with_distance_weights():
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0, 1, 1])
    model = classic.KNeighborsClassifier(n_neighbors=3, weights="distance").fit(X, y)
    assert model.predict(np.array([[0.0]])).tolist() == [0]
