"""minidl.forbid_host_transfers: a training step makes no implicit device→host copy.

On the CPU nothing is ever on a device, so these tests make every array *count* as device data
(the ``_counts_as_device_data`` seam): then any item(), float(), if-tensor, tolist() or copy to
the CPU inside minidl would raise — exactly what would stall a GPU.  On a GPU the same step runs
for real (the cuda variant)."""
import numpy as np
import pytest

import minidl
from minidl import backend, nn


@pytest.fixture
def everything_on_device(monkeypatch):
    monkeypatch.setattr(backend, "_counts_as_device_data", lambda array: isinstance(array, np.ndarray) or backend.is_cupy_array(array))


def _step(model, optimizer, scheduler, images, labels):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 10.0)
    optimizer.step()
    scheduler.step()
    return loss


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_a_training_step_stays_on_the_device(everything_on_device, optimizer_name, device):
    minidl.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).to(device)
    kwargs = {"lr": 0.01} | ({"momentum": 0.9, "nesterov": True, "weight_decay": 1e-4} if optimizer_name == "SGD" else {})
    optimizer = getattr(minidl.optim, optimizer_name)(model.parameters(), **kwargs)
    scheduler = minidl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    images, labels = minidl.randn(8, 1, 8, 8, device=device), minidl.tensor([0, 1, 2, 3, 4, 5, 6, 7], device=device)
    with minidl.forbid_host_transfers():
        for _ in range(2):
            loss = _step(model, optimizer, scheduler, images, labels)
    assert np.isfinite(float(loss))  # reading the loss after the block is fine


def test_implicit_copies_raise_and_say_what_asked(everything_on_device):
    t = minidl.tensor([1.5])
    with minidl.forbid_host_transfers():
        for read in (lambda: t.item(), lambda: float(t), lambda: bool(t), lambda: t.tolist(), lambda: np.asarray(t)):
            with pytest.raises(minidl.HostTransferError, match="to the host inside minidl.forbid_host_transfers"):
                read()
    assert t.item() == 1.5  # allowed again outside the block


def test_the_switch_is_off_by_default_and_restored():
    t = minidl.tensor([2.0])
    with minidl.forbid_host_transfers():
        assert t.item() == 2.0  # CPU data is not a device transfer
    assert not backend._host_transfers["forbidden"]
