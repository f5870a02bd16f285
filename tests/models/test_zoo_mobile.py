"""The EfficientNet family (EfficientNet B0–B7, MnasNet, MixNet, FBNet, Single-Path NAS) and GhostNet:
exact parameter counts (timm 1.0.31, ../shared/guide/CNN_SURVEY.md), timm's state_dict loaded key
for key with timm's eval logits and input gradients (with ``-m slow`` also in train mode, float64,
with BN running statistics), forward and backward, drop path in training.

The default run keeps one model of each block kind (ds/ir + SE: B0; MixConv: MixNet-S; Ghost:
GhostNet) and the cheap counts; the rest run with ``-m slow``."""
import numpy as np
import pytest

import minidl
from minidl import models
from tests import oracles
from tests.models.test_zoo import _forward_backward

COUNTS = {
    "efficientnet_b0": 5_288_548, "efficientnet_b1": 7_794_184, "efficientnet_b2": 9_109_994,
    "efficientnet_b3": 12_233_232, "efficientnet_b4": 19_341_616, "efficientnet_b5": 30_389_784,
    "efficientnet_b6": 43_040_704, "efficientnet_b7": 66_347_960, "mnasnet_100": 4_383_312,
    "mixnet_s": 4_134_606, "mixnet_m": 5_014_382, "fbnetc_100": 5_572_200, "spnasnet_100": 4_421_616,
    "ghostnet_100": 5_182_508,
}
SLOW_COUNTS = {f"efficientnet_b{i}" for i in range(3, 8)}
FAST_PARITY = {"efficientnet_b0", "mixnet_s", "ghostnet_100"}
NATIVE_SIZE = {"efficientnet_b0": 224, "efficientnet_b1": 240, "efficientnet_b2": 256, "efficientnet_b3": 288,
               "efficientnet_b4": 320, "efficientnet_b5": 448, "efficientnet_b6": 528, "efficientnet_b7": 600}


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(set(COUNTS) - SLOW_COUNTS))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_COUNTS))
def test_parameter_count_heavy(name):
    assert _count(models.get_model(name)) == COUNTS[name]


def test_registered_with_timms_input_sizes():
    for name in COUNTS:
        assert models.MODELS[name][1] == (3, NATIVE_SIZE.get(name, 224), NATIVE_SIZE.get(name, 224)), name


@pytest.fixture
def one_torch_thread():
    """PyTorch on one thread: on a shared 2-core machine its thread pool slows these runs ~30×."""
    torch = oracles.torch()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _randomise_batchnorm(torch, model, seed=1):
    """Non-trivial BN statistics and affine parameters, so that a swapped or missing BN key shows."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                n = module.num_features
                module.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                module.bias.copy_(0.1 * torch.randn(n, generator=generator))


def _check_timm_parity(name, size=32):
    """Eval logits (rtol 1e-4, atol 1e-4 · max |logit|) and input gradients equal timm's; returns
    the largest absolute logit difference."""
    torch = oracles.torch()
    torch.manual_seed(0)
    theirs = oracles.timm_model(name)
    _randomise_batchnorm(torch, theirs)
    ours = models.get_model(name)
    ours.load_state_dict(models.from_torch(theirs.state_dict()))  # strict: every key, every shape
    ours.eval()
    x_np = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    x = minidl.tensor(x_np, requires_grad=True)
    tx = torch.from_numpy(x_np.copy()).requires_grad_()
    out, tout = ours(x), theirs(tx)
    expected = tout.detach().numpy()
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-4, atol=1e-4 * scale)
    upstream = np.random.default_rng(1).standard_normal(expected.shape).astype(np.float32)
    (out * minidl.tensor(upstream)).sum().backward()
    (tout * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-3, atol=1e-4 * np.abs(tx.grad.numpy()).max())
    return float(np.abs(out.detach().numpy() - expected).max())


@pytest.mark.parametrize("name", sorted(FAST_PARITY))
def test_matches_timm(name, one_torch_thread):
    _check_timm_parity(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(COUNTS) - FAST_PARITY))
def test_matches_timm_slow(name, one_torch_thread):
    _check_timm_parity(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(f"efficientnet_b{i}" for i in range(1, 8)))
def test_forward_and_backward_heavy(name):
    """The others run in test_zoo.py's default forward/backward test."""
    _forward_backward(name)


def test_drop_path_in_training_and_identity_in_eval():
    minidl.manual_seed(0)
    model = models.efficientnet_b0(num_classes=3, drop_path_rate=0.2)
    paths = [m for m in model.modules() if isinstance(m, minidl.nn.DropPath)]
    rates = [m.drop_prob for m in paths]
    assert rates == sorted(rates) and 0 < rates[0] and rates[-1] == pytest.approx(0.2 * 15 / 16)
    x = minidl.randn(2, 3, 32, 32)
    out = model(x)
    minidl.nn.functional.cross_entropy(out, minidl.tensor([0, 2])).backward()
    assert all(np.isfinite(p.grad.numpy()).all() for p in model.parameters())
    model.eval()
    with minidl.no_grad():
        first, second = model(x).numpy(), model(x).numpy()
    np.testing.assert_array_equal(first, second)


def test_architecture_string_errors():
    from minidl.models.efficientnet_builder import decode_block, scale_repeats

    args, repeats = decode_block("ir_r3_k3.5.7_a1.1_p1.1_s2_e6_c40_se0.5_nsw")
    assert repeats == 3 and args["dw_kernel_size"] == [3, 5, 7] and args["exp_kernel_size"] == [1, 1]
    assert args["act_layer"] is minidl.nn.SiLU and args["se_ratio"] == 0.5 and args["stride"] == 2
    assert scale_repeats([1, 3], 1.3, "round") == [1, 4] and scale_repeats([2], 3.1) == [7]
    with pytest.raises(ValueError, match="unknown block type 'xx'"):
        decode_block("xx_r1_k3_s1_c16")
    with pytest.raises(ValueError, match="unknown activation 'nzz'"):
        decode_block("ir_r1_k3_s1_e6_c16_nzz")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ghostnet_100", "mixnet_s"])
def test_matches_timm_in_train_mode_float64(name, one_torch_thread):
    """Batch statistics, their running averages and the input gradient through SE, MixConv and the
    Ghost modules in training, in float64 (4 samples of 64×64, so the last BNs see 4 values each)."""
    torch = oracles.torch()
    torch.manual_seed(0)
    theirs = oracles.timm_model(name, drop_rate=0.0).double().train()
    ours = models.get_model(name, drop_rate=0.0).to(minidl.float64).train()
    ours.load_state_dict(models.from_torch(theirs.state_dict()))
    x_np = np.random.default_rng(0).standard_normal((4, 3, 64, 64))
    x = minidl.tensor(x_np, requires_grad=True)
    tx = torch.from_numpy(x_np.copy()).requires_grad_()
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-9, atol=1e-9)
    upstream = np.random.default_rng(1).standard_normal(tuple(tout.shape))
    (out * minidl.tensor(upstream)).sum().backward()
    (tout * torch.from_numpy(upstream)).sum().backward()
    # atol 1e-7 of the largest: PyTorch's float64 hardsigmoid backward multiplies by the float32
    # constant 1/6 (0.16666667163…), a 3e-8 relative error in GhostNet's SE gates that minidl does not make
    scale = np.abs(tx.grad.numpy()).max()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-7, atol=1e-7 * scale)
    their_buffers = dict(theirs.named_buffers())
    for key, buffer in ours.named_buffers():
        np.testing.assert_allclose(buffer.numpy(), their_buffers[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
