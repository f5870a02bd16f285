"""EcaModule, SelectiveKernel and SplitAttn: float64 finite differences through input and
parameters, and forward, input- and parameter-gradients against timm's layers of the same names
(PyTorch has none of them) with copied weights, in train and eval mode."""
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import minidl
from minidl import nn
from tests.oracles import timm

# name: (minidl constructor, timm constructor taking timm.layers, input shape)
LAYERS = {
    "eca_channels": (lambda: nn.EcaModule(64), lambda L: L.EcaModule(64), (2, 64, 3, 3)),
    "eca_k5": (lambda: nn.EcaModule(kernel_size=5), lambda L: L.EcaModule(kernel_size=5), (2, 6, 4, 3)),
    "sk_split": (lambda: nn.SelectiveKernel(8, 16, rd_ratio=1 / 8, rd_divisor=16),
                 lambda L: L.SelectiveKernel(8, 16, rd_ratio=1 / 8, rd_divisor=16), (3, 8, 6, 6)),
    "sk_grouped_stride": (lambda: nn.SelectiveKernel(8, 8, [3, 5, 7], stride=2, groups=4, rd_channels=4,
                                                     split_input=False),
                          lambda L: L.SelectiveKernel(8, 8, [3, 5, 7], stride=2, groups=4, rd_channels=4,
                                                      split_input=False), (3, 8, 5, 5)),
    "splat_bn": (lambda: nn.SplitAttn(8, 8, norm_layer=nn.BatchNorm2d),
                 lambda L: L.SplitAttn(8, 8, norm_layer=__import__("torch").nn.BatchNorm2d), (3, 8, 5, 5)),
    "splat_groups_radix4": (lambda: nn.SplitAttn(8, 12, stride=2, groups=2, radix=4, rd_channels=4),
                            lambda L: L.SplitAttn(8, 12, stride=2, groups=2, radix=4, rd_channels=4), (2, 8, 6, 5)),
    "splat_radix1": (lambda: nn.SplitAttn(4, 4, radix=1), lambda L: L.SplitAttn(4, 4, radix=1), (2, 4, 3, 3)),
}


def _randomise(module, seed=0):
    """Non-trivial BatchNorm affine parameters and running statistics (fresh ones are 1/0)."""
    rng = np.random.default_rng(seed)
    for key, value in module.state_dict().items():
        if "running_var" in key:
            value.array[...] = rng.uniform(0.5, 1.5, value.shape)
        elif value.dtype.kind == "f" and ("bn" in key or "running_mean" in key):
            value.array[...] = rng.uniform(-0.5, 0.5, value.shape) + (key.endswith("weight"))


# small versions of the same configurations for finite differences (every parameter is perturbed)
GRADCHECK = {
    "eca": (lambda: nn.EcaModule(kernel_size=3), (2, 5, 3, 2)),
    "sk_split": (lambda: nn.SelectiveKernel(4, 4, rd_channels=2), (3, 4, 4, 3)),
    "sk_grouped_stride": (lambda: nn.SelectiveKernel(2, 2, [3, 5, 7], stride=2, groups=2, rd_channels=2,
                                                     split_input=False), (3, 2, 5, 4)),
    "splat_bn": (lambda: nn.SplitAttn(2, 2, norm_layer=nn.BatchNorm2d, rd_channels=1), (3, 2, 4, 3)),
    "splat_groups_radix3": (lambda: nn.SplitAttn(6, 4, stride=2, groups=2, radix=3, rd_channels=2), (2, 6, 4, 3)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck_input_and_parameters(name):
    ours = GRADCHECK[name][0]().to(minidl.float64)
    _randomise(ours)
    params = [p for p in ours.parameters()]
    x = minidl.tensor(np.random.default_rng(1).standard_normal(GRADCHECK[name][1]), requires_grad=True)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        minidl.gradcheck(lambda x, *ps: ours(x), [x, *params], atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("mode,dtype", [("train", "float64"), ("eval", "float64"), ("eval", "float32")])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_matches_timm_layer(name, mode, dtype):
    layers = timm().layers
    torch = pytest.importorskip("torch")
    ours_factory, theirs_factory, shape = LAYERS[name]
    torch.manual_seed(0)
    theirs = theirs_factory(layers)
    ours = ours_factory()
    assert [k for k in ours.state_dict()] == [k for k in theirs.state_dict()]
    theirs.to(torch.float64 if dtype == "float64" else torch.float32)
    ours.to(getattr(minidl, dtype))
    _randomise(ours)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    getattr(ours, mode)(), getattr(theirs, mode)()
    x_np = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    x, tx = minidl.tensor(x_np, requires_grad=True), torch.from_numpy(x_np.copy()).requires_grad_()
    out, tout = ours(x), theirs(tx)
    rtol = 1e-10 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=rtol, atol=rtol)
    upstream = np.random.default_rng(3).standard_normal(out.shape).astype(dtype)
    (out * minidl.tensor(upstream)).sum().backward()
    (tout * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=10 * rtol, atol=10 * rtol)
    their_params = dict(theirs.named_parameters())
    for key, param in ours.named_parameters():
        np.testing.assert_allclose(param.grad.numpy(), their_params[key].grad.numpy(), rtol=10 * rtol,
                                   atol=10 * rtol, err_msg=key)
    if mode == "train":
        their_buffers = dict(theirs.named_buffers())
        for key, buffer in ours.named_buffers():
            np.testing.assert_allclose(buffer.numpy(), their_buffers[key].numpy(), rtol=rtol, atol=rtol, err_msg=key)


@given(channels=st.integers(1, 4096))
@settings(max_examples=30)
def test_eca_kernel_size_rule(channels):
    """k = the odd number nearest |log2 C + 1| / 2, at least 3 (Wang et al. 2020, eq. 12)."""
    t = int(abs(np.log2(channels) + 1) / 2)
    assert nn.EcaModule(channels).conv.kernel_size == (max(t if t % 2 else t + 1, 3),)


def test_selective_kernel_weights_sum_to_one_and_rounding():
    sk = nn.SelectiveKernel(64, 64, rd_ratio=1 / 8, rd_divisor=16)
    assert [p.conv.dilation for p in sk.paths] == [(1, 1), (2, 2)] and sk.attn.fc_reduce.out_channels == 16
    weights = sk.attn(minidl.randn(2, 2, 64, 3, 3))
    np.testing.assert_allclose(weights.sum(1).detach().numpy(), 1.0, rtol=1e-6)
    assert nn.SplitAttn(64, 64).fc1.out_channels == 32 and nn.SplitAttn(256, 256).fc1.out_channels == 128
    assert nn.channel_attention.make_divisible(10, 8) == 16 and nn.channel_attention.make_divisible(33, 16) == 32


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        nn.EcaModule(kernel_size=4)
    with pytest.raises(ValueError, match=r"in_channels \(5\) must be divisible by the number of paths \(2\)"):
        nn.SelectiveKernel(5, 8)
    with pytest.raises(ValueError, match="kernel sizes must be odd"):
        nn.SelectiveKernel(4, 4, [3, 4])
    with pytest.raises(ValueError, match=r"expected input \(N, 2, C, H, W\)"):
        nn.SelectiveKernelAttn(4)(minidl.randn(2, 4, 3, 3))
