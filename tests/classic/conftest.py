"""Small data sets for the classic estimators: scikit-learn's bundled ones (subsampled so the
default run stays fast) and synthetic ones; every test that uses them skips without sklearn."""
import pytest

from tests.oracles import sklearn


def _split(X, y):
    """Even rows to train, odd rows to test: deterministic, and both halves see every class."""
    return X[::2], y[::2], X[1::2], y[1::2]


@pytest.fixture(scope="session")
def datasets():
    sklearn()
    from sklearn import datasets as sk
    from sklearn.preprocessing import StandardScaler as SkScaler

    out = {}
    for name, loader in (("iris", sk.load_iris), ("wine", sk.load_wine), ("breast_cancer", sk.load_breast_cancer)):
        X, y = loader(return_X_y=True)
        out[name] = _split(SkScaler().fit_transform(X), y)
    X, y = sk.load_digits(return_X_y=True)
    out["digits"] = _split(X[:600], y[:600])         # raw counts 0..16: what multinomial NB expects
    X, y = sk.make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)
    out["blobs"] = _split(X, y)
    return out


@pytest.fixture(scope="session")
def convex_binary():
    """A small, well-conditioned binary problem: its L2-regularised losses are strictly convex,
    so every exact optimiser reaches the same coefficients."""
    sklearn()
    from sklearn.datasets import make_classification
    return make_classification(200, 5, n_informative=3, random_state=0)
