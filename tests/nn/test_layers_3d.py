"""Conv3d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, BatchNorm3d and BatchNorm1d as layers: the
same outputs, input and parameter gradients and running statistics as PyTorch's, option by option."""
import numpy as np
import pytest

import minidl

torch = pytest.importorskip("torch")


def _copy_parameters(ours, theirs):
    with torch.no_grad():
        for name, p in ours.named_parameters():
            getattr(theirs, name).copy_(torch.tensor(p.detach().numpy()))


def _run_both(ours, theirs, x, upstream_seed=1):
    """Forward on x, backward of Σ u·y with the same random u; the outputs and the tensors."""
    xo, xt = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    if isinstance(yo, tuple):
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())  # indices
        yo, yt = yo[0], yt[0]
    assert tuple(yo.shape) == tuple(yt.shape)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    u = np.random.default_rng(upstream_seed).standard_normal(tuple(yt.shape))
    yo.backward(minidl.tensor(u))
    yt.backward(torch.tensor(u))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p) in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-11,
                                   err_msg=name)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(stride=2, padding=1, bias=False),
    dict(stride=(1, 2, 1), padding=(1, 0, 2), dilation=(2, 1, 1), groups=2),
    dict(padding="same", dilation=(1, 2, 1)),
    dict(padding="valid"),
    dict(padding=1, padding_mode="reflect"),
    dict(padding=(1, 2, 1), padding_mode="replicate", stride=2),
    dict(padding="same", padding_mode="circular"),
])
def test_conv3d_matches_pytorch(kwargs):
    minidl.manual_seed(0)
    ours = minidl.nn.Conv3d(4, 6, (2, 3, 2), dtype=minidl.float64, **kwargs)
    theirs = torch.nn.Conv3d(4, 6, (2, 3, 2), dtype=torch.float64, **kwargs)
    _copy_parameters(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 6, 5))
    _run_both(ours, theirs, x)
    assert ours(minidl.tensor(x[0])).shape == tuple(theirs(torch.tensor(x[0])).shape)  # unbatched (C, D, H, W)
    assert ours.weight.shape == tuple(theirs.weight.shape)


def test_conv3d_checks_and_default_init():
    minidl.manual_seed(0)
    layer = minidl.nn.Conv3d(3, 8, 3)
    bound = 1 / np.sqrt(3 * 27)  # PyTorch's default: U(−1/√fan_in, 1/√fan_in) for the bias
    assert layer.weight.shape == (8, 3, 3, 3, 3) and np.abs(layer.bias.detach().numpy()).max() <= bound
    assert "Conv3d(3, 8, kernel_size=(3, 3, 3), stride=(1, 1, 1))" == repr(layer)
    with pytest.raises(RuntimeError, match="Conv3d: expected input with 3 channels, got 2"):
        layer(minidl.zeros(1, 2, 4, 4, 4))
    with pytest.raises(ValueError, match="Conv3d: padding_mode must be"):
        minidl.nn.Conv3d(3, 8, 3, padding_mode="mirror")


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1, return_indices=True),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(2, 1, 1), ceil_mode=True,
         return_indices=True),
])
def test_max_pool3d_layer_matches_pytorch(kwargs):
    x = np.random.default_rng(0).permutation(2 * 3 * 6 * 7 * 5).reshape(2, 3, 6, 7, 5).astype(np.float64)
    _run_both(minidl.nn.MaxPool3d(**kwargs), torch.nn.MaxPool3d(**kwargs), x)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=(2, 3, 1), stride=(2, 1, 2), divisor_override=4),
])
def test_avg_pool3d_layer_matches_pytorch(kwargs):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 7, 5))
    _run_both(minidl.nn.AvgPool3d(**kwargs), torch.nn.AvgPool3d(**kwargs), x)


@pytest.mark.parametrize("output_size", [1, (3, 2, 4), (None, 3, 2)])
def test_adaptive_avg_pool3d_layer_matches_pytorch(output_size):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 7, 5))
    _run_both(minidl.nn.AdaptiveAvgPool3d(output_size), torch.nn.AdaptiveAvgPool3d(output_size), x)


@pytest.mark.parametrize("layer,shape", [
    ("BatchNorm3d", (4, 3, 2, 5, 3)), ("BatchNorm1d", (4, 3, 7)), ("BatchNorm1d", (6, 3)), ("BatchNorm2d", (4, 3, 5, 3)),
])
@pytest.mark.parametrize("kwargs", [dict(), dict(affine=False, momentum=None), dict(track_running_stats=False)])
def test_batch_norm_layers_match_pytorch(layer, shape, kwargs):
    """Training steps (outputs, gradients, running statistics, num_batches_tracked), then eval."""
    ours = getattr(minidl.nn, layer)(3, dtype=minidl.float64, **kwargs)
    theirs = getattr(torch.nn, layer)(3, dtype=torch.float64, **kwargs)
    if ours.weight is not None:
        rng = np.random.default_rng(2)
        ours.weight.array[...], ours.bias.array[...] = rng.standard_normal(3), rng.standard_normal(3)
        _copy_parameters(ours, theirs)
    for step in range(2):
        x = np.random.default_rng(step).standard_normal(shape) * 2 + 1
        _run_both(ours, theirs, x, upstream_seed=step)
        for p in ours.parameters():
            p.grad = None
        theirs.zero_grad()
    for name, buffer in ours.named_buffers():
        np.testing.assert_allclose(np.asarray(buffer.numpy()), getattr(theirs, name).numpy(), rtol=1e-12, err_msg=name)
    ours.eval(), theirs.eval()
    _run_both(ours, theirs, np.random.default_rng(9).standard_normal(shape))


def test_batch_norm_checks_the_rank():
    with pytest.raises(RuntimeError, match="BatchNorm3d: expected a 5-D input"):
        minidl.nn.BatchNorm3d(3)(minidl.zeros(2, 3, 4, 4))
    with pytest.raises(RuntimeError, match="BatchNorm1d: expected a 2-D or 3-D input"):
        minidl.nn.BatchNorm1d(3)(minidl.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        minidl.nn.BatchNorm1d(3)(minidl.zeros(1, 3))
