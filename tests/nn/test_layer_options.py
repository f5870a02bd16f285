"""Layer options PyTorch scripts use: Conv2d padding_mode, ConvTranspose2d output_size,
adaptive_max_pool2d indices, instance_norm/InstanceNorm2d, rms_norm/RMSNorm — against PyTorch."""
import numpy as np
import pytest

import minidl
import minidl.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_padding_modes(mode, padding):
    minidl.manual_seed(0)
    ours = minidl.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode, dtype=minidl.float64)
    theirs = torch.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode, dtype=torch.float64)
    theirs.weight.data, theirs.bias.data = (torch.tensor(p.detach().numpy()) for p in (ours.weight, ours.bias))
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5))
    xo, xt = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    yo.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_transpose_output_size():
    ours, theirs = minidl.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = np.zeros((1, 2, 4, 4), dtype=np.float32)
    for size in [(7, 7), (8, 8), (7, 8), [1, 3, 8, 7]]:
        assert ours(minidl.tensor(x), output_size=size).shape == tuple(theirs(torch.tensor(x), output_size=size).shape)
    with pytest.raises(ValueError, match="valid sizes range from 7 to 8"):
        ours(minidl.tensor(x), output_size=(10, 8))


@pytest.mark.parametrize("output_size", [(2, 3), (3, 3), 1, (4, 2), (7, 6)])
def test_adaptive_max_pool_indices(output_size):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    y, index = F.adaptive_max_pool2d(minidl.tensor(x), output_size, return_indices=True)
    ty, tindex = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), output_size, return_indices=True)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(index.numpy(), tindex.numpy())
    module = minidl.nn.AdaptiveMaxPool2d(output_size, return_indices=True)
    assert len(module(minidl.tensor(x))) == 2


def test_instance_norm_and_rms_norm():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3, 5, 6)), rng.standard_normal(3), rng.standard_normal(3)
    running = [np.zeros(3), np.ones(3)]
    their_running = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    xo, xt = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo = F.instance_norm(xo, *running, minidl.tensor(w), minidl.tensor(b))
    yt = torch.nn.functional.instance_norm(xt, *their_running, torch.tensor(w), torch.tensor(b))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(running, their_running):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10)
    (yo * yo).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    layer = minidl.nn.InstanceNorm2d(3)
    assert layer(minidl.tensor(x)).shape == x.shape and layer.weight is None
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(minidl.zeros(2, 3, 1, 1))
    scale = rng.standard_normal((5, 6))
    yo = F.rms_norm(minidl.tensor(x), (5, 6), minidl.tensor(scale))
    yt = torch.nn.functional.rms_norm(torch.tensor(x), (5, 6), torch.tensor(scale))
    np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-10)
    assert minidl.nn.RMSNorm(6)(minidl.tensor(x)).shape == x.shape
    with pytest.raises(RuntimeError, match="does not match the last dims"):
        F.rms_norm(minidl.tensor(x), (4,))


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(dilation=2, padding="same"), dict(groups=3)])
def test_conv1d_matches_pytorch(kwargs):
    minidl.manual_seed(0)
    ours = minidl.nn.Conv1d(3, 6, 3, dtype=minidl.float64, **kwargs)
    theirs = torch.nn.Conv1d(3, 6, 3, dtype=torch.float64, **kwargs)
    theirs.weight.data, theirs.bias.data = (torch.tensor(p.detach().numpy()) for p in (ours.weight, ours.bias))
    x = np.random.default_rng(0).standard_normal((2, 3, 11))
    xo, xt = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    (yo * yo).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ours(minidl.tensor(x[0])).shape == tuple(theirs(torch.tensor(x[0])).shape)  # unbatched (C, L)


def test_pool1d_and_max_unpool_match_pytorch():
    x = np.random.default_rng(0).permutation(2 * 3 * 12).reshape(2, 3, 12).astype(np.float64)
    y, index = F.max_pool1d(minidl.tensor(x), 3, stride=2, padding=1, return_indices=True)
    ty, tindex = torch.nn.functional.max_pool1d(torch.tensor(x), 3, stride=2, padding=1, return_indices=True)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(index.numpy(), tindex.numpy())
    np.testing.assert_allclose(F.avg_pool1d(minidl.tensor(x), 4, 2, 1).numpy(),
                               torch.nn.functional.avg_pool1d(torch.tensor(x), 4, 2, 1).numpy(), rtol=1e-12)
    image = np.random.default_rng(1).permutation(2 * 3 * 8 * 8).reshape(2, 3, 8, 8).astype(np.float64)
    pooled, where = F.max_pool2d(minidl.tensor(image), 2, return_indices=True)
    tpooled, twhere = torch.nn.functional.max_pool2d(torch.tensor(image), 2, return_indices=True)
    xo = minidl.tensor(pooled.numpy(), requires_grad=True)
    xt = torch.tensor(tpooled.numpy(), requires_grad=True)
    yo = minidl.nn.MaxUnpool2d(2)(xo, where)
    yt = torch.nn.functional.max_unpool2d(xt, twhere, 2)
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    upstream = np.random.default_rng(2).standard_normal(yt.shape)
    yo.backward(minidl.tensor(upstream))
    yt.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
    assert minidl.nn.MaxPool1d(2)(minidl.zeros(1, 2, 6)).shape == (1, 2, 3)
    assert minidl.nn.AvgPool1d(2)(minidl.zeros(2, 6)).shape == (2, 3)
