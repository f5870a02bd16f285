"""A small CNN trained 50 steps with SGD(momentum, nesterov, weight decay) + CosineAnnealingLR,
from the same initial weights and data in float64, ends within 1e-6 of PyTorch's parameters."""
import numpy as np
import pytest

import minidl
from minidl import nn

torch = pytest.importorskip("torch")


def _ours():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Dropout(0.0), nn.Linear(8, 3),
    )


def _theirs():
    t = torch.nn
    return t.Sequential(
        t.Conv2d(1, 4, 3, padding=1), t.BatchNorm2d(4), t.ReLU(), t.MaxPool2d(2),
        t.Conv2d(4, 8, 3), t.ReLU(), t.AvgPool2d(2),
        t.Flatten(), t.Dropout(0.0), t.Linear(8, 3),
    )


def test_three_layer_cnn_trajectory_matches_pytorch():
    torch.manual_seed(0)
    theirs = _theirs().double()
    ours = _ours().to(minidl.float64)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    opt = minidl.optim.SGD(ours.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    topt = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = minidl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=50)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=50)
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.standard_normal((8, 1, 10, 10))
        y = rng.integers(0, 3, 8)
        loss = nn.functional.cross_entropy(ours(minidl.tensor(x)), minidl.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tloss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        tsched.step()
    their_state = theirs.state_dict()
    worst = max(np.abs(v.numpy() - their_state[k].numpy()).max() for k, v in ours.state_dict().items())
    assert worst < 1e-6, f"max abs parameter difference {worst}"
    assert abs(loss.item() - tloss.item()) < 1e-6
