"""timm's ResNet family in the zoo — ResNet-D, ECA-ResNet, SKNet, ResNeSt, RegNetX/Y, SENet-154, the
101-layer torchvision ResNeXt / Wide ResNet, DPN, Darknet-53 and the CSP networks: exact parameter
counts (CNN_SURVEY.md, measured with timm 1.0.31), logits equal to timm's with its weights loaded
key for key, forward + backward.

The default run keeps the small models; the rest are marked slow (``pytest -m slow``)."""
import numpy as np
import pytest

import minidl
from minidl import models
from tests.models.test_zoo import _count, _forward_backward
from tests.oracles import timm_model

COUNTS = {
    "resnet18d": 11_708_744, "resnet50d": 25_576_264, "ecaresnet50d": 25_576_350,
    "skresnet18": 11_958_056, "skresnet34": 22_282_376, "skresnext50_32x4d": 27_479_784,
    "resnest14d": 10_611_688, "resnest50d": 27_483_240,
    "regnetx_002": 2_684_792, "regnetx_004": 5_157_512, "regnetx_016": 9_190_136, "regnetx_032": 15_296_552,
    "regnety_002": 3_162_996, "regnety_016": 11_202_430, "regnety_032": 19_436_338,
    "senet154": 115_088_984, "resnext101_32x8d": 88_791_336, "wide_resnet101_2": 126_886_696,
    "dpn68": 12_611_602, "dpn92": 37_668_392,
    "darknet53": 41_609_928, "cspdarknet53": 27_642_184, "cspresnext50": 20_569_896,
}
# the default run's share (seconds on 2 shared cores); every model runs under -m slow
FAST_COUNT = {"regnetx_002", "regnety_002", "resnest14d", "skresnet18"}
FAST = {"regnety_002", "resnest14d"}  # timm parity and forward + backward: split attention, SE, ResNet-D
HEAVY = {"senet154", "resnext101_32x8d", "wide_resnet101_2"}


def _marked(names, fast=FAST):
    return [name if name in fast else pytest.param(name, marks=pytest.mark.slow) for name in sorted(names)]


@pytest.mark.parametrize("name", _marked(COUNTS, FAST_COUNT))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


def _randomise_batchnorm(model, torch, seed=1):
    """timm starts every block's last BN at γ = 0 (each residual branch is the identity) and every
    BN at mean 0, var 1: random γ, β and statistics make every branch count in the comparison."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.2, 0.6, generator=generator)
                module.bias.uniform_(-0.2, 0.2, generator=generator)
                module.running_mean.uniform_(-0.2, 0.2, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)


def max_logit_difference(name, size=64, batch=2):
    """Load a random timm ``name`` into minidl's and return (max |ours − timm|, max |timm|) of the
    eval-mode float32 logits on a random (batch, 3, size, size) input."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = timm_model(name)
    _randomise_batchnorm(theirs, torch)
    ours = models.get_model(name)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # the same names, in the same order
    ours.load_state_dict(models.from_torch(theirs.state_dict()))
    ours.eval()
    x = np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    got = ours(minidl.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    return float(np.abs(got - expected).max()), float(np.abs(expected).max())


@pytest.mark.parametrize("name", _marked(COUNTS))
def test_logits_match_timm(name):
    """Eval-mode logits equal timm's (rtol 1e-4, atol 1e-4 × the largest logit) on a 2×3×64×64 batch."""
    max_logit_difference(name)


@pytest.mark.parametrize("name", _marked(COUNTS))
def test_forward_and_backward(name, monkeypatch):
    _forward_backward(name, monkeypatch=None if name in HEAVY else monkeypatch)


def test_registered_with_native_size():
    for name in COUNTS:
        size = 256 if name in ("darknet53", "cspdarknet53", "cspresnext50") else 224  # timm's default_cfg
        assert models.MODELS[name][1] == (3, size, size), name


def test_resnet_d_layout():
    """ResNet-D (Bag of Tricks, Fig. 2): three 3×3 stem convolutions, and the strided shortcut is a
    2×2 average pool followed by a stride-1 1×1 convolution."""
    model = models.resnet18d(num_classes=3)
    assert [m.kernel_size for m in model.conv1 if isinstance(m, minidl.nn.Conv2d)] == [(3, 3)] * 3
    shortcut = model.layer2[0].downsample
    assert isinstance(shortcut[0], minidl.nn.AvgPool2d) and shortcut[1].stride == (1, 1)
    assert shortcut[0].ceil_mode and not shortcut[0].count_include_pad
    with pytest.raises(ValueError, match="stem_type must be '' or 'deep', got 'tiered'"):
        models.ResNet(models.resnet.BasicBlock, [1, 1, 1, 1], stem_type="tiered")


def test_regnet_widths_follow_the_linear_rule():
    """RegNetX-200MF: w₀ = 24, w_a = 36.44, w_m = 2.49, d = 13, g = 8 → stages of 24, 56, 152, 368
    channels with 1, 1, 4, 7 blocks (as timm builds regnetx_002)."""
    widths, depths, groups = models.regnet.regnet_widths(24, 36.44, 2.49, 13, 8)
    assert widths == [24, 56, 152, 368] and depths == [1, 1, 4, 7] and groups == [8] * 4
