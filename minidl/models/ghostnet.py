"""GhostNet (Han et al. 2020, "GhostNet: More Features from Cheap Operations").

Key idea: the feature maps of a trained CNN come in near-duplicate pairs ("ghosts"), so make only
half of them with a real convolution and the other half from those with a cheap depthwise 3×3
(``nn.GhostModule``).  The Ghost bottleneck is MobileNet v3's block with its two 1×1 convs replaced
by Ghost modules: expand (with ReLU) → [depthwise k×k, stride 2] → [SE] → project (linear), plus a
shortcut that is a depthwise + 1×1 conv pair when the shape changes.  The stage table is the
paper's Table 1 (MobileNet v3-Large's, with GhostNet's widths); timm's layout and names
(``ghostnet_100``: 5,182,508 parameters).
"""
from functools import partial

from .. import nn
from .efficientnet_blocks import BatchNormAct2d
from .mobilenet import make_divisible


class GhostBottleneck(nn.Module):
    """ghost1 (in → mid, ReLU) → [conv_dw + bn_dw when stride 2] → [se] → ghost2 (mid → out, linear),
    plus ``shortcut(x)``: the identity when the shape is kept, otherwise depthwise k×k (stride) →
    BN → 1×1 → BN.  SE: ReLU inside, hard-sigmoid gate, width rounded to a multiple of 4.
    Shapes: (N, in_chs, H, W) → (N, out_chs, H/stride, W/stride)."""

    def __init__(self, in_chs, mid_chs, out_chs, dw_kernel_size=3, stride=1, se_ratio=0.0):
        super().__init__()
        padding = (dw_kernel_size - 1) // 2
        self.ghost1 = nn.GhostModule(in_chs, mid_chs, act_layer=nn.ReLU)
        if stride > 1:
            self.conv_dw = nn.Conv2d(mid_chs, mid_chs, dw_kernel_size, stride, padding, groups=mid_chs, bias=False)
            self.bn_dw = nn.BatchNorm2d(mid_chs)
        else:
            self.conv_dw = self.bn_dw = None
        self.se = nn.SqueezeExcite(mid_chs, rd_ratio=se_ratio, gate_layer=nn.Hardsigmoid,
                                   rd_round_fn=partial(make_divisible, divisor=4)) if se_ratio > 0 else None
        self.ghost2 = nn.GhostModule(mid_chs, out_chs, act_layer=nn.Identity)
        if in_chs == out_chs and stride == 1:
            self.shortcut = nn.Sequential()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_chs, in_chs, dw_kernel_size, stride, padding, groups=in_chs, bias=False),
                nn.BatchNorm2d(in_chs),
                nn.Conv2d(in_chs, out_chs, 1, bias=False),
                nn.BatchNorm2d(out_chs),
            )

    def forward(self, x):
        out = self.ghost1(x)
        if self.conv_dw is not None:
            out = self.bn_dw(self.conv_dw(out))
        if self.se is not None:
            out = self.se(out)
        return self.ghost2(out) + self.shortcut(x)


class ConvBnAct(nn.Module):
    """conv (k×k, no bias) → bn1 (BN + ReLU), timm's ``ConvBnAct`` names."""

    def __init__(self, in_chs, out_chs, kernel_size=1, act_layer=nn.ReLU):
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, kernel_size, padding=kernel_size // 2, bias=False)
        self.bn1 = BatchNormAct2d(out_chs, act_layer)

    def forward(self, x):
        return self.bn1(self.conv(x))


# Table 1 of the paper: per stage, rows of (kernel, expanded width, output width, SE ratio, stride).
GHOSTNET_STAGES = [
    [(3, 16, 16, 0, 1)],
    [(3, 48, 24, 0, 2)],
    [(3, 72, 24, 0, 1)],
    [(5, 72, 40, 0.25, 2)],
    [(5, 120, 40, 0.25, 1)],
    [(3, 240, 80, 0, 2)],
    [(3, 200, 80, 0, 1), (3, 184, 80, 0, 1), (3, 184, 80, 0, 1), (3, 480, 112, 0.25, 1), (3, 672, 112, 0.25, 1)],
    [(5, 672, 160, 0.25, 2)],
    [(5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1), (5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1)],
]


class GhostNet(nn.Module):
    """conv_stem (3×3/2) → bn1 → act1 → blocks (9 stages of Ghost bottlenecks + a 1×1 ConvBnAct)
    → global pool → conv_head (1×1 to 1280, with bias) → act2 → dropout → classifier.

    ``width`` scales every width (rounded to a multiple of 4).  Shapes: (N, in_channels, H, W) →
    (N, num_classes).  timm's defaults: dropout 0.2 before the classifier; PyTorch's default init.
    """

    def __init__(self, num_classes=1000, width=1.0, in_channels=3, drop_rate=0.2):
        super().__init__()
        stem_chs = make_divisible(16 * width, 4)
        self.conv_stem = nn.Conv2d(in_channels, stem_chs, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem_chs)
        self.act1 = nn.ReLU()
        channels, stages = stem_chs, []
        for rows in GHOSTNET_STAGES:
            blocks = []
            for kernel, expanded, out, se_ratio, stride in rows:
                out_chs = make_divisible(out * width, 4)
                blocks.append(GhostBottleneck(channels, make_divisible(expanded * width, 4), out_chs, kernel, stride,
                                              se_ratio))
                channels = out_chs
            stages.append(nn.Sequential(*blocks))
        last_chs = make_divisible(GHOSTNET_STAGES[-1][-1][1] * width, 4)
        stages.append(nn.Sequential(ConvBnAct(channels, last_chs, 1)))
        self.blocks = nn.Sequential(*stages)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_head = nn.Conv2d(last_chs, 1280, 1, bias=True)
        self.act2 = nn.ReLU()
        self.flatten = nn.Flatten(1)
        self.dropout = nn.Dropout(drop_rate)
        self.classifier = nn.Linear(1280, num_classes)

    def forward_features(self, x):
        return self.blocks(self.act1(self.bn1(self.conv_stem(x))))

    def forward_head(self, x):
        x = self.flatten(self.act2(self.conv_head(self.global_pool(x))))
        return self.classifier(self.dropout(x))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


def ghostnet_100(num_classes=1000, in_channels=3, drop_rate=0.2):
    """GhostNet at width 1.0, 5,182,508 parameters."""
    return GhostNet(num_classes, 1.0, in_channels, drop_rate)
