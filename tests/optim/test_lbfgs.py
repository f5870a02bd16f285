"""optim.LBFGS: the same iterates, losses and evaluation counts as torch.optim.LBFGS from the same
start, with and without the strong Wolfe line search; the exact minimiser of a quadratic; errors."""
import numpy as np
import pytest

import minidl
from minidl import optim

torch = pytest.importorskip("torch")

START = {"rosenbrock": np.array([-1.2, 1.0, -0.5, 0.8]), "quadratic": np.zeros(6)}
_A = np.random.default_rng(0).standard_normal((6, 6))
Q, B = _A @ _A.T + 0.5 * np.eye(6), np.random.default_rng(1).standard_normal(6)  # Q symmetric positive definite


def rosenbrock(x, lib):
    return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()


def quadratic(x, lib):
    """½ xᵀQx − bᵀx, strictly convex, minimised at x = Q⁻¹b."""
    return 0.5 * (x * (lib.tensor(Q) @ x)).sum() - (lib.tensor(B) * x).sum()


def _closure(optimizer, loss_fn, x, lib):
    def closure():
        optimizer.zero_grad()
        loss = loss_fn(x, lib)
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize("loss_fn", [quadratic, rosenbrock])
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("kwargs", [{}, dict(lr=0.5, max_iter=7, history_size=3)])
def test_iterates_match_pytorch(loss_fn, line_search_fn, kwargs):
    start = START[loss_fn.__name__]
    ours_x, theirs_x = minidl.nn.Parameter(minidl.tensor(start.copy())), torch.nn.Parameter(torch.tensor(start.copy()))
    ours = optim.LBFGS([ours_x], line_search_fn=line_search_fn, **kwargs)
    theirs = torch.optim.LBFGS([theirs_x], line_search_fn=line_search_fn, **kwargs)
    for _ in range(4):
        our_loss = ours.step(_closure(ours, loss_fn, ours_x, minidl))
        their_loss = theirs.step(_closure(theirs, loss_fn, theirs_x, torch))
        # fixed steps on Rosenbrock overshoot (the loss climbs to ~14 and back), amplifying rounding: 1e-6 relative
        np.testing.assert_allclose(float(our_loss), float(their_loss.detach()), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(ours_x.detach().numpy(), theirs_x.detach().numpy(), rtol=1e-6, atol=1e-6)
    our_state, their_state = ours.state[ours_x], theirs.state[theirs_x]
    assert set(our_state) == set(their_state)
    assert (our_state["func_evals"], our_state["n_iter"]) == (their_state["func_evals"], their_state["n_iter"])
    assert len(our_state["old_dirs"]) == len(their_state["old_dirs"])


def test_strong_wolfe_finds_the_minimum_of_a_quadratic():
    """Not only PyTorch's numbers: on ½xᵀQx − bᵀx one step reaches Q⁻¹b (with tolerances tight
    enough that it does not stop where the loss changes by less than 1e-9)."""
    x = minidl.nn.Parameter(minidl.zeros(6, dtype=minidl.float64))
    optimizer = optim.LBFGS([x], max_iter=50, tolerance_change=1e-14, line_search_fn="strong_wolfe")
    first = optimizer.step(_closure(optimizer, quadratic, x, minidl))
    assert float(first) == 0.0  # step returns the loss at the start
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(Q, B), atol=1e-6)


def test_several_parameters_and_one_without_gradient():
    rng = np.random.default_rng(3)
    inputs, targets = rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    w0, b0, unused0 = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(4)
    results = []
    for lib in (minidl, torch):
        w, b, unused = (lib.nn.Parameter(lib.tensor(a.copy())) for a in (w0, b0, unused0))
        optimizer = (optim if lib is minidl else torch.optim).LBFGS([w, b, unused], lr=0.8, line_search_fn="strong_wolfe")
        data, wanted = lib.tensor(inputs), lib.tensor(targets)

        def closure():
            optimizer.zero_grad()
            loss = (((data @ w + b) - wanted) ** 2).mean() + (w * w).sum() * 0.01
            loss.backward()
            return loss

        losses = [float(optimizer.step(closure).detach()) for _ in range(3)]
        results.append((losses, w.detach().numpy(), b.detach().numpy(), unused.detach().numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-10)


def test_state_dict_round_trip_continues_the_same_run():
    def run(steps, optimizer, x):
        for _ in range(steps):
            optimizer.step(_closure(optimizer, rosenbrock, x, minidl))

    x = minidl.nn.Parameter(minidl.tensor(START["rosenbrock"].copy()))
    optimizer = optim.LBFGS([x], max_iter=5, line_search_fn="strong_wolfe")
    run(2, optimizer, x)
    saved, saved_x = optimizer.state_dict(), x.detach().numpy().copy()
    run(2, optimizer, x)
    y = minidl.nn.Parameter(minidl.tensor(saved_x))
    restored = optim.LBFGS([y], max_iter=5, line_search_fn="strong_wolfe")
    restored.load_state_dict(saved)
    run(2, restored, y)
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy())


def test_errors_are_clear():
    x = minidl.nn.Parameter(minidl.zeros(3))
    optimizer = optim.LBFGS([x])
    with pytest.raises(TypeError, match="LBFGS.step: needs a closure"):
        optimizer.step()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [x]}, {"params": [minidl.nn.Parameter(minidl.zeros(2))], "lr": 0.1}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS([x], line_search_fn="armijo")
    assert optimizer.param_groups[0]["max_eval"] == 25  # max_iter · 5/4, as in PyTorch
