"""The catalogue entries only papers define (minidl.models.PAPER_MODELS): exact parameter counts,
the count (or cost) each paper states with the table it comes from, and a float32 forward and
backward of every model on a small input (the heavy ones under the slow mark)."""
import numpy as np
import pytest

import minidl
from minidl import models

# our exact counts (default heads: 1000 classes for ImageNet models, 10 for CIFAR ones, 14 for CheXNet)
COUNTS = {
    "shufflenet_v1_g1": 1_531_936, "shufflenet_v1_g2": 1_733_848, "shufflenet_v1_g3": 1_865_728,
    "shufflenet_v1_g4": 1_968_344, "shufflenet_v1_g8": 2_434_768, "darknet19": 20_842_376,
    "pyramidnet_110_a48": 1_772_706, "pyramidnet_110_a84": 3_904_446, "pyramidnet_110_a270": 28_485_477,
    "pyramidnet_164_a270_bottleneck": 27_216_021, "pyramidnet_272_a200_bottleneck": 26_210_842,
    "fractalnet20": 33_724_618, "fractalnet40": 76_106_634, "revnet38": 464_858, "revnet110": 1_729_162,
    "peleenet": 2_802_248, "chexnet": 6_968_206, "simplenet_cifar": 5_498_378,
    "sqnxt23_w1": 718_280, "sqnxt23v5_w1": 931_016, "sqnxt23_w2": 2_362_728, "sqnxt23v5_w2": 3_223_912,
    "overfeat_fast": 145_920_872, "overfeat_accurate": 144_656_488, "sppnet_zf5": 77_037_672,
    "proxylessnas_gpu": 7_119_848, "proxylessnas_cpu": 4_361_648, "proxylessnas_mobile": 4_080_512,
    "randwire_ws_small": 5_740_602, "randwire_ws_regular": 31_882_865,
    "espnetv2_w1": 1_669_592, "espnetv2_w2": 3_497_144,
}
# name → (the number the paper states, relative tolerance, where) — parameters
PAPER_PARAMS = {
    "pyramidnet_110_a48": (1.7e6, 0.05, "Han et al. 2017, Table 4"),
    "pyramidnet_110_a84": (3.8e6, 0.05, "Han et al. 2017, Table 4"),
    "pyramidnet_110_a270": (28.3e6, 0.01, "Han et al. 2017, Table 4"),
    "pyramidnet_164_a270_bottleneck": (27.0e6, 0.01, "Han et al. 2017, Table 4"),
    "pyramidnet_272_a200_bottleneck": (26.0e6, 0.01, "Han et al. 2017, Table 4"),
    "overfeat_fast": (145e6, 0.01, "Sermanet et al. 2014, Table 4"),
    # the authors' Caffe prototxts (github.com/amirgholami/SqueezeNext): weights + BN scale/shift + fc, exact
    "sqnxt23_w1": (718_280, 0, "1.0-SqNxt-23/train_val.prototxt; the paper's table: 0.72 M"),
    "sqnxt23v5_w1": (931_016, 0, "1.0-SqNxt-23v5/train_val.prototxt"),
    "sqnxt23_w2": (2_362_728, 0, "2.0-SqNxt-23/train_val.prototxt"),
    "sqnxt23v5_w2": (3_223_912, 0, "2.0-SqNxt-23v5/train_val.prototxt"),
    "proxylessnas_mobile": (4.08e6, 0.001, "the authors' logs/imagenet_mobile_log.txt: 4.08M"),
    "randwire_ws_small": (5.6e6, 0.03, "Xie et al. 2019, Table 2: 5.6 ± 0.1 M (seed 0 is 2.5 % above)"),
    "randwire_ws_regular": (31.9e6, 0.01, "Xie et al. 2019, Table 3: 31.9 ± 0.66 M"),
    "simplenet_cifar": (5.48e6, 0.004, "Hasanpour et al. 2016 (the authors' table: 5.48M; BN not counted)"),
    "peleenet": (2.8e6, 0.001, "Wang et al. 2018, Table 3 and §2.1"),
    "revnet38": (0.46e6, 0.015, "Gomez et al. 2017, Table 1"),
    "revnet110": (1.73e6, 0.005, "Gomez et al. 2017, Table 1"),
    "overfeat_accurate": (144e6, 0.01, "Sermanet et al. 2014, Table 4"),
}
# name → (the multiply-adds the paper states, relative tolerance, where) — at the native input size.
# ShuffleNet's Table 1 complexity leaves out the classifier: ours without it rounds to the paper's millions.
PAPER_MACS = {
    "shufflenet_v1_g1": (143e6, 0.0035, "Zhang et al. 2018, Table 1 (without the classifier)"),
    "shufflenet_v1_g2": (140e6, 0.0035, "Zhang et al. 2018, Table 1 (without the classifier)"),
    "shufflenet_v1_g3": (137e6, 0.0037, "Zhang et al. 2018, Table 1 (without the classifier)"),
    "shufflenet_v1_g4": (133e6, 0.0037, "Zhang et al. 2018, Table 1 (without the classifier)"),
    "shufflenet_v1_g8": (137e6, 0.0037, "Zhang et al. 2018, Table 1 (without the classifier)"),
    "darknet19": (5.58e9 / 2, 0.001, "Redmon & Farhadi 2017, §Darknet-19: 5.58 G operations = 2 × MACs"),
    "overfeat_fast": (2810e6, 0.005, "Sermanet et al. 2014, Table 4 (connections)"),
    "overfeat_accurate": (5369e6, 0.005, "Sermanet et al. 2014, Table 4 (connections)"),
    "peleenet": (508e6, 0.001, "Wang et al. 2018, Table 3"),
    "proxylessnas_mobile": (320.4e6, 0.0005, "the authors' logs/imagenet_mobile_log.txt: Total FLOPs 320.4M"),
}
# over ~2 s to build (or count) on two shared cores
HEAVY = {"fractalnet20", "fractalnet40", "overfeat_fast", "overfeat_accurate", "sppnet_zf5", "pyramidnet_110_a270",
         "pyramidnet_164_a270_bottleneck", "pyramidnet_272_a200_bottleneck", "darknet19"}
# small inputs for forward + backward (the CIFAR nets at 16×16; OverFeat only takes its own size)
SMALL_INPUT = {"overfeat_fast": 231, "overfeat_accurate": 221, "sppnet_zf5": 99}
# forward + backward over ~2 s (110-layer nets, DenseNet-121): slow; small PyramidNets run in the default suite
HEAVY_TRAINING = HEAVY | {"randwire_ws_regular", "pyramidnet_110_a48", "pyramidnet_110_a84", "chexnet", "revnet110"}
CIFAR = {name for name in COUNTS if name.startswith(("pyramidnet", "revnet"))} | {"simplenet_cifar"}


def _count(model):
    return sum(p.numel() for p in model.parameters())


def test_every_paper_model_is_registered_and_counted():
    assert set(models.PAPER_MODELS) == set(COUNTS)
    assert set(models.PAPER_MODELS) <= set(models.list_models())


@pytest.mark.parametrize("name", sorted(set(COUNTS) - HEAVY))
def test_parameter_count(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEAVY & set(COUNTS)))
def test_parameter_count_heavy(name):
    assert _count(models.get_model(name)) == COUNTS[name]


@pytest.mark.parametrize("name", sorted(PAPER_PARAMS))
def test_count_against_the_paper(name):
    """Our exact count (COUNTS, checked above by building) is the paper's to its stated rounding."""
    stated, rtol, where = PAPER_PARAMS[name]
    assert abs(COUNTS[name] - stated) <= rtol * stated, f"{name}: {COUNTS[name]:,} vs {stated:,.0f} ({where})"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAPER_MACS))
def test_cost_against_the_paper(name):
    stated, rtol, where = PAPER_MACS[name]
    size = models.MODELS[name][1]
    model = models.get_model(name)
    macs = minidl.summary(model, size, print_table=False).total_macs
    if name.startswith("shufflenet_v1"):
        macs -= model.fc.weight.numel()
    assert abs(macs - stated) <= rtol * stated, f"{name}: {macs:,} MACs vs {stated:,.0f} ({where})"


def test_shufflenet_v1_g3_cost_against_the_paper():
    """One cost check in the default run: Table 1's 137 MFLOPs for g = 3 at 224×224 (the paper's
    complexity row leaves out the 960 × 1000 classifier)."""
    model = models.shufflenet_v1_g3()
    macs = minidl.summary(model, (3, 224, 224), print_table=False).total_macs
    assert macs == 137_460_672 and round((macs - 960 * 1000) / 1e6) == 137


def _forward_backward(name, classes=5):
    """One float32 forward and backward (all parameter gradients finite), then an eval forward."""
    model = models.get_model(name, num_classes=classes)
    size = SMALL_INPUT.get(name, 16 if name in CIFAR else 32)
    x = minidl.randn(2, 3, size, size)
    logits = model(x)
    assert logits.shape == (2, classes) and logits.dtype == minidl.float32
    minidl.nn.functional.cross_entropy(logits, minidl.tensor([0, 1])).backward()
    for key, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad.numpy()).all(), key
    model.eval()
    with minidl.no_grad():
        assert model(x).shape == (2, classes)


@pytest.mark.parametrize("name", sorted(set(COUNTS) - HEAVY_TRAINING))
def test_forward_and_backward(name):
    _forward_backward(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEAVY_TRAINING & set(COUNTS)))
def test_forward_and_backward_heavy(name):
    _forward_backward(name)


@pytest.mark.parametrize("bottleneck,depth", [(False, 20), (True, 29)])
def test_small_pyramidnets_forward_and_backward(bottleneck, depth):
    model = models.PyramidNet(depth, 48, bottleneck, num_classes=3)
    x = minidl.randn(2, 3, 8, 8, requires_grad=True)
    model(x).sum().backward()
    assert x.grad.shape == x.shape and model.fc.in_features == (64 * 4 if bottleneck else 64)


# ------------------------------------------------------------------ model-specific behaviour

def test_shufflenet_v1_units_shuffle_between_grouped_convs():
    model = models.shufflenet_v1_g3()
    unit = model.stage3[1]
    assert unit.conv1.groups == 3 and unit.conv3.groups == 3 and unit.shuffle.groups == 3
    assert model.stage2[0].conv1.groups == 1  # too few input channels (24) to group
    widths = [model.stage2[-1].bn3.num_features, model.stage3[-1].bn3.num_features, model.fc.in_features]
    assert widths == [240, 480, 960]


@pytest.mark.parametrize("groups,width,expected", [(1, 0.75, 975_214), (3, 0.75, 1_238_266), (1, 0.5, 534_484),
                                                   (3, 0.5, 718_324), (1, 0.25, 209_746), (3, 0.25, 305_902)])
def test_shufflenet_v1_width_multipliers(groups, width, expected):
    """Table 2's "ShuffleNet s×" (0.25×–0.75×); the counts are those an independent port
    (osmr/imgclsmob, shufflenet.py) asserts, as are the five 1× counts above."""
    assert _count(models.ShuffleNetV1(groups, width)) == expected


def test_pyramidnet_widens_every_unit():
    model = models.pyramidnet_110_a48()
    widths = [unit.conv1.out_channels for stage in (model.layer1, model.layer2, model.layer3) for unit in stage]
    assert len(widths) == 54 and widths[0] == 17 and widths[-1] == 64
    assert all(0 <= b - a <= 1 for a, b in zip(widths, widths[1:]))  # +α/N = 0.89 per unit, rounded


def test_fractal_block_columns_and_drop_path():
    """C = 3: 7 convolutions (3 read the input), columns of depth 4, 2, 1 joined by means (eq. 2)."""
    block = models.fractalnet.FractalBlock(2, 4, 3, drop_path=0.5)
    c = block.convs  # build order of f_3 = join(f_2(f_2(z)), conv(z)), f_2 = join(conv(conv(z)), conv(z))
    assert len(c) == 7 and [i for i in range(7) if c[i][0].in_channels == 2] == [0, 2, 6]
    block.eval()
    x = minidl.randn(1, 2, 4, 4)
    j = (c[1](c[0](x)) + c[2](x)) / 2
    expected = (c[4](c[3](j)) + c[5](j) + c[6](x)) / 3
    np.testing.assert_allclose(block(x).detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    minidl.manual_seed(0)
    model = models.FractalNet(2, 2, (4, 4), drop_path=0.5, num_classes=3)  # training: joins drop inputs
    model(minidl.randn(2, 3, 8, 8)).sum().backward()
    assert all(p.grad is not None for p in model.fc.parameters())


def test_randwire_graphs_are_seeded_dags():
    from minidl.models.randwire import watts_strogatz_dag

    edges = watts_strogatz_dag(32, 4, 0.75, np.random.default_rng(0))
    assert len(edges) == 64 and all(i < j for i, j in edges)  # N·K/2 edges, oriented by index
    assert edges == watts_strogatz_dag(32, 4, 0.75, np.random.default_rng(0))
    assert watts_strogatz_dag(8, 2, 0.0) == [(0, 1), (0, 7), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7)]  # the ring
    a, b = models.randwire_ws_small(seed=0), models.randwire_ws_small(seed=1)
    assert a.stages[0].edges != b.stages[0].edges
    assert _count(models.randwire_ws_small(seed=0)) == COUNTS["randwire_ws_small"]
    assert abs(_count(b) - 5.6e6) <= 0.03 * 5.6e6


@pytest.mark.parametrize("name,authors", [("espnetv2_w1", 1_670_072), ("espnetv2_w2", 3_498_136)])
def test_espnetv2_count_against_the_authors_code(name, authors):
    """The authors' code counts one PReLU slope per channel of each strided EESP unit's output, built
    but never used (the residual it would follow is skipped); ours leaves them out.  With them, the
    count is the authors' (the paper's 1.67 M / 3.49 M)."""
    model = models.get_model(name)
    unused = sum(unit.eesp.merge[0].out_channels for unit in model.downsample)
    assert _count(model) + unused == authors


def test_revnet_recomputing_backward_equals_the_ordinary_one():
    """RevNet-38 with reversible stages and with ordinary ones (same weights): the same logits,
    input and parameter gradients; the reversible stages leave one node each in the graph."""
    x_np = np.random.default_rng(0).standard_normal((2, 3, 8, 8))
    results = []
    for ordinary in (False, True):
        minidl.manual_seed(0)
        model = models.revnet38(num_classes=3, ordinary=ordinary).to(minidl.float64)
        x = minidl.tensor(x_np, requires_grad=True)
        out = model(x)
        out.sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), [p.grad.numpy() for p in model.parameters()]))
        if not ordinary:
            assert type(model.layer1[0].blocks[0]).__name__ == "ReversibleBlock"
    (out_r, gx_r, gp_r), (out_o, gx_o, gp_o) = results
    np.testing.assert_allclose(out_r, out_o, rtol=1e-12)
    np.testing.assert_allclose(gx_r, gx_o, rtol=1e-8, atol=1e-12)
    for a, b in zip(gp_r, gp_o):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


@pytest.mark.slow
def test_chexnet_is_a_multilabel_densenet121():
    model = models.chexnet(sigmoid_output=True)
    assert model.classifier.out_features == 14
    model.eval()
    with minidl.no_grad():
        p = model(minidl.randn(1, 3, 32, 32)).numpy()
    assert p.shape == (1, 14) and ((p > 0) & (p < 1)).all()


@pytest.mark.slow
def test_sppnet_pyramid_is_fixed_length():
    """{6, 3, 2, 1}: 50 bins per channel whatever the map, the 1×1 level being the global max."""
    model = models.sppnet_zf5(num_classes=3)
    assert isinstance(model.spp, minidl.nn.SpatialPyramidPooling) and model.classifier[0].in_features == 256 * 50
    x = minidl.randn(2, 256, 9, 13)
    out = model.spp(x)
    assert out.shape == (2, 256 * 50)
    np.testing.assert_allclose(out.numpy()[:, -256:], x.numpy().max((2, 3)))


@pytest.mark.slow
def test_sppnet_model_takes_any_input_size():
    model = models.sppnet_zf5(num_classes=3)
    model.eval()
    with minidl.no_grad():
        assert model(minidl.randn(1, 3, 99, 99)).shape == model(minidl.randn(1, 3, 131, 117)).shape == (1, 3)


@pytest.mark.slow
def test_overfeat_names_the_input_size_it_needs():
    with pytest.raises(ValueError, match=r"6×6 feature map \(231×231 inputs\)"):
        models.overfeat_fast(num_classes=2)(minidl.randn(1, 3, 224, 224))
