"""Optimizers and schedulers: 50-step trajectories equal to PyTorch's (float64), state_dict round trips."""
import numpy as np
import pytest

import minidl
from minidl import optim
from minidl.optim import lr_scheduler as S

torch = pytest.importorskip("torch")
TS = torch.optim.lr_scheduler

OPTIMIZERS = {
    "SGD": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "SGD_momentum_wd": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2),
                        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2)),
    "SGD_nesterov": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
                     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    "SGD_dampening": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3),
                      lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3)),
    "Adam": (lambda p: optim.Adam(p, lr=0.01, weight_decay=1e-2), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-2)),
    "Adam_amsgrad": (lambda p: optim.Adam(p, lr=0.01, amsgrad=True), lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True)),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "RMSprop_centered": (lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
                         lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
                lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    "Adadelta": (lambda p: optim.Adadelta(p, lr=1.0, weight_decay=0.01), lambda p: torch.optim.Adadelta(p, lr=1.0, weight_decay=0.01)),
    "Adamax": (lambda p: optim.Adamax(p, lr=0.01, weight_decay=0.01), lambda p: torch.optim.Adamax(p, lr=0.01, weight_decay=0.01)),
    "NAdam": (lambda p: optim.NAdam(p, lr=0.01, weight_decay=0.01), lambda p: torch.optim.NAdam(p, lr=0.01, weight_decay=0.01)),
    "NAdam_decoupled": (lambda p: optim.NAdam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
                        lambda p: torch.optim.NAdam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    "RAdam": (lambda p: optim.RAdam(p, lr=0.01, weight_decay=0.01), lambda p: torch.optim.RAdam(p, lr=0.01, weight_decay=0.01)),
    "Rprop": (lambda p: optim.Rprop(p, lr=0.01), lambda p: torch.optim.Rprop(p, lr=0.01)),
    "ASGD": (lambda p: optim.ASGD(p, lr=0.05, t0=10, weight_decay=0.01), lambda p: torch.optim.ASGD(p, lr=0.05, t0=10, weight_decay=0.01)),
}

SCHEDULERS = {
    "none": (None, None),
    "CosineAnnealingLR": (lambda o: S.CosineAnnealingLR(o, 20, eta_min=1e-3), lambda o: TS.CosineAnnealingLR(o, 20, eta_min=1e-3)),
    "StepLR": (lambda o: S.StepLR(o, 7, 0.5), lambda o: TS.StepLR(o, 7, 0.5)),
    "MultiStepLR": (lambda o: S.MultiStepLR(o, [5, 10, 10], 0.5), lambda o: TS.MultiStepLR(o, [5, 10, 10], 0.5)),
    "ExponentialLR": (lambda o: S.ExponentialLR(o, 0.95), lambda o: TS.ExponentialLR(o, 0.95)),
    "LinearLR": (lambda o: S.LinearLR(o, 0.2, 1.0, 10), lambda o: TS.LinearLR(o, 0.2, 1.0, 10)),
    "LambdaLR": (lambda o: S.LambdaLR(o, lambda e: 0.9 ** e), lambda o: TS.LambdaLR(o, lambda e: 0.9 ** e)),
    "OneCycleLR": (lambda o: S.OneCycleLR(o, [0.1, 0.05], total_steps=50), lambda o: TS.OneCycleLR(o, [0.1, 0.05], total_steps=50)),
    "SequentialLR": (
        lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 45)], [5]),
        lambda o: TS.SequentialLR(o, [TS.LinearLR(o, 0.1, total_iters=5), TS.CosineAnnealingLR(o, 45)], [5]),
    ),
}


def _trajectories(make_opt, make_sched, steps=50):
    """Train a tiny tanh regression with both engines from the same start; return max |Δθ|."""
    rng = np.random.default_rng(0)
    w0, b0 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    w, b = minidl.nn.Parameter(minidl.tensor(w0)), minidl.nn.Parameter(minidl.tensor(b0))
    tw, tb = torch.nn.Parameter(torch.tensor(w0)), torch.nn.Parameter(torch.tensor(b0))
    ours = make_opt[0]([{"params": [w]}, {"params": [b], "lr": 0.05}])
    theirs = make_opt[1]([{"params": [tw]}, {"params": [tb], "lr": 0.05}])
    our_sched = make_sched[0](ours) if make_sched[0] else None
    their_sched = make_sched[1](theirs) if make_sched[1] else None
    for _ in range(steps):
        x = rng.standard_normal((5, 3))
        loss = ((minidl.tensor(x) @ w + b).tanh() ** 2).sum()
        ours.zero_grad()
        loss.backward()
        ours.step()
        tloss = ((torch.tensor(x) @ tw + tb).tanh() ** 2).sum()
        theirs.zero_grad()
        tloss.backward()
        theirs.step()
        if our_sched:
            our_sched.step()
            their_sched.step()
            assert np.allclose(our_sched.get_last_lr(), their_sched.get_last_lr(), rtol=1e-12, atol=0)
    return max(np.abs(w.detach().numpy() - tw.detach().numpy()).max(), np.abs(b.detach().numpy() - tb.detach().numpy()).max())


# OneCycleLR cycles momentum, which Adagrad, Adadelta, Rprop and ASGD do not have (both engines refuse those pairs).
NO_MOMENTUM = ("Adagrad", "Adadelta", "Rprop", "ASGD")
PAIRS = [(o, s) for o in sorted(OPTIMIZERS) for s in sorted(SCHEDULERS) if not (s == "OneCycleLR" and o in NO_MOMENTUM)]


@pytest.mark.parametrize("opt_name,sched_name", PAIRS)
def test_trajectory_matches_torch(opt_name, sched_name):
    assert _trajectories(OPTIMIZERS[opt_name], SCHEDULERS[sched_name]) < 1e-10


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(opt_name, tmp_path):
    make = OPTIMIZERS[opt_name][0]

    def run(split_at=None):
        minidl.manual_seed(0)
        model = minidl.nn.Linear(3, 2, dtype=minidl.float64)
        opt = make(model.parameters())
        rng = np.random.default_rng(0)
        for step in range(10):
            if step == split_at:
                minidl.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.npz")
                checkpoint = minidl.load(tmp_path / "ck.npz")
                model = minidl.nn.Linear(3, 2, dtype=minidl.float64)
                model.load_state_dict(checkpoint["model"])
                opt = make(model.parameters())
                opt.load_state_dict(checkpoint["opt"])
            x = minidl.tensor(rng.standard_normal((4, 3)))
            opt.zero_grad()
            (model(x) ** 2).sum().backward()
            opt.step()
        return model.weight.detach().numpy()

    np.testing.assert_array_equal(run(), run(split_at=5))


def test_one_cycle_needs_momentum():
    with pytest.raises(ValueError, match="cycle_momentum needs an optimizer with momentum"):
        S.OneCycleLR(optim.Adagrad([minidl.nn.Parameter(minidl.zeros(1))]), 0.1, total_steps=10)


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([minidl.nn.Parameter(minidl.zeros(1))], lr=0.1, nesterov=True)
    p = minidl.nn.Parameter(minidl.zeros(1))
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_zero_grad_set_to_none_false_keeps_zeros():
    p = minidl.nn.Parameter(minidl.ones(2))
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None
