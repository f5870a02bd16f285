"""``add_scaled_``: the blocked in-place ``target += alpha · x`` the optimizers use for big parameters."""
import numpy as np
import pytest

from minidl.optim import optimizer
from minidl.optim.optimizer import add_scaled_


@pytest.mark.parametrize("shape", [(12,), (3, 4), (7, 5, 3)])
@pytest.mark.parametrize("block", [1, 5, 2**20])
def test_add_scaled_equals_the_plain_expression(shape, block, monkeypatch):
    monkeypatch.setattr(optimizer, "_BLOCK", block)  # several blocks, and a partial last one
    rng = np.random.default_rng(0)
    target, x = rng.standard_normal(shape), rng.standard_normal(shape)
    expected = target + (-0.3) * x
    same_array = target
    add_scaled_(target, -0.3, x)
    assert target is same_array  # in place
    np.testing.assert_array_equal(target, expected)


def test_add_scaled_non_contiguous_target_is_updated_in_place(monkeypatch):
    monkeypatch.setattr(optimizer, "_BLOCK", 2)
    base = np.zeros((4, 6))
    target = base[:, ::2]  # a strided view: flattening it would copy, so the plain path is taken
    add_scaled_(target, 2.0, np.ones((4, 3)))
    np.testing.assert_array_equal(base[:, ::2], 2.0)
    np.testing.assert_array_equal(base[:, 1::2], 0.0)


@pytest.mark.parametrize("name", ["SGD", "SGD_momentum_wd", "SGD_nesterov", "SGD_dampening"])
def test_sgd_trajectory_through_the_blocked_update_matches_torch(name, monkeypatch):
    pytest.importorskip("torch")
    from tests.optim.test_optimizers import OPTIMIZERS, SCHEDULERS, _trajectories

    monkeypatch.setattr(optimizer, "_BLOCK", 5)  # the 3×4 weight now goes through blocks 5, 5, 2
    assert _trajectories(OPTIMIZERS[name], SCHEDULERS["none"]) < 1e-10
