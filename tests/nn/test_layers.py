"""Every layer against PyTorch: same weights, same input → same output, input and weight gradients,
in float64 (rtol 1e-5) and float32 (rtol 1e-4); BatchNorm's running statistics after several steps."""
import numpy as np
import pytest

import minidl
from minidl import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

# name: (constructor args, input shape, input range)
LAYERS = {
    "Linear": ((5, 3), (4, 5)),
    "Linear_nobias": ((5, 3, False), (2, 4, 5)),
    "Conv2d": ((3, 4, 3), (2, 3, 7, 6)),
    "Conv2d_full": ((4, 6, (3, 2)), (2, 4, 8, 7), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, bias=False)),
    "Conv2d_depthwise": ((4, 4, 3), (2, 4, 6, 6), dict(padding=1, groups=4)),
    "Conv2d_same": ((3, 2, 4), (1, 3, 6, 5), dict(padding="same")),
    "ConvTranspose2d": ((4, 2, 3), (2, 4, 4, 5), dict(stride=2, padding=1, output_padding=1)),
    "MaxPool2d": ((3,), (2, 3, 7, 7), dict(stride=2, padding=1, ceil_mode=True)),
    "AvgPool2d": ((2,), (2, 3, 6, 6)),
    "AdaptiveAvgPool2d": (((3, 2),), (2, 3, 7, 6)),
    "AdaptiveMaxPool2d": ((1,), (2, 3, 5, 4)),
    "BatchNorm1d": ((3,), (6, 3)),
    "BatchNorm1d_3d": ((3,), (4, 3, 5)),
    "BatchNorm2d": ((3,), (4, 3, 3, 2), dict(momentum=0.2)),
    "LayerNorm": (((3, 4),), (2, 5, 3, 4)),
    "GroupNorm": ((2, 4), (2, 4, 3, 3)),
    "LocalResponseNorm": ((3,), (2, 5, 3, 3), dict(alpha=0.1, beta=0.75, k=2.0)),
    "Dropout": ((0.5,), (4, 5)),
    "Dropout2d": ((0.5,), (2, 3, 4, 4)),
    "ReLU": ((), (3, 4)),
    "LeakyReLU": ((0.2,), (3, 4)),
    "ELU": ((0.5,), (3, 4)),
    "GELU": ((), (3, 4)),
    "SiLU": ((), (3, 4)),
    "Hardswish": ((), (3, 4)),
    "Sigmoid": ((), (3, 4)),
    "Tanh": ((), (3, 4)),
    "Softmax": ((1,), (3, 4)),
    "LogSoftmax": ((1,), (3, 4)),
    "Identity": ((), (3, 4)),
    "Flatten": ((), (2, 3, 4)),
}


def _build(name):
    spec = LAYERS[name]
    args, shape = spec[0], spec[1]
    kwargs = spec[2] if len(spec) > 2 else {}
    cls = name.split("_")[0]
    if cls == "BatchNorm1d" or cls == "BatchNorm2d":
        pass
    return getattr(nn, cls)(*args, **kwargs), getattr(tnn, cls)(*args, **kwargs), shape


def _copy_weights(ours, theirs, dtype):
    theirs.to(dtype=torch.float64 if dtype == np.float64 else torch.float32)
    ours.to(dtype)
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def _compare(ours, theirs, shape, dtype, rtol, atol, steps=1):
    rng = np.random.default_rng(0)
    for _ in range(steps):
        x_np = rng.uniform(-2, 2, shape).astype(dtype)
        x = minidl.tensor(x_np, requires_grad=True)
        tx = torch.from_numpy(x_np.copy()).requires_grad_()
        y, ty = ours(x), theirs(tx)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol, err_msg="output")
        upstream = rng.standard_normal(ty.shape).astype(dtype)
        ours.zero_grad()
        theirs.zero_grad()
        y.backward(minidl.tensor(upstream))
        ty.backward(torch.from_numpy(upstream))
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol, err_msg="input gradient")
        their_params = dict(theirs.named_parameters())
        for key, param in ours.named_parameters():
            np.testing.assert_allclose(param.grad.numpy(), their_params[key].grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"gradient of {key}")
    their_buffers = dict(theirs.named_buffers())
    for key, buffer in ours.named_buffers():
        np.testing.assert_allclose(buffer.numpy(), their_buffers[key].numpy(), rtol=rtol, atol=atol, err_msg=f"buffer {key}")


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-5, 1e-10), (np.float32, 1e-4, 1e-5)], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_torch(name, dtype, rtol, atol):
    ours, theirs, shape = _build(name)
    _copy_weights(ours, theirs, dtype)
    if name.startswith("Dropout"):
        ours.eval()
        theirs.eval()  # random masks differ between engines; training mode is tested in test_dropout
    _compare(ours, theirs, shape, dtype, rtol, atol, steps=3)  # 3 steps: BatchNorm running stats accumulate
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, shape, dtype, rtol, atol)


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCEWithLogitsLoss"])
def test_loss_layers_match_torch(name):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 3))
    if name in ("CrossEntropyLoss", "NLLLoss"):
        target_np = np.array([0, 2, 1, 2])
        kwargs = dict(weight=None, ignore_index=1, reduction="sum")
        ours = getattr(nn, name)(**kwargs)
        theirs = getattr(tnn, name)(**kwargs)
    else:
        target_np = rng.uniform(0, 1, (4, 3))
        ours, theirs = getattr(nn, name)(), getattr(tnn, name)()
    x = minidl.tensor(logits, requires_grad=True)
    tx = torch.from_numpy(logits.copy()).requires_grad_()
    if name == "NLLLoss":
        loss, tloss = ours(x.log_softmax(1), minidl.tensor(target_np)), theirs(tx.log_softmax(1), torch.from_numpy(target_np))
    else:
        loss, tloss = ours(x, minidl.tensor(target_np)), theirs(tx, torch.from_numpy(target_np))
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layer", [
    lambda: nn.Linear(50, 20), lambda: nn.Conv2d(6, 8, 3), lambda: nn.Conv2d(8, 8, 3, groups=4), lambda: nn.ConvTranspose2d(6, 4, 3),
])
def test_default_init_is_uniform_in_one_over_sqrt_fan_in(layer):
    module = layer()
    weight = module.weight.detach().numpy()
    fan_in = int(np.prod(weight.shape[1:]))
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(weight).max() <= bound
    assert abs(weight.std() - bound / np.sqrt(3)) < 0.15 * bound  # the std of U(−a, a) is a/√3
    assert np.abs(module.bias.detach().numpy()).max() <= bound


def test_batchnorm_defaults_and_num_batches_tracked():
    bn = nn.BatchNorm2d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    bn(minidl.randn(4, 3, 2, 2))
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    bn(minidl.randn(4, 3, 2, 2))
    assert bn.num_batches_tracked.item() == 1


def test_conv2d_layer_error_names_channels():
    with pytest.raises(RuntimeError, match=r"Conv2d: expected input with 3 channels, got 1 \(input shape \(8, 1, 28, 28\)\)"):
        nn.Conv2d(3, 6, 5)(minidl.zeros(8, 1, 28, 28))


def test_linear_layer_error_names_features():
    with pytest.raises(RuntimeError, match=r"Linear: expected input with 400 features in the last dim, got shape \(8, 256\)"):
        nn.Linear(400, 120)(minidl.zeros(8, 256))
