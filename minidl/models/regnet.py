"""RegNetX and RegNetY (Radosavovic, Kosaraju, Girshick, He & Dollár 2020, "Designing network
design spaces") as timm builds them.

Key idea: instead of searching for one network, search for a *design space* and simplify it until
the good networks follow a rule: block widths grow linearly, u_j = w₀ + w_a·j, and are then
snapped to a geometric ladder w₀·w_mᵏ (eqs. 2–4), which makes the stages.  Every block is a
ResNeXt bottleneck with ratio 1 and a fixed group width; RegNetY adds squeeze-excitation.
Four numbers (w₀, w_a, w_m, depth) plus the group width define a whole network.
timm's layout and names (``stem.conv``, ``s1.b1.conv2.conv``, ``head.fc``).
"""
import collections

import numpy as np

from .. import nn
from ._init import kaiming_conv_zero_bias
from .heads import ClassifierHead
from .resnet import SqueezeExcitation


def regnet_widths(w0, wa, wm, depth, group_size, quant=8):
    """Per-stage (widths, depths, group widths) from the linear rule (Radosavovic et al. 2020, §3.3).

    u_j = w₀ + w_a·j (j < depth); s_j = round(log(u_j / w₀) / log w_m); w_j = w₀·w_mˢʲ rounded to a
    multiple of ``quant``.  Equal consecutive widths form a stage; a stage's width is then rounded
    to a multiple of its group width g = min(group_size, width), as timm does (computed in float32
    like timm, so rounding ties break the same way)."""
    u = np.arange(depth, dtype=np.float32) * np.float32(wa) + np.float32(w0)
    steps = np.round(np.log(u / np.float32(w0)) / np.float32(np.log(wm)))
    widths = (np.round(np.float32(w0) * np.power(np.float32(wm), steps) / quant) * quant).astype(int)
    stage_widths, stage_depths = np.unique(widths, return_counts=True)
    groups = [min(group_size, int(w)) for w in stage_widths]
    stage_widths = [int(round(int(w) / g) * g) for w, g in zip(stage_widths, groups)]
    return stage_widths, [int(d) for d in stage_depths], groups


class RegNetBottleneck(nn.Module):
    """1×1 → 3×3 grouped (group width g, stride s) → [SE] → 1×1, BN after each, + shortcut → ReLU.
    The SE width is ``se_ratio`` × the block's *input* channels (pycls's and timm's convention)."""

    def __init__(self, in_channels, out_channels, stride=1, group_size=1, se_ratio=0.0):
        super().__init__()
        self.conv1 = nn.ConvNormAct(in_channels, out_channels, 1)
        self.conv2 = nn.ConvNormAct(out_channels, out_channels, 3, stride, groups=out_channels // group_size)
        self.se = SqueezeExcitation(out_channels, rd_channels=int(round(in_channels * se_ratio))) if se_ratio \
            else nn.Identity()
        self.conv3 = nn.ConvNormAct(out_channels, out_channels, 1, apply_act=False)
        self.act3 = nn.ReLU()
        if in_channels != out_channels or stride != 1:
            self.downsample = nn.ConvNormAct(in_channels, out_channels, 1, stride, apply_act=False)
        else:
            self.downsample = nn.Identity()

    def forward(self, x):
        return self.act3(self.conv3(self.se(self.conv2(self.conv1(x)))) + self.downsample(x))


class RegNet(nn.Module):
    """Stem (3×3/2 ConvNormAct, 32 channels) → stages s1…s4 of RegNetBottlenecks (the first of each
    with stride 2) → global average pool → ``head.fc``.  Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, w0, wa, wm, depth, group_size, se_ratio=0.0, num_classes=1000, in_channels=3, stem_width=32):
        super().__init__()
        self.stem = nn.ConvNormAct(in_channels, stem_width, 3, stride=2)
        prev = stem_width
        for i, (width, blocks, group) in enumerate(zip(*regnet_widths(w0, wa, wm, depth, group_size))):
            stage = collections.OrderedDict(
                (f"b{j + 1}", RegNetBottleneck(prev if j == 0 else width, width, 2 if j == 0 else 1, group, se_ratio))
                for j in range(blocks))
            setattr(self, f"s{i + 1}", nn.Sequential(stage))
            prev = width
        self.num_stages = i + 1
        self.head = ClassifierHead(prev, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        x = self.stem(x)
        for i in range(self.num_stages):
            x = getattr(self, f"s{i + 1}")(x)
        return self.head(x)


# (w0, wa, wm, depth, group width) of the paper's RegNetX/Y-200MF…3.2GF models, as pycls and timm give them
def regnetx_002(num_classes=1000, in_channels=3):
    """RegNetX-200MF: 2,684,792 parameters."""
    return RegNet(24, 36.44, 2.49, 13, 8, num_classes=num_classes, in_channels=in_channels)


def regnetx_004(num_classes=1000, in_channels=3):
    """RegNetX-400MF: 5,157,512 parameters."""
    return RegNet(24, 24.48, 2.54, 22, 16, num_classes=num_classes, in_channels=in_channels)


def regnetx_016(num_classes=1000, in_channels=3):
    """RegNetX-1.6GF: 9,190,136 parameters."""
    return RegNet(80, 34.01, 2.25, 18, 24, num_classes=num_classes, in_channels=in_channels)


def regnetx_032(num_classes=1000, in_channels=3):
    """RegNetX-3.2GF: 15,296,552 parameters."""
    return RegNet(88, 26.31, 2.25, 25, 48, num_classes=num_classes, in_channels=in_channels)


def regnety_002(num_classes=1000, in_channels=3):
    """RegNetY-200MF (SE ratio 0.25): 3,162,996 parameters."""
    return RegNet(24, 36.44, 2.49, 13, 8, 0.25, num_classes=num_classes, in_channels=in_channels)


def regnety_016(num_classes=1000, in_channels=3):
    """RegNetY-1.6GF: 11,202,430 parameters."""
    return RegNet(48, 20.71, 2.65, 27, 24, 0.25, num_classes=num_classes, in_channels=in_channels)


def regnety_032(num_classes=1000, in_channels=3):
    """RegNetY-3.2GF: 19,436,338 parameters."""
    return RegNet(80, 42.63, 2.66, 21, 24, 0.25, num_classes=num_classes, in_channels=in_channels)
