"""The survey's later Inception and NAS models: BN-Inception, Inception-v4, Inception-ResNet-v2,
NASNet-A Large/Mobile, PNASNet-5 Large.

Counts: timm 1.0.31's for the models timm defines, the paper's layers for the others (see each
model's docstring).  Parity: a randomly initialised timm model (BatchNorm statistics and affine
parameters randomised too, so eval mode is not the identity) loads into the minidl model with
``from_torch`` key for key, and the eval-mode logits agree to float32 rounding.  Every timm
comparison is marked slow (importing timm alone takes seconds); a reduced NASNet-A (timm's class
with a 32-filter stem and 1056 final features) is the quickest of them.
"""
import numpy as np
import pytest

import minidl
from minidl import models
from tests import oracles
from tests.models.test_zoo import _record_float64_ops

COUNTS = {  # timm 1.0.31: sum(p.numel() for p in timm.create_model(name).parameters())
    "inception_v4": 42_679_816, "inception_resnet_v2": 55_843_464, "nasnetalarge": 88_753_150,
    "pnasnet5large": 86_057_668,
    # from the papers' layers (docstrings): BN-Inception has no stated count; NASNet-A (4 @ 1056): "5.3 M"
    "bn_inception": 11_295_240, "nasnetamobile": 5_289_978,
}
LIGHT = {"bn_inception", "nasnetamobile"}  # built in about half a second


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(LIGHT))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(COUNTS) - LIGHT))
def test_parameter_count_heavy(name):
    assert _count(models.get_model(name)) == COUNTS[name]


def test_variant_counts():
    assert _count(models.bn_inception(bias=False)) == 11_285_224  # without the 10,016 convolution biases


@pytest.mark.slow
def test_bn_inception_figure_5_shapes():
    """Figure 5's output sizes at 224×224: 28×28×256 after 3a, 14×14×576 after 3c, 7×7×1024 after 5b."""
    model = models.bn_inception()
    seen = {}
    for name in ("inception_3a", "inception_3c", "inception_4e", "inception_5b"):
        getattr(model, name).register_forward_hook(lambda m, i, o, name=name: seen.update({name: tuple(o.shape)}))
    model.eval()
    with minidl.no_grad():
        model(minidl.zeros(1, 3, 224, 224))
    assert seen == {"inception_3a": (1, 256, 28, 28), "inception_3c": (1, 576, 14, 14),
                    "inception_4e": (1, 1056, 7, 7), "inception_5b": (1, 1024, 7, 7)}


# ----------------------------------------------------------------- forward and backward

SMALL_INPUT = {"bn_inception": 64, "inception_v4": 75, "inception_resnet_v2": 75}  # the rest: 32×32


def _forward_backward(name, monkeypatch=None):
    widened = _record_float64_ops(monkeypatch) if monkeypatch is not None else set()
    model = models.get_model(name, num_classes=5)
    size = SMALL_INPUT.get(name, 32)
    x = minidl.randn(2, 3, size, size)
    logits = model(x)
    assert logits.shape == (2, 5)
    minidl.nn.functional.cross_entropy(logits, minidl.tensor([0, 1])).backward()
    for key, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad.numpy()).all(), key
        assert param.grad.dtype == np.float32, key
    assert not widened, f"{name}: float32 in, float64 out of {sorted(widened)}"


def test_forward_and_backward_nasnetamobile(monkeypatch):
    _forward_backward("nasnetamobile", monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(COUNTS) - {"nasnetamobile"}))
def test_forward_and_backward_heavy(name, monkeypatch):
    _forward_backward(name, monkeypatch)


# ----------------------------------------------------------------- parity with timm


def _randomise_batch_norm(torch, model):
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                for tensor, low, high in ((module.running_mean, -0.1, 0.1), (module.running_var, 0.5, 1.5),
                                          (module.weight, 0.5, 1.5), (module.bias, -0.1, 0.1)):
                    tensor.copy_(torch.rand(tensor.shape, generator=generator) * (high - low) + low)


def _assert_same_logits(theirs, ours, size):
    """Load timm's state_dict into ours (key for key) and compare eval-mode logits; returns the max abs diff."""
    torch = oracles.torch()
    _randomise_batch_norm(torch, theirs)
    state = theirs.state_dict()
    assert set(ours.state_dict()) == set(state)
    assert _count(ours) == sum(p.numel() for p in theirs.parameters())
    ours.load_state_dict(models.from_torch(state))
    ours.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    with minidl.no_grad():
        got = ours(minidl.tensor(x)).numpy()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x)).numpy()
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)
    return np.abs(got - want).max()


@pytest.mark.slow
def test_reduced_nasnet_matches_timm():
    """timm's NASNet-A class at mobile widths (6 cells per stage) against ours.  59×59 inputs give
    both odd and even grids (29, 15, 8, 4, 2), so both cases of the 'SAME' padding and of the shifted
    factorised-reduction path are exercised."""
    oracles.timm()
    from timm.models.nasnet import NASNetALarge

    theirs = NASNetALarge(num_classes=10, stem_size=32, num_features=1056, pad_type="same").eval()
    ours = models.NASNetA(num_classes=10, stem_size=32, num_features=1056, cells_per_stage=6)
    _assert_same_logits(theirs, ours, 59)


@pytest.mark.slow
@pytest.mark.parametrize("name,size", [("inception_v4", 107), ("inception_resnet_v2", 107), ("nasnetalarge", 91),
                                       ("pnasnet5large", 91)])
def test_matches_timm(name, size):
    """91×91 for the NAS models: grids 45, 23, 12, 6, 3 (odd and even)."""
    theirs = oracles.timm_model(name)
    _assert_same_logits(theirs, models.get_model(name), size)
