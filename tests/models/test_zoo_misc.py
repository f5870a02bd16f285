"""HRNet, VoVNet/VoVNetV2 and TResNet: counts, forward/backward, their helper layers, timm parity.

Counts: timm 1.0.31's (``sum(p.numel() for p in timm.create_model(name).parameters())``), which
CNN_SURVEY.md lists.  Parity: a randomly initialised timm model (BatchNorm statistics and affine
parameters randomised too, so eval mode is not the identity) loads into the minidl model with
``from_torch`` key for key, and the eval-mode logits agree to float32 rounding.  Every full-size
model and every timm comparison is marked slow (importing timm alone takes seconds); reduced
configurations of each family keep a forward+backward in the default run.
"""
import numpy as np
import pytest

import minidl
from minidl import models
from minidl.models import hrnet, tresnet
from tests import oracles
from tests.models.test_zoo import _record_float64_ops
from tests.models.test_zoo_inception import _assert_same_logits

COUNTS = {"hrnet_w18_small": 13_187_464, "hrnet_w18": 21_299_004, "vovnet39a": 22_600_296,
          "ese_vovnet19b_dw": 6_543_080, "tresnet_m": 31_389_032}
LIGHT = {"hrnet_w18_small", "ese_vovnet19b_dw"}  # built in well under a second
SMALL_INPUT = {"tresnet_m": 32}  # the rest: 64×64 (VoVNet's three ceil-mode pools need at least 40)

# Reduced configurations that run every code path of each family in a fraction of a second.
TINY_HRNET = [(1, hrnet.Bottleneck, (1,), (8,)), (1, hrnet.BasicBlock, (1, 1), (4, 8)),
              (1, hrnet.BasicBlock, (1, 1, 1), (4, 8, 16)), (2, hrnet.BasicBlock, (1, 1, 1, 1), (4, 8, 16, 32))]
# (timm allows the residual only where the depthwise chain needs no 1×1 reduction: stage 2's mid = out)
TINY_VOVNET = dict(stem=(8, 8, 8), mid=(8, 16, 12, 12), out=(16, 16, 24, 24), layers=2, blocks=(1, 2, 1, 1),
                   residual=True, depthwise=True, ese=True)
TINY = {
    "hrnet": lambda: models.HighResolutionNet(TINY_HRNET, num_classes=5, head_channels=(4, 4, 8, 8), num_features=16),
    "vovnet": lambda: models.VovNet(TINY_VOVNET, num_classes=5),
    "vovnet_plain": lambda: models.VovNet(dict(TINY_VOVNET, depthwise=False, residual=False, ese=False), num_classes=5),
    "tresnet": lambda: models.TResNet([1, 1, 2, 1], num_classes=5, width_factor=0.125),
}


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(LIGHT))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(COUNTS) - LIGHT))
def test_parameter_count_heavy(name):
    assert _count(models.get_model(name)) == COUNTS[name]


def test_registered_at_native_size():
    for name in COUNTS:
        assert models.MODELS[name][1] == (3, 224, 224)


# ----------------------------------------------------------------- forward and backward


def _forward_backward(model, size, monkeypatch=None):
    widened = _record_float64_ops(monkeypatch) if monkeypatch is not None else set()
    x = minidl.randn(2, 3, size, size)
    logits = model(x)
    assert logits.shape == (2, 5)
    minidl.nn.functional.cross_entropy(logits, minidl.tensor([0, 1])).backward()
    for key, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad.numpy()).all(), key
        assert param.grad.dtype == np.float32, key
    assert not widened, f"float32 in, float64 out of {sorted(widened)}"
    model.eval()
    with minidl.no_grad():
        assert model(x).shape == (2, 5)


@pytest.mark.parametrize("name", sorted(TINY))
def test_forward_and_backward_reduced(name, monkeypatch):
    _forward_backward(TINY[name](), 64 if name.startswith("vovnet") else 32, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_forward_and_backward(name, monkeypatch):
    _forward_backward(models.get_model(name, num_classes=5), SMALL_INPUT.get(name, 64), monkeypatch)


# ----------------------------------------------------------------- helper layers


def test_space_to_depth_channel_order():
    """Output channel (i·4 + j)·C + c at (y, x) is input channel c at (4y + i, 4x + j)."""
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 12)).astype(np.float32)
    y = tresnet.SpaceToDepth(4)(minidl.tensor(x)).numpy()
    assert y.shape == (2, 48, 2, 3)
    for i, j, c in [(0, 0, 0), (1, 2, 1), (3, 3, 2), (2, 0, 1)]:
        np.testing.assert_array_equal(y[:, (i * 4 + j) * 3 + c], x[:, c, i::4, j::4])
    with pytest.raises(ValueError, match="multiples of 4, got 8×10"):
        tresnet.SpaceToDepth(4)(minidl.randn(1, 3, 8, 10))


def test_blur_pool_matches_pytorch():
    """Reflect-pad, depthwise [1 2 1]ᵀ[1 2 1]/16 at stride 2; odd and even sides; gradient too."""
    torch = oracles.torch()
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    ours = minidl.tensor(x, requires_grad=True)
    out = tresnet.BlurPool2d(3).to(minidl.float64)(ours)
    out.sum().backward()
    tx = torch.from_numpy(x).requires_grad_()
    taps = torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64) / 4
    weight = (taps[:, None] * taps[None, :]).expand(3, 1, 3, 3)
    want = torch.nn.functional.conv2d(torch.nn.functional.pad(tx, (1, 1, 1, 1), mode="reflect"), weight,
                                      stride=2, groups=3)
    want.sum().backward()
    assert out.shape == (2, 3, 4, 4)
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert "filt" not in tresnet.BlurPool2d(3).state_dict()  # fixed, so not saved (as in timm)


def test_upsample_nearest():
    """HRNet's fuse paths upsample with nn.Upsample(mode="nearest"), as timm's do."""
    x = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
    y = minidl.nn.Upsample(scale_factor=4, mode="nearest")(minidl.tensor(x)).numpy()
    np.testing.assert_array_equal(y, x.repeat(4, axis=2).repeat(4, axis=3))


# ----------------------------------------------------------------- parity with timm


@pytest.mark.slow
def test_reduced_configurations_match_timm():
    """timm's classes with the same reduced configurations as above (72×72: odd grids 9, 5, 3 for the
    ceil-mode pools)."""
    oracles.timm()
    from timm.models.hrnet import HighResolutionNet
    from timm.models.tresnet import TResNet
    from timm.models.vovnet import VovNet

    def stage(modules, block, blocks, channels):
        kind = {"Bottleneck": "BOTTLENECK", "BasicBlock": "BASIC"}[block.__name__]
        return dict(num_modules=modules, num_branches=len(channels), block_type=kind, num_blocks=blocks,
                    num_channels=channels, fuse_method="SUM")

    hr_cfg = dict(stem_width=64, **{f"stage{i + 1}": stage(*s) for i, s in enumerate(TINY_HRNET)})
    ours = models.HighResolutionNet(TINY_HRNET, num_classes=5)  # timm's head is fixed: 128…1024, 2048 channels
    diffs = {"hrnet": _assert_same_logits(HighResolutionNet(hr_cfg, num_classes=5).eval(), ours, 64)}
    for name, extra in (("vovnet", {}), ("vovnet_plain", dict(depthwise=False, residual=False, ese=False))):
        cfg = dict(TINY_VOVNET, **extra)
        timm_cfg = dict(stem_chs=list(cfg["stem"]), stage_conv_chs=list(cfg["mid"]), stage_out_chs=list(cfg["out"]),
                        layer_per_block=cfg["layers"], block_per_stage=list(cfg["blocks"]),
                        residual=cfg["residual"], depthwise=cfg["depthwise"], attn="ese" if cfg["ese"] else "")
        diffs[name] = _assert_same_logits(VovNet(timm_cfg, num_classes=5).eval(), TINY[name](), 72)
    theirs = TResNet([1, 1, 2, 1], num_classes=5, width_factor=0.125).eval()
    diffs["tresnet"] = _assert_same_logits(theirs, TINY["tresnet"](), 72)
    print("max |logit difference|:", {name: f"{diff:.3g}" for name, diff in diffs.items()})


@pytest.mark.slow
@pytest.mark.parametrize("name,size", [("hrnet_w18_small", 64), ("hrnet_w18", 64), ("vovnet39a", 72),
                                       ("ese_vovnet19b_dw", 72), ("tresnet_m", 72)])
def test_matches_timm(name, size):
    """64×64 for HRNet (its streams must halve exactly: 16, 8, 4, 2); 72×72 for the others (odd grids
    after the ceil-mode pools: 18, 9, 5, 3)."""
    theirs = oracles.timm_model(name)
    print(f"{name}: max |logit difference| {_assert_same_logits(theirs, models.get_model(name), size):.3g}")
