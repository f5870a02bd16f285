"""Mixed precision: autocast routes ops to float16/float32 with float32 master weights, and
GradScaler follows torch.amp.GradScaler step for step."""
import numpy as np
import pytest

import minidl
from minidl import nn


def _small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 5))


def test_autocast_computes_convs_and_linears_in_float16_and_keeps_float32_masters():
    minidl.manual_seed(0)
    model = _small_cnn()
    x, y = minidl.randn(6, 1, 8, 8), minidl.tensor([0, 1, 2, 3, 4, 0])
    with minidl.inspect.capture(model, ["0", "1", "5"]) as seen:
        with minidl.amp.autocast():
            assert minidl.amp.is_autocast_enabled()
            logits = model(x)
            loss = nn.functional.cross_entropy(logits, y)
    assert not minidl.amp.is_autocast_enabled()
    assert seen.activations["0"].dtype == minidl.float16      # conv: low precision
    assert seen.activations["1"].dtype == minidl.float32      # batch norm: full precision
    assert logits.dtype == minidl.float16 and loss.dtype == minidl.float32
    loss.backward()
    assert all(p.dtype == minidl.float32 and p.grad.dtype == minidl.float32 for p in model.parameters())
    # The float16 result is the float32 one to float16 accuracy.
    with minidl.no_grad():
        reference = model(x).numpy()
    np.testing.assert_allclose(logits.detach().numpy().astype(np.float32), reference, rtol=2e-2, atol=2e-2)


def test_autocast_can_be_disabled_and_refuses_bfloat16():
    x = minidl.randn(2, 3)
    with minidl.amp.autocast(enabled=False):
        assert (x @ minidl.randn(3, 2)).dtype == minidl.float32
    with pytest.raises(ValueError, match="autocast: dtype must be minidl.float16"):
        minidl.amp.autocast(dtype=minidl.float64)


def _grad_sequence():
    """Gradients for 8 steps; steps 2 and 5 overflow (inf, NaN)."""
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 2)) for _ in range(8)]
    grads[2][0, 0] = np.inf
    grads[5][1, 1] = np.nan
    return grads


def test_grad_scaler_matches_torch():
    torch = pytest.importorskip("torch")
    init = np.random.default_rng(1).normal(size=(3, 2))
    ours_param = minidl.tensor(init.copy(), requires_grad=True)
    theirs_param = torch.tensor(init.copy(), requires_grad=True)
    ours_opt = minidl.optim.SGD([ours_param], lr=0.1, momentum=0.9)
    theirs_opt = torch.optim.SGD([theirs_param], lr=0.1, momentum=0.9)
    kwargs = dict(init_scale=1024.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=2)
    ours, theirs = minidl.amp.GradScaler(**kwargs), torch.amp.GradScaler("cpu", **kwargs)
    for step, grad in enumerate(_grad_sequence()):
        ours.scale(minidl.tensor(1.0))
        theirs.scale(torch.tensor(1.0))  # torch's scaler initialises itself here
        # the gradient backward would have produced from the scaled loss: grad × scale
        ours_param.grad = minidl.tensor(grad * ours.get_scale())
        theirs_param.grad = torch.tensor(grad * theirs.get_scale())
        if step == 3:  # unscale_ first (e.g. to clip), then step
            ours.unscale_(ours_opt)
            theirs.unscale_(theirs_opt)
            np.testing.assert_allclose(ours_param.grad.numpy(), theirs_param.grad.numpy())
        ours.step(ours_opt)
        theirs.step(theirs_opt)
        ours.update()
        theirs.update()
        assert ours.get_scale() == theirs.get_scale(), step
        np.testing.assert_allclose(ours_param.detach().numpy(), theirs_param.detach().numpy(), rtol=1e-12)
    assert ours.state_dict()["scale"] == theirs.state_dict()["scale"]
    assert ours.state_dict()["_growth_tracker"] == theirs.state_dict()["_growth_tracker"]


def test_grad_scaler_skips_the_step_on_overflow_and_backs_off():
    param = minidl.tensor([1.0, 2.0], requires_grad=True)
    optimizer = minidl.optim.SGD([param], lr=1.0)
    scaler = minidl.amp.GradScaler(init_scale=8.0)
    param.grad = minidl.tensor([np.inf, 1.0])
    assert scaler.step(optimizer) is None
    scaler.update()
    assert param.detach().numpy().tolist() == [1.0, 2.0] and scaler.get_scale() == 4.0
    scaler.unscale_(optimizer)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(optimizer)
    restored = minidl.amp.GradScaler()
    restored.load_state_dict(scaler.state_dict())
    assert restored.get_scale() == 4.0


def test_mixed_precision_training_learns_like_float32():
    """A few steps of the documented loop: the loss falls as it does in float32."""
    losses = {}
    for mixed in (False, True):
        minidl.manual_seed(0)
        model = _small_cnn()
        optimizer = minidl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scaler = minidl.amp.GradScaler(enabled=mixed)
        x = minidl.randn(32, 1, 8, 8)
        y = (x.sum((1, 2, 3)) > 0).long() + 2 * (x[:, 0, :4].sum((1, 2)) > 0).long()  # 4 learnable classes
        history = []
        for _ in range(30):
            optimizer.zero_grad()
            with minidl.amp.autocast(enabled=mixed):
                loss = nn.functional.cross_entropy(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            history.append(loss.item())
        losses[mixed] = history
    assert losses[True][-1] < 0.5 * losses[True][0]
    assert abs(losses[True][-1] - losses[False][-1]) < 0.1 + 0.2 * losses[False][-1]
