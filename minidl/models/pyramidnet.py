"""PyramidNet (Han, Kim & Kim 2017, "Deep pyramidal residual networks", CVPR; arXiv:1610.02915).

Key idea: instead of doubling the width at each downsampling (ResNet), widen *every* residual
unit a little, linearly ("additive" widening, eq. 2): unit k of N has D_k = 16 + k·α/N channels,
so the width grows from 16 to 16 + α like a pyramid.  The unit is BN → conv → BN → ReLU → conv →
BN (Fig. 6 (d): no ReLU at the start or end of the branch), and the shortcut is the identity,
average-pooled 2×2 where the resolution halves and padded with zero channels to the new width.

Layout (CIFAR, §4.1 and the authors' code): conv 3×3 with 16 filters → BN, three stages of n
units on 32², 16², 8² maps, BN → ReLU → global average pooling → linear.  Basic units: depth
= 6n + 2; bottleneck units (1×1 D_k → 3×3 D_k → 1×1 4·D_k): depth = 9n + 2.  D_k is rounded to
the nearest integer from the running sum 16 + k·α/N.

Counts against Table 4 of the paper (CIFAR-10, 10-way head; the paper gives 0.1 M steps) — and the
output widths in the authors' README table (64, 100, 286, 1144, 864), which ours equal:
  pyramidnet_110_a48              1,772,706   paper 1.7 M
  pyramidnet_110_a84              3,904,446   paper 3.8 M
  pyramidnet_110_a270            28,485,477   paper 28.3 M
  pyramidnet_164_a270_bottleneck 27,216,021   paper 27.0 M
  pyramidnet_272_a200_bottleneck 26,210,842   paper 26.0 M
Ours are 0.7–4 % above the stated numbers while the widths agree; the authors' Torch code
(addpyramidnet.lua) builds the same layers, and an independent port (osmr/imgclsmob,
``pyramidnet_cifar.py``) asserts exactly our five counts — so the gap is in how the paper counted
(it is not the BatchNorm parameters alone, 13 k for α=48), which we could not reproduce.
"""
import math

from .. import nn
from ..functions.joining import pad
from ._init import kaiming_conv_zero_bias

# Table 4 of the paper (millions of parameters)
PAPER_COUNTS = {"pyramidnet_110_a48": 1.7e6, "pyramidnet_110_a84": 3.8e6, "pyramidnet_110_a270": 28.3e6,
                "pyramidnet_164_a270_bottleneck": 27.0e6, "pyramidnet_272_a200_bottleneck": 26.0e6}


class PyramidShortcut(nn.Module):
    """Identity (2×2/2 average pooled when ``stride`` is 2) with ``extra_channels`` zero channels at the end."""

    def __init__(self, stride, extra_channels):
        super().__init__()
        self.pool = nn.AvgPool2d(2, 2, ceil_mode=True) if stride == 2 else nn.Identity()
        self.extra_channels = extra_channels

    def forward(self, x):
        return pad(self.pool(x), (0, 0, 0, 0, 0, self.extra_channels))


class PyramidBasicBlock(nn.Module):
    expansion = 1

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = PyramidShortcut(stride, planes - c_in)

    def forward(self, x):
        out = self.conv2(self.relu(self.bn2(self.conv1(self.bn1(x)))))
        return self.bn3(out) + self.shortcut(x)


class PyramidBottleneck(nn.Module):
    expansion = 4

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, planes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn4 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = PyramidShortcut(stride, planes * 4 - c_in)

    def forward(self, x):
        out = self.relu(self.bn2(self.conv1(self.bn1(x))))
        out = self.conv3(self.relu(self.bn3(self.conv2(out))))
        return self.bn4(out) + self.shortcut(x)


class PyramidNet(nn.Module):
    def __init__(self, depth, alpha, bottleneck=False, num_classes=10, in_channels=3):
        super().__init__()
        per_unit = 9 if bottleneck else 6
        if (depth - 2) % per_unit:
            raise ValueError(f"PyramidNet: depth must be {per_unit}n + 2 for "
                             f"{'bottleneck' if bottleneck else 'basic'} units, got {depth}")
        n = (depth - 2) // per_unit
        block = PyramidBottleneck if bottleneck else PyramidBasicBlock
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        width, step, c = 16.0, alpha / (3 * n), 16
        for stage in range(3):
            units = []
            for index in range(n):
                width += step
                units.append(block(c, math.floor(width + 0.5), 2 if stage > 0 and index == 0 else 1))
                c = math.floor(width + 0.5) * block.expansion
            setattr(self, f"layer{stage + 1}", nn.Sequential(*units))
        self.bn_final = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 32, 32) → (N, num_classes)."""
        x = self.bn1(self.conv1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.relu(self.bn_final(x)).mean((2, 3)))


def pyramidnet_110_a48(num_classes=10, in_channels=3):
    return PyramidNet(110, 48, False, num_classes, in_channels)


def pyramidnet_110_a84(num_classes=10, in_channels=3):
    return PyramidNet(110, 84, False, num_classes, in_channels)


def pyramidnet_110_a270(num_classes=10, in_channels=3):
    return PyramidNet(110, 270, False, num_classes, in_channels)


def pyramidnet_164_a270_bottleneck(num_classes=10, in_channels=3):
    return PyramidNet(164, 270, True, num_classes, in_channels)


def pyramidnet_272_a200_bottleneck(num_classes=10, in_channels=3):
    return PyramidNet(272, 200, True, num_classes, in_channels)
