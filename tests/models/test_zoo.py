"""The model zoo: parameter counts (REFERENCE.md and torchvision), forward/backward of every
model, summary/list_models, and PyTorch parity for eight architectures."""
import numpy as np
import pytest

import minidl
from minidl import models

COUNTS = {
    "lenet5": 61_706, "alexnet": 61_100_840, "alexnet_paper": 60_965_224,
    "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg13": 133_047_848, "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544, "vgg16_bn": 138_365_992, "vgg19": 143_667_240, "vgg19_bn": 143_678_248,
    "googlenet": 13_004_888, "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
    "resnet101": 44_549_160, "resnet152": 60_192_808, "densenet121": 7_978_856, "densenet169": 14_149_480,
    "densenet201": 20_013_928, "densenet161": 28_681_000, "mobilenet_v2": 3_504_872, "squeezenet1_0": 1_248_424,
    "squeezenet1_1": 1_235_496, "shufflenet_v2_x0_5": 1_366_792, "shufflenet_v2_x1_0": 2_278_604,
    "shufflenet_v2_x1_5": 3_503_624, "shufflenet_v2_x2_0": 7_393_996,
    # torchvision / the papers, beyond REFERENCE.md
    "resnext50_32x4d": 25_028_904, "wide_resnet50_2": 68_883_240, "mobilenet_v3_large": 5_483_032,
    "mobilenet_v3_small": 2_542_856, "inception_v3": 27_161_264, "resnet20": 269_722, "xception": 22_855_952,
}
VARIANT_COUNTS = [
    (lambda: models.googlenet(aux_logits=False), 6_624_904),
    (lambda: models.googlenet(aux_logits=False, paper_5x5=True), 7_005_832),
    (lambda: models.alexnet_paper(groups=1), 62_378_344),
]
HEAVY = {name for name in COUNTS if name.startswith("vgg")} | {"wide_resnet50_2", "resnet152", "resnet101"}
# Run forward and backward in their own test file, under the slow mark (tests/models/test_zoo_mobile.py).
HEAVY_ELSEWHERE = {f"efficientnet_b{i}" for i in range(1, 8)}
# families with their own file (tests/models/test_zoo_<family>.py) that runs their forward/backward
OWN_FILE = {"bn_inception", "inception_v4", "inception_resnet_v2", "nasnetalarge", "nasnetamobile", "pnasnet5large"}
OWN_FILE |= {"resnet18d", "resnet50d", "ecaresnet50d", "skresnet18", "skresnet34", "skresnext50_32x4d", "resnest14d",
             "resnest50d", "regnetx_002", "regnetx_004", "regnetx_016", "regnetx_032", "regnety_002", "regnety_016",
             "regnety_032", "senet154", "resnext101_32x8d", "wide_resnet101_2", "dpn68", "dpn92",
             "darknet53", "cspdarknet53", "cspresnext50"}
OWN_FILE |= {"hrnet_w18_small", "hrnet_w18", "vovnet39a", "ese_vovnet19b_dw", "tresnet_m"}  # test_zoo_misc.py
OWN_FILE |= set(models.PAPER_MODELS)  # the papers-only catalogue: tests/models/test_zoo_papers.py


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(set(COUNTS) - HEAVY))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEAVY))
def test_parameter_count_heavy(name):
    assert _count(models.get_model(name)) == COUNTS[name]


def test_vgg11_count():
    """One VGG in the default run (the rest of the heavy ones are marked slow)."""
    assert _count(models.vgg11()) == COUNTS["vgg11"]


@pytest.mark.parametrize("factory,expected", VARIANT_COUNTS)
def test_variant_counts(factory, expected):
    assert _count(factory()) == expected


SMALL_INPUT = {"inception_v3": 75, "xception": 71, "alexnet": 63, "alexnet_paper": 63, "zfnet": 63, "lenet5": 28}


def _record_float64_ops(monkeypatch):
    """Patch every op to note its name when it returns a float64 array (the models run in float32); the
    returned set fills while the model runs ("float32 everywhere": no silent float64 step)."""
    from minidl.autograd import Function

    widened, call = set(), Function.__call__

    def recording_call(self, *inputs):
        outputs = call(self, *inputs)
        for y in outputs if isinstance(outputs, tuple) else (outputs,):
            if y.dtype == np.float64:
                widened.add(self.name)
        return outputs

    monkeypatch.setattr(Function, "__call__", recording_call)
    return widened


def _forward_backward(name, classes=5, monkeypatch=None, **kwargs):
    """One float32 forward and backward (and an eval forward); with ``monkeypatch``, also checks that
    no op on the way, forward or backward, computed in float64."""
    widened = _record_float64_ops(monkeypatch) if monkeypatch is not None else set()
    in_channels = 1 if name == "lenet5" else 3
    if name == "inception_v3" and not kwargs:
        kwargs = dict(aux_logits=False)  # the auxiliary head needs a 17×17 grid: 299×299 inputs (slow test)
    model = models.get_model(name, num_classes=classes, **kwargs)
    size = kwargs.pop("size", None) or SMALL_INPUT.get(name, 32)
    x = minidl.randn(2, in_channels, size, size)
    out = model(x)
    logits = out[0] if isinstance(out, tuple) else out
    assert logits.shape == (2, classes)
    loss = models.googlenet_loss(out, minidl.tensor([0, 1])) if name == "googlenet" else \
        minidl.nn.functional.cross_entropy(logits, minidl.tensor([0, 1]))
    loss.backward()
    assert not widened, f"{name}: float32 in, float64 out of {sorted(widened)}"
    for key, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad.numpy()).all(), key
        assert param.grad.dtype == np.float32, key
    model.eval()
    with minidl.no_grad():
        assert model(x).shape == (2, classes)
    assert not widened, f"{name}: float32 in, float64 out of {sorted(widened)}"


@pytest.mark.parametrize("name", sorted(set(models.list_models()) - HEAVY - HEAVY_ELSEWHERE - OWN_FILE))
def test_forward_and_backward(name, monkeypatch):
    _forward_backward(name, monkeypatch=monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEAVY))
def test_forward_and_backward_heavy(name):
    _forward_backward(name)


@pytest.mark.slow
def test_inception_v3_with_aux_head_at_native_size():
    model = models.inception_v3(num_classes=3)
    out = model(minidl.randn(2, 3, 299, 299))
    assert isinstance(out, models.InceptionOutputs) and out.aux_logits.shape == (2, 3)


def test_in_channels_argument():
    model = models.resnet20(num_classes=10, in_channels=1)
    assert model(minidl.randn(2, 1, 28, 28)).shape == (2, 10)


def test_googlenet_aux_heads_only_in_training():
    model = models.googlenet(num_classes=4)
    out = model(minidl.randn(1, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs) and out.aux_logits1.shape == (1, 4)
    model.eval()
    assert model(minidl.randn(1, 3, 64, 64)).shape == (1, 4)


def test_summary_and_list_models(capsys):
    result = minidl.summary(models.lenet5(), (1, 28, 28))
    printed = capsys.readouterr().out
    assert "Conv2d" in printed and "61,706" in printed
    assert result.total_params == 61_706
    # conv1: 6·28·28 outputs × 25; conv2: 16·10·10 × 150; fc: 400·120 + 120·84 + 84·10
    assert result.total_macs == 6 * 784 * 25 + 1600 * 150 + 48000 + 10080 + 840
    assert len(models.list_models()) >= 40 and "resnet50" in models.list_models()
    with pytest.raises(ValueError, match="unknown model 'resnet9000'"):
        models.get_model("resnet9000")


# ----------------------------------------------------------------- parity with PyTorch

PARITY = {
    # name: (minidl factory, torch factory name, input size)
    "lenet5": (lambda: models.lenet5(), "LeNet5", (2, 1, 28, 28)),
    "alexnet": (lambda: models.alexnet(num_classes=10, dropout=0.0), "AlexNet", (2, 3, 64, 64)),
    "vgg11": (lambda: models.vgg11(num_classes=10, dropout=0.0), "VGG11", (2, 3, 32, 32)),
    "googlenet": (lambda: models.googlenet(num_classes=10, aux_logits=True), "GoogLeNet", (2, 3, 64, 64)),
    "resnet18": (lambda: models.resnet18(num_classes=10), "resnet18", (2, 3, 32, 32)),
    "resnet50": (lambda: models.resnet50(num_classes=10), "resnet50", (2, 3, 32, 32)),
    # 64×64 so that the last block normalises over 8 values per channel, not an ill-conditioned 2
    "densenet121": (lambda: models.densenet121(num_classes=10), "DenseNet121", (2, 3, 64, 64)),
    "mobilenet_v2": (lambda: models.mobilenet_v2(num_classes=10, dropout=0.0), "MobileNetV2", (2, 3, 32, 32)),
}


@pytest.mark.parametrize("mode,dtype", [("eval", "float32"), ("train", "float32"), ("train", "float64")])
@pytest.mark.parametrize("name", sorted(PARITY))
def test_matches_pytorch_with_copied_weights(name, mode, dtype):
    """Logits (rtol 1e-4 in float32) and input gradients equal PyTorch's, in eval and train mode.

    Train-mode input gradients are compared in float64: in float32, near-ties in max pooling and
    batch statistics over few values per channel let rounding differences of 1e-7 pick different
    winners, which no tolerance separates from a bug; in float64 they agree to ~1e-12."""
    torch = pytest.importorskip("torch")
    from tests.models import torch_reference

    ours_factory, torch_name, shape = PARITY[name]
    torch.manual_seed(0)
    theirs = getattr(torch_reference, torch_name)()
    ours = ours_factory()
    if name == "googlenet":
        ours.aux1.dropout.p = ours.aux2.dropout.p = ours.dropout.p = 0.0
    if dtype == "float64":
        theirs.double()
        ours.to(minidl.float64)
    ours.load_state_dict(models.from_torch(theirs.state_dict()))  # keys map one to one
    getattr(ours, mode)()
    getattr(theirs, mode)()
    if mode == "train" and name != "lenet5":
        # Batch statistics over 2 samples × 1×1 maps (32×32 inputs) are ill-conditioned: use 4 × 64×64.
        shape = (4, shape[1], 64, 64)
    x_np = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x = minidl.tensor(x_np, requires_grad=True)
    tx = torch.from_numpy(x_np.copy()).requires_grad_()
    out, tout = ours(x), theirs(tx)
    out = list(out) if isinstance(out, tuple) else [out]
    tout = list(tout) if isinstance(tout, tuple) else [tout]
    rtol = 1e-4 if dtype == "float32" else 1e-9
    for a, b in zip(out, tout):
        scale = np.abs(b.detach().numpy()).max()
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=rtol * scale)
    if mode == "eval" or dtype == "float64":
        upstream = np.random.default_rng(1).standard_normal(tout[0].shape).astype(dtype)
        (out[0] * minidl.tensor(upstream)).sum().backward()
        (tout[0] * torch.from_numpy(upstream)).sum().backward()
        scale = np.abs(tx.grad.numpy()).max()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=10 * rtol, atol=rtol * scale)
    if mode == "train":  # BatchNorm running statistics moved the same way
        their_buffers = dict(theirs.named_buffers())
        for key, buffer in ours.named_buffers():
            np.testing.assert_allclose(buffer.numpy(), their_buffers[key].numpy(), rtol=rtol, atol=rtol, err_msg=key)


def test_from_torch_accepts_arrays_and_strips_module_prefix():
    state = {"module.fc.weight": np.ones((2, 3)), "module.fc.bias": np.zeros(2)}
    converted = models.from_torch(state)
    assert list(converted) == ["fc.weight", "fc.bias"]
    layer = minidl.nn.Sequential()
    layer.fc = minidl.nn.Linear(3, 2)
    layer.load_state_dict(converted)
    assert layer.fc.weight.detach().numpy().sum() == 6


def test_convert_cli(tmp_path):
    torch = pytest.importorskip("torch")
    from minidl.models import convert

    from tests.models import torch_reference

    net = torch_reference.LeNet5()
    torch.save({"state_dict": net.state_dict()}, tmp_path / "lenet.pth")
    assert convert.main([str(tmp_path / "lenet.pth"), str(tmp_path / "lenet.npz")]) == 0
    ours = models.lenet5()
    ours.load_state_dict(minidl.load(tmp_path / "lenet.npz"))
    x = np.random.default_rng(0).standard_normal((1, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(ours(minidl.tensor(x)).detach().numpy(), net(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
