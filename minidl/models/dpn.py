"""Dual Path Networks (Chen, Li, Xiao, Jin, Yan & Feng 2017, "Dual path networks") as timm builds
them (the authors' MXNet layout, ported).

Key idea: a ResNet *re-uses* features (its residual path adds to the same channels) while a
DenseNet *explores* new ones (its dense path concatenates).  Each DPN block does both on one
tensor: the first ``bw`` channels are a residual path, the rest a densely growing path that every
block extends by ``inc`` channels.  Blocks are pre-activation (BN → ReLU → conv) ResNeXt
bottlenecks.  timm's names (``features.conv2_1.c1x1_a.conv.weight``, ``classifier``).
"""
import collections

from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias


class BnActConv2d(nn.Module):
    """BatchNorm (eps 1e-3) → ReLU → Conv2d (no bias), 'same' padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, groups=1):
        super().__init__()
        self.bn = nn.BatchNorm2d(in_channels, eps=0.001)
        self.act = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, ((stride - 1) + (kernel_size - 1)) // 2,
                              groups=groups, bias=False)

    def forward(self, x):
        return self.conv(self.act(self.bn(x)))


class DualPathBlock(nn.Module):
    """Input: [residual (bw channels) | dense (d channels)] → output: [residual + new (bw) | dense |
    new dense (inc)].  'proj'/'down' blocks first project the input to bw + 2·inc channels (stride 2
    for 'down') to start the two paths of a stage."""

    def __init__(self, in_channels, num_1x1_a, num_3x3_b, bw, inc, groups, block_type="normal"):
        super().__init__()
        self.bw = bw
        stride = 2 if block_type == "down" else 1
        if block_type == "proj":
            self.c1x1_w_s1 = BnActConv2d(in_channels, bw + 2 * inc, 1)
        elif block_type == "down":
            self.c1x1_w_s2 = BnActConv2d(in_channels, bw + 2 * inc, 1, stride=2)
        self.c1x1_a = BnActConv2d(in_channels, num_1x1_a, 1)
        self.c3x3_b = BnActConv2d(num_1x1_a, num_3x3_b, 3, stride, groups)
        self.c1x1_c = BnActConv2d(num_3x3_b, bw + inc, 1)

    def forward(self, x):
        projection = getattr(self, "c1x1_w_s1", None) or getattr(self, "c1x1_w_s2", None)
        paths = x if projection is None else projection(x)
        new = self.c1x1_c(self.c3x3_b(self.c1x1_a(x)))
        bw = self.bw
        return cat([paths[:, :bw] + new[:, :bw], paths[:, bw:], new[:, bw:]], 1)


class DPN(nn.Module):
    """Stem → four stages of DualPathBlocks (k_sec blocks, dense increments inc_sec) → BN + ReLU →
    global average pool → 1×1 conv ``classifier``.  small=True: DPN-68's 3×3 stem and bottleneck
    width ×1 instead of ×4.  Input (N, 3, H, W) → (N, num_classes).
    (timm 1.0.31 declares ELU for the last BN but builds ReLU; minidl follows what timm builds, so
    timm's weights give the same logits.)"""

    def __init__(self, k_sec, inc_sec, k_r, groups, num_init_features, small=False, num_classes=1000, in_channels=3):
        super().__init__()
        blocks = collections.OrderedDict()
        blocks["conv1_1"] = nn.ConvNormAct(in_channels, num_init_features, 3 if small else 7, stride=2, eps=0.001)
        blocks["conv1_pool"] = nn.MaxPool2d(3, stride=2, padding=1)
        channels = num_init_features
        for i, (base, depth, inc) in enumerate(zip((64, 128, 256, 512), k_sec, inc_sec)):
            bw, r = base * (1 if small else 4), k_r * base // 64
            blocks[f"conv{i + 2}_1"] = DualPathBlock(channels, r, r, bw, inc, groups, "proj" if i == 0 else "down")
            channels = bw + 3 * inc
            for j in range(2, depth + 1):
                blocks[f"conv{i + 2}_{j}"] = DualPathBlock(channels, r, r, bw, inc, groups)
                channels += inc
        blocks["conv5_bn_ac"] = nn.Sequential(collections.OrderedDict(
            bn=nn.BatchNorm2d(channels, eps=0.001), act=nn.ReLU()))
        self.features = nn.Sequential(blocks)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Conv2d(channels, num_classes, 1)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        return self.classifier(self.global_pool(self.features(x))).flatten(1)


def dpn68(num_classes=1000, in_channels=3):
    """DPN-68 (timm): 12,611,602 parameters."""
    return DPN((3, 4, 12, 3), (16, 32, 32, 64), 128, 32, 10, small=True, num_classes=num_classes,
               in_channels=in_channels)


def dpn92(num_classes=1000, in_channels=3):
    """DPN-92 (the paper's Table 1; timm): 37,668,392 parameters."""
    return DPN((3, 4, 20, 3), (16, 32, 24, 128), 96, 32, 64, num_classes=num_classes, in_channels=in_channels)
