"""``minidl.models``: the model zoo, built only from the public ``minidl.nn`` API.

Every family has its own file; module names follow torchvision where it has the model, so
``model.load_state_dict(from_torch(torchvision_state_dict))`` works key for key.
"""
from .alexnet import AlexNet, AlexNetCIFAR, AlexNetPaper, ZFNet, alexnet, alexnet_cifar, alexnet_paper, zfnet  # noqa: F401
from .bn_inception import BNInception, bn_inception  # noqa: F401
from .densenet import DenseNet, densenet121, densenet161, densenet169, densenet201  # noqa: F401
from .efficientnet import (  # noqa: F401
    EfficientNet, efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, efficientnet_b5,
    efficientnet_b6, efficientnet_b7, fbnetc_100, mixnet_m, mixnet_s, mnasnet_100, spnasnet_100,
)
from .ghostnet import GhostNet, ghostnet_100  # noqa: F401
from .cspnet import CspNet, cspdarknet53, cspresnext50, darknet53  # noqa: F401
from .densenet import DenseNet, densenet121, densenet161, densenet169, densenet201  # noqa: F401
from .dpn import DPN, dpn68, dpn92  # noqa: F401
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet, googlenet_loss  # noqa: F401
from .hrnet import HighResolutionNet, hrnet_w18, hrnet_w18_small  # noqa: F401
from .inception import InceptionOutputs, InceptionV3, inception_v3  # noqa: F401
from .inception_v4 import InceptionResnetV2, InceptionV4, inception_resnet_v2, inception_v4  # noqa: F401
from .lenet import LeNet5, lenet5  # noqa: F401
from .mobilenet import (  # noqa: F401
    MobileNetV1, MobileNetV2, MobileNetV3, mobilenet_v1, mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small,
)
from .nasnet import NASNetA, nasnetalarge, nasnetamobile  # noqa: F401
from .pnasnet import PNASNet5Large, pnasnet5large  # noqa: F401
from .resnet import (  # noqa: F401
    ResNet, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, se_resnet50, wide_resnet50_2,
)
from .resnet import ecaresnet50d, resnet18d, resnet50d, resnext101_32x8d, senet154, wide_resnet101_2  # noqa: F401
from .regnet import (  # noqa: F401
    RegNet, regnetx_002, regnetx_004, regnetx_016, regnetx_032, regnety_002, regnety_016, regnety_032,
)
from .resnest import ResNestBottleneck, resnest14d, resnest50d  # noqa: F401
from .resnet_cifar import CifarResNet, resnet20, resnet32, resnet44, resnet56, resnet110  # noqa: F401
from .sknet import SelectiveKernelBasic, SelectiveKernelBottleneck, skresnet18, skresnet34, skresnext50_32x4d  # noqa: F401
from .shufflenet import ShuffleNetV2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0  # noqa: F401
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1  # noqa: F401
from .summary import ModelSummary, summary  # noqa: F401
from .torch_weights import from_torch  # noqa: F401
from .tresnet import TResNet, tresnet_m  # noqa: F401
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn  # noqa: F401
from .vovnet import VovNet, ese_vovnet19b_dw, vovnet39a  # noqa: F401
from .xception import Xception, xception  # noqa: F401
# catalogue entries only papers define (tests/models/test_zoo_papers.py)
from .chexnet import CheXNet, chexnet  # noqa: F401
from .darknet19 import Darknet19, darknet19  # noqa: F401
from .espnetv2 import ESPNetV2, espnetv2_w1, espnetv2_w2  # noqa: F401
from .fractalnet import FractalNet, fractalnet20, fractalnet40  # noqa: F401
from .overfeat import OverFeat, overfeat_accurate, overfeat_fast  # noqa: F401
from .peleenet import PeleeNet, peleenet  # noqa: F401
from .proxylessnas import ProxylessNAS, proxylessnas_cpu, proxylessnas_gpu, proxylessnas_mobile  # noqa: F401
from .pyramidnet import (  # noqa: F401
    PyramidNet, pyramidnet_110_a48, pyramidnet_110_a84, pyramidnet_110_a270, pyramidnet_164_a270_bottleneck,
    pyramidnet_272_a200_bottleneck,
)
from .randwire import RandWire, randwire_ws_regular, randwire_ws_small  # noqa: F401
from .revnet import RevNet, revnet38, revnet110  # noqa: F401
from .shufflenet_v1 import (  # noqa: F401
    ShuffleNetV1, shufflenet_v1_g1, shufflenet_v1_g2, shufflenet_v1_g3, shufflenet_v1_g4, shufflenet_v1_g8,
)
from .squeezenext import SqueezeNext, sqnxt23_w1, sqnxt23_w2, sqnxt23v5_w1, sqnxt23v5_w2  # noqa: F401
from .simplenet import SimpleNet, simplenet_cifar  # noqa: F401
from .sppnet import SPPNet, sppnet_zf5  # noqa: F401

PAPER_MODELS = {  # name → the paper's input size
    "shufflenet_v1_g1": 224, "shufflenet_v1_g2": 224, "shufflenet_v1_g3": 224, "shufflenet_v1_g4": 224,
    "shufflenet_v1_g8": 224, "darknet19": 224, "pyramidnet_110_a48": 32, "pyramidnet_110_a84": 32,
    "pyramidnet_110_a270": 32, "pyramidnet_164_a270_bottleneck": 32, "pyramidnet_272_a200_bottleneck": 32,
    "fractalnet20": 32, "fractalnet40": 32, "revnet38": 32, "revnet110": 32, "peleenet": 224, "chexnet": 224,
    "sqnxt23_w1": 227, "sqnxt23v5_w1": 227, "sqnxt23_w2": 227, "sqnxt23v5_w2": 227, "overfeat_fast": 231,
    "overfeat_accurate": 221, "sppnet_zf5": 224, "proxylessnas_gpu": 224, "proxylessnas_cpu": 224,
    "proxylessnas_mobile": 224, "randwire_ws_small": 224, "randwire_ws_regular": 224,
    "simplenet_cifar": 32, "espnetv2_w1": 224, "espnetv2_w2": 224,
}

# name → (constructor, native input size (C, H, W))
MODELS = {
    "lenet5": (lenet5, (1, 28, 28)),
    "alexnet": (alexnet, (3, 224, 224)),
    "alexnet_paper": (alexnet_paper, (3, 227, 227)),
    "alexnet_cifar": (alexnet_cifar, (3, 32, 32)),
    "zfnet": (zfnet, (3, 224, 224)),
    **{name: (globals()[name], (3, 224, 224)) for name in (
        "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "googlenet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
        "wide_resnet50_2", "se_resnet50", "densenet121", "densenet169", "densenet201", "densenet161",
        "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "shufflenet_v2_x0_5",
        "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "squeezenet1_0", "squeezenet1_1")},
    **{name: (globals()[name], (3, 32, 32)) for name in ("resnet20", "resnet32", "resnet44", "resnet56", "resnet110")},
    "inception_v3": (inception_v3, (3, 299, 299)),
    "xception": (xception, (3, 299, 299)),
    # the EfficientNet family and GhostNet at timm's default input sizes
    **{name: (globals()[name], (3, size, size)) for name, size in (
        ("efficientnet_b0", 224), ("efficientnet_b1", 240), ("efficientnet_b2", 256), ("efficientnet_b3", 288),
        ("efficientnet_b4", 320), ("efficientnet_b5", 448), ("efficientnet_b6", 528), ("efficientnet_b7", 600),
        ("mnasnet_100", 224), ("mixnet_s", 224), ("mixnet_m", 224), ("fbnetc_100", 224), ("spnasnet_100", 224),
        ("ghostnet_100", 224))},
    "bn_inception": (bn_inception, (3, 224, 224)),
    "inception_v4": (inception_v4, (3, 299, 299)),
    "inception_resnet_v2": (inception_resnet_v2, (3, 299, 299)),
    "nasnetalarge": (nasnetalarge, (3, 331, 331)),
    "nasnetamobile": (nasnetamobile, (3, 224, 224)),
    "pnasnet5large": (pnasnet5large, (3, 331, 331)),
    # timm's ResNet variants and the torchvision 101-layer ones (tests/models/test_zoo_resnets.py)
    **{name: (globals()[name], (3, 224, 224)) for name in (
        "resnet18d", "resnet50d", "ecaresnet50d", "senet154", "resnext101_32x8d", "wide_resnet101_2",
        "skresnet18", "skresnet34", "skresnext50_32x4d", "resnest14d", "resnest50d", "regnetx_002", "regnetx_004",
        "regnetx_016", "regnetx_032", "regnety_002", "regnety_016", "regnety_032", "dpn68", "dpn92")},
    **{name: (globals()[name], (3, 256, 256)) for name in ("darknet53", "cspdarknet53", "cspresnext50")},
    # HRNet, VoVNet/VoVNetV2 and TResNet (timm layouts)
    **{name: (globals()[name], (3, 224, 224)) for name in (
        "hrnet_w18_small", "hrnet_w18", "vovnet39a", "ese_vovnet19b_dw", "tresnet_m")},
    # catalogue entries only papers define, at their papers' input sizes (tests/models/test_zoo_papers.py)
    **{name: (globals()[name], (3, size, size)) for name, size in PAPER_MODELS.items()},
}


def list_models():
    """The names of every model in the zoo, sorted."""
    return sorted(MODELS)


def get_model(name, **kwargs):
    if name not in MODELS:
        raise ValueError(f"get_model: unknown model {name!r}; minidl.models.list_models() lists {len(MODELS)} models")
    return MODELS[name][0](**kwargs)
