"""EfficientNet B0–B7 (Tan & Le 2019) and the NAS-found mobile networks built from the same
blocks: MnasNet (Tan et al. 2019), MixNet (Tan & Le 2019, MixConv), FBNet (Wu et al. 2019) and
Single-Path NAS (Stamoulis et al. 2019).

Key ideas: an architecture search (MnasNet, FBNet, Single-Path NAS) picks, per stage, the kernel
size, expansion and depth of MobileNet v2's inverted residual blocks, with latency in the
objective.  EfficientNet adds squeeze-and-excitation and swish to such a searched B0, then scales
it up *compoundly*: depth ×α^φ, width ×β^φ and resolution ×γ^φ together (α·β²·γ² ≈ 2), which
beats scaling any one of them.  MixNet mixes several depthwise kernel sizes inside one layer.

Each network is one architecture definition (efficientnet_builder.py explains the notation) and
the one ``EfficientNet`` class: stem conv → stages of blocks → 1×1 head conv → global average pool
→ dropout → linear.  Layout, padding (symmetric, PyTorch style: these are timm's ``efficientnet_*``,
not the TensorFlow-ported ``tf_efficientnet_*`` with asymmetric SAME padding), BatchNorm eps 1e-5
and parameter names are timm's, so ``model.load_state_dict(from_torch(timm_model.state_dict()))``
works key for key and gives timm's logits.  Counts are timm 1.0.31's (../shared/guide/CNN_SURVEY.md).
"""
import math

from .. import nn
from .efficientnet_blocks import BatchNormAct2d
from .efficientnet_builder import build_stages, round_channels


def init_efficientnet(model):
    """The TensorFlow reference initialisation (timm's ``_init_weight_goog``): convs N(0, 2/fan_out)
    with fan_out = kh·kw·out_channels/groups, BN γ = 1, β = 0, linear U(±1/√out_features), biases 0."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / (kh * kw * module.out_channels // module.groups)))
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            bound = 1.0 / math.sqrt(module.out_features)
            nn.init.uniform_(module.weight, -bound, bound)
            nn.init.zeros_(module.bias)


class EfficientNet(nn.Module):
    """conv_stem (3×3, stride 2) → bn1 → blocks (stages) → conv_head (1×1) → bn2 → pool → classifier.

    arch_def: stages of block strings (efficientnet_builder.py); act_layer: the default activation
    (a Module class); stem_size and the block widths are scaled by ``channel_multiplier``,
    num_features (the head width) is taken as given; drop_rate: dropout before the classifier;
    drop_path_rate: the deepest block's stochastic-depth rate (linear in depth, 0 for the first).

    Shapes: x (N, in_channels, H, W) → logits (N, num_classes); the stages reduce H, W by 32.
    """

    def __init__(self, arch_def, num_classes=1000, in_channels=3, stem_size=32, num_features=1280,
                 channel_multiplier=1.0, depth_multiplier=1.0, depth_trunc="ceil", act_layer=nn.ReLU,
                 drop_rate=0.0, drop_path_rate=0.0):
        super().__init__()
        stem_size = round_channels(stem_size, channel_multiplier)
        self.conv_stem = nn.Conv2d(in_channels, stem_size, 3, 2, 1, bias=False)
        self.bn1 = BatchNormAct2d(stem_size, act_layer)
        stages, head_in = build_stages(arch_def, stem_size, act_layer, channel_multiplier, depth_multiplier,
                                       depth_trunc, drop_path_rate=drop_path_rate)
        self.blocks = nn.Sequential(*stages)
        self.conv_head = nn.Conv2d(head_in, num_features, 1, bias=False)
        self.bn2 = BatchNormAct2d(num_features, act_layer)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(drop_rate)
        self.classifier = nn.Linear(num_features, num_classes)
        self.num_features, self.drop_rate = num_features, drop_rate
        init_efficientnet(self)

    def forward_features(self, x):
        """(N, C, H, W) → the last feature map (N, num_features, H/32, W/32)."""
        return self.bn2(self.conv_head(self.blocks(self.bn1(self.conv_stem(x)))))

    def forward_head(self, x):
        return self.classifier(self.dropout(self.global_pool(x).flatten(1)))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


# --------------------------------------------------------------------------------------------------
# The architectures.  EfficientNet-B0 is the paper's Table 1 (MBConv1 = the "ds" block, MBConv6 =
# "ir" with e6; every block with SE 0.25 and swish).

EFFICIENTNET_B0 = [
    ["ds_r1_k3_s1_e1_c16_se0.25"],
    ["ir_r2_k3_s2_e6_c24_se0.25"],
    ["ir_r2_k5_s2_e6_c40_se0.25"],
    ["ir_r3_k3_s2_e6_c80_se0.25"],
    ["ir_r3_k5_s1_e6_c112_se0.25"],
    ["ir_r4_k5_s2_e6_c192_se0.25"],
    ["ir_r1_k3_s1_e6_c320_se0.25"],
]
# (channel_multiplier, depth_multiplier, the paper's resolution, the paper's dropout) per variant.
EFFICIENTNET_SCALING = {
    "efficientnet_b0": (1.0, 1.0, 224, 0.2), "efficientnet_b1": (1.0, 1.1, 240, 0.2),
    "efficientnet_b2": (1.1, 1.2, 260, 0.3), "efficientnet_b3": (1.2, 1.4, 300, 0.3),
    "efficientnet_b4": (1.4, 1.8, 380, 0.4), "efficientnet_b5": (1.6, 2.2, 456, 0.4),
    "efficientnet_b6": (1.8, 2.6, 528, 0.5), "efficientnet_b7": (2.0, 3.1, 600, 0.5),
}
# MnasNet-B1 (Tan et al. 2019, Figure 7 without SE; torchvision's mnasnet1_0), ReLU.
MNASNET_B1 = [
    ["ds_r1_k3_s1_c16_noskip"],
    ["ir_r3_k3_s2_e3_c24"],
    ["ir_r3_k5_s2_e3_c40"],
    ["ir_r3_k5_s2_e6_c80"],
    ["ir_r2_k3_s1_e6_c96"],
    ["ir_r4_k5_s2_e6_c192"],
    ["ir_r1_k3_s1_e6_c320_noskip"],
]
# MixNet-S and -M (Tan & Le 2019, Figures 8 and 9): ReLU in the first stages, swish later.
MIXNET_S = [
    ["ds_r1_k3_s1_e1_c16"],
    ["ir_r1_k3_a1.1_p1.1_s2_e6_c24", "ir_r1_k3_a1.1_p1.1_s1_e3_c24"],
    ["ir_r1_k3.5.7_s2_e6_c40_se0.5_nsw", "ir_r3_k3.5_a1.1_p1.1_s1_e6_c40_se0.5_nsw"],
    ["ir_r1_k3.5.7_p1.1_s2_e6_c80_se0.25_nsw", "ir_r2_k3.5_p1.1_s1_e6_c80_se0.25_nsw"],
    ["ir_r1_k3.5.7_a1.1_p1.1_s1_e6_c120_se0.5_nsw", "ir_r2_k3.5.7.9_a1.1_p1.1_s1_e3_c120_se0.5_nsw"],
    ["ir_r1_k3.5.7.9.11_s2_e6_c200_se0.5_nsw", "ir_r2_k3.5.7.9_p1.1_s1_e6_c200_se0.5_nsw"],
]
MIXNET_M = [
    ["ds_r1_k3_s1_e1_c24"],
    ["ir_r1_k3.5.7_a1.1_p1.1_s2_e6_c32", "ir_r1_k3_a1.1_p1.1_s1_e3_c32"],
    ["ir_r1_k3.5.7.9_s2_e6_c40_se0.5_nsw", "ir_r3_k3.5_a1.1_p1.1_s1_e6_c40_se0.5_nsw"],
    ["ir_r1_k3.5.7_s2_e6_c80_se0.25_nsw", "ir_r3_k3.5.7.9_a1.1_p1.1_s1_e6_c80_se0.25_nsw"],
    ["ir_r1_k3_s1_e6_c120_se0.5_nsw", "ir_r3_k3.5.7.9_a1.1_p1.1_s1_e3_c120_se0.5_nsw"],
    ["ir_r1_k3.5.7.9_s2_e6_c200_se0.5_nsw", "ir_r3_k3.5.7.9_p1.1_s1_e6_c200_se0.5_nsw"],
]
# FBNet-C (Wu et al. 2019, Figure 4), ReLU; the head width 1984 is timm's reading of the paper.
FBNET_C = [
    ["ir_r1_k3_s1_e1_c16"],
    ["ir_r1_k3_s2_e6_c24", "ir_r2_k3_s1_e1_c24"],
    ["ir_r1_k5_s2_e6_c32", "ir_r1_k5_s1_e3_c32", "ir_r1_k5_s1_e6_c32", "ir_r1_k3_s1_e6_c32"],
    ["ir_r1_k5_s2_e6_c64", "ir_r1_k5_s1_e3_c64", "ir_r2_k5_s1_e6_c64"],
    ["ir_r3_k5_s1_e6_c112", "ir_r1_k5_s1_e3_c112"],
    ["ir_r4_k5_s2_e6_c184"],
    ["ir_r1_k3_s1_e6_c352"],
]
# Single-Path NAS for the Pixel 1 (Stamoulis et al. 2019, Figure 3), ReLU.
SPNASNET = [
    ["ds_r1_k3_s1_c16_noskip"],
    ["ir_r3_k3_s2_e3_c24"],
    ["ir_r1_k5_s2_e6_c40", "ir_r3_k3_s1_e3_c40"],
    ["ir_r1_k5_s2_e6_c80", "ir_r3_k3_s1_e3_c80"],
    ["ir_r1_k5_s1_e6_c96", "ir_r3_k5_s1_e3_c96"],
    ["ir_r4_k5_s2_e6_c192"],
    ["ir_r1_k3_s1_e6_c320_noskip"],
]


def _efficientnet(name, num_classes, in_channels, drop_rate, drop_path_rate):
    width, depth, _, _ = EFFICIENTNET_SCALING[name]
    return EfficientNet(EFFICIENTNET_B0, num_classes, in_channels, stem_size=32,
                        num_features=round_channels(1280, width), channel_multiplier=width,
                        depth_multiplier=depth, act_layer=nn.SiLU, drop_rate=drop_rate,
                        drop_path_rate=drop_path_rate)


def efficientnet_b0(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B0, 5,288,548 parameters.  timm's defaults: no dropout, no drop path (the paper
    trains with dropout 0.2 and drop path 0.2: pass them)."""
    return _efficientnet("efficientnet_b0", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b1(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B1 (width 1.0, depth 1.1), 7,794,184 parameters."""
    return _efficientnet("efficientnet_b1", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b2(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B2 (width 1.1, depth 1.2), 9,109,994 parameters."""
    return _efficientnet("efficientnet_b2", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b3(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B3 (width 1.2, depth 1.4), 12,233,232 parameters."""
    return _efficientnet("efficientnet_b3", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b4(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B4 (width 1.4, depth 1.8), 19,341,616 parameters."""
    return _efficientnet("efficientnet_b4", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b5(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B5 (width 1.6, depth 2.2), 30,389,784 parameters."""
    return _efficientnet("efficientnet_b5", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b6(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B6 (width 1.8, depth 2.6), 43,040,704 parameters."""
    return _efficientnet("efficientnet_b6", num_classes, in_channels, drop_rate, drop_path_rate)


def efficientnet_b7(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """EfficientNet-B7 (width 2.0, depth 3.1), 66,347,960 parameters."""
    return _efficientnet("efficientnet_b7", num_classes, in_channels, drop_rate, drop_path_rate)


def mnasnet_100(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """MnasNet-B1 at width 1.0 (= torchvision's mnasnet1_0 layout), 4,383,312 parameters."""
    return EfficientNet(MNASNET_B1, num_classes, in_channels, stem_size=32, num_features=1280,
                        drop_rate=drop_rate, drop_path_rate=drop_path_rate)


def mixnet_s(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """MixNet-S, 4,134,606 parameters."""
    return EfficientNet(MIXNET_S, num_classes, in_channels, stem_size=16, num_features=1536,
                        drop_rate=drop_rate, drop_path_rate=drop_path_rate)


def mixnet_m(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """MixNet-M, 5,014,382 parameters."""
    return EfficientNet(MIXNET_M, num_classes, in_channels, stem_size=24, num_features=1536,
                        depth_trunc="round", drop_rate=drop_rate, drop_path_rate=drop_path_rate)


def fbnetc_100(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """FBNet-C at width 1.0, 5,572,200 parameters."""
    return EfficientNet(FBNET_C, num_classes, in_channels, stem_size=16, num_features=1984,
                        drop_rate=drop_rate, drop_path_rate=drop_path_rate)


def spnasnet_100(num_classes=1000, in_channels=3, drop_rate=0.0, drop_path_rate=0.0):
    """Single-Path NAS (Pixel 1) at width 1.0, 4,421,616 parameters."""
    return EfficientNet(SPNASNET, num_classes, in_channels, stem_size=32, num_features=1280,
                        drop_rate=drop_rate, drop_path_rate=drop_path_rate)
