"""Darknet-53 (Redmon & Farhadi 2018, "YOLOv3: An incremental improvement") and the Cross Stage
Partial networks CSPDarknet-53 and CSPResNeXt-50 (Wang, Liao, Wu, Chen, Hsieh & Yeh 2020,
"CSPNet: A new backbone that can enhance learning capability of CNN"), as timm builds them.

Key idea of CSPNet: split each stage's feature map in two halves; only one half runs through the
stage's blocks, the other crosses the stage untouched, and a transition convolution merges
them.  The gradient reaching the blocks' input no longer duplicates the one through the
shortcut half, and the stage costs about half the computation.
timm's layout and names (``stem.conv1``, ``stages.0.conv_exp``, ``stages.0.blocks.0.conv1``,
``head.fc``); LeakyReLU with timm's slope 0.01 (Darknet's own is 0.1).
"""
import collections
from functools import partial

from .. import nn
from ..functions.joining import cat, split
from ._init import kaiming_conv_zero_bias
from .heads import ClassifierHead

ConvBnLeaky = partial(nn.ConvNormAct, act_layer=nn.LeakyReLU)


class DarkBlock(nn.Module):
    """Darknet residual: 1×1 to ``mid`` → 3×3 back to ``out`` channels, + x (no activation after)."""

    def __init__(self, in_channels, out_channels, bottle_ratio=0.5, groups=1):
        super().__init__()
        mid = int(round(out_channels * bottle_ratio))
        self.conv1 = ConvBnLeaky(in_channels, mid, 1)
        self.conv2 = ConvBnLeaky(mid, out_channels, 3, groups=groups)

    def forward(self, x):
        return self.conv2(self.conv1(x)) + x


class BottleneckBlock(nn.Module):
    """ResNeXt bottleneck: 1×1 → 3×3 grouped → 1×1 (no act), + x, LeakyReLU."""

    def __init__(self, in_channels, out_channels, bottle_ratio=1.0, groups=1):
        super().__init__()
        mid = int(round(out_channels * bottle_ratio))
        self.conv1 = ConvBnLeaky(in_channels, mid, 1)
        self.conv2 = ConvBnLeaky(mid, mid, 3, groups=groups)
        self.conv3 = ConvBnLeaky(mid, out_channels, 1, apply_act=False)
        self.act3 = nn.LeakyReLU()

    def forward(self, x):
        return self.act3(self.conv3(self.conv2(self.conv1(x))) + x)


class DarkStage(nn.Module):
    """Darknet stage: 3×3 stride-2 convolution, then ``depth`` DarkBlocks."""

    def __init__(self, in_channels, out_channels, depth, stride=2):
        super().__init__()
        self.conv_down = ConvBnLeaky(in_channels, out_channels, 3, stride=stride)
        self.blocks = nn.Sequential(*[DarkBlock(out_channels, out_channels, 0.5) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.conv_down(x))


class CrossStage(nn.Module):
    """CSP stage: [3×3 strided conv] → 1×1 expand to ``expand`` channels → split in halves; one
    half crosses, the other runs the blocks and a 1×1 ``conv_transition_b``; concatenate; 1×1
    ``conv_transition`` to ``out_channels``."""

    def __init__(self, in_channels, out_channels, depth, block, stride=2, expand_ratio=1.0, bottle_ratio=1.0,
                 block_ratio=1.0, groups=1, down_growth=False, cross_linear=False):
        super().__init__()
        down = out_channels if down_growth else in_channels
        self.expand = int(round(out_channels * expand_ratio))
        block_out = int(round(out_channels * block_ratio))
        if stride != 1:
            self.conv_down = ConvBnLeaky(in_channels, down, 3, stride=stride, groups=groups)
        else:
            self.conv_down, down = nn.Identity(), in_channels
        self.conv_exp = ConvBnLeaky(down, self.expand, 1, apply_act=not cross_linear)
        channels = self.expand // 2
        blocks = []
        for _ in range(depth):
            blocks.append(block(channels, block_out, bottle_ratio, groups))
            channels = block_out
        self.blocks = nn.Sequential(*blocks)
        self.conv_transition_b = ConvBnLeaky(channels, self.expand // 2, 1)
        self.conv_transition = ConvBnLeaky(self.expand, out_channels, 1)

    def forward(self, x):
        crossing, through = split(self.conv_exp(self.conv_down(x)), self.expand // 2, 1)
        through = self.conv_transition_b(self.blocks(through))
        return self.conv_transition(cat([crossing, through], 1))


class CspNet(nn.Module):
    """Stem (``stem.conv1`` [+ ``stem.pool``]) → ``stages`` → ``head`` (global average pool, fc)."""

    def __init__(self, stem_channels, stem_kernel, stem_pool, stages, num_features, num_classes=1000, in_channels=3):
        super().__init__()
        stem = collections.OrderedDict(conv1=ConvBnLeaky(in_channels, stem_channels, stem_kernel,
                                                         stride=2 if stem_pool else 1))
        if stem_pool:
            stem["pool"] = nn.MaxPool2d(3, stride=2, padding=1)
        self.stem = nn.Sequential(stem)
        self.stages = nn.Sequential(*stages)
        self.head = ClassifierHead(num_features, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


WIDTHS = (32, 64, 128, 256, 512, 1024)


def darknet53(num_classes=1000, in_channels=3):
    """Darknet-53 (YOLOv3's backbone, Table 1 there): 1, 2, 8, 8, 4 residual blocks; 41,609,928 parameters."""
    stages = [DarkStage(c_in, c_out, depth) for c_in, c_out, depth in zip(WIDTHS, WIDTHS[1:], (1, 2, 8, 8, 4))]
    return CspNet(32, 3, False, stages, 1024, num_classes, in_channels)


def cspdarknet53(num_classes=1000, in_channels=3):
    """CSPDarknet-53 (CSPNet; YOLOv4's backbone): 27,642,184 parameters.  The first stage keeps
    the full width (expand ×2, bottleneck ½); the others run half the channels through the blocks."""
    stages = [CrossStage(32, 64, 1, DarkBlock, expand_ratio=2.0, bottle_ratio=0.5, block_ratio=1.0, down_growth=True)]
    stages += [CrossStage(c_in, c_out, depth, DarkBlock, block_ratio=0.5, down_growth=True)
               for c_in, c_out, depth in zip(WIDTHS[1:], WIDTHS[2:], (2, 8, 8, 4))]
    return CspNet(32, 3, False, stages, 1024, num_classes, in_channels)


def cspresnext50(num_classes=1000, in_channels=3):
    """CSPResNeXt-50 (CSPNet): ResNeXt-50 32×4d stages (3, 3, 5, 2 blocks) as cross stages,
    linear expansion, grouped strided convolutions; 20,569,896 parameters."""
    widths = (64, 256, 512, 1024, 2048)
    stages = [CrossStage(c_in, c_out, depth, BottleneckBlock, stride=1 if i == 0 else 2, block_ratio=0.5, groups=32,
                         cross_linear=True)
              for i, (c_in, c_out, depth) in enumerate(zip(widths, widths[1:], (3, 3, 5, 2)))]
    return CspNet(64, 7, True, stages, 2048, num_classes, in_channels)
