"""SqueezeNeXt (Gholami, Kwon, Wu, Tai, Yue, Jin, Zhao & Keutzer 2018, "SqueezeNext:
Hardware-aware neural network design", CVPR workshops; arXiv:1803.10615).

Key idea: SqueezeNet's parameter thrift with a ResNet's depth, designed against a hardware
simulator: each block squeezes the channels twice with 1×1 convolutions (to ½ then ¼ of its
width), replaces the 3×3 convolution by a *separable* 3×1 and 1×3 pair (fewer weights than 3×3),
expands back with a 1×1 and adds a shortcut (Fig. 2); the last stage gets few blocks because its
small maps use the hardware poorly (the "v5" variants move blocks to earlier stages).

Layout: the authors' Caffe ``train_val.prototxt`` files (github.com/amirgholami/SqueezeNext), which
the paper's architecture section describes: conv 7×7/2 (5×5/2 for v5) with 64 filters, 3×3/2 max pool,
four stages of [6, 6, 8, 1] blocks ([2, 4, 14, 1] for v5) with widths 32, 64, 128, 256 (×2 for
"2.0-"), the first block of stages 2–4 strided and every stage's first block with a 1×1
projection shortcut (in v5 the projection comes first and feeds the block), a 1×1 convolution
to 128, global average pooling, a 1000-way linear layer.  Every convolution (shortcut projections included) is conv → BN → ReLU,
and a ReLU follows each addition; the 3×1/1×3 order alternates from block to block, starting over
in each stage.  Native input 227×227.

Counts (default 1000-way head) equal the authors' prototxts' (weights + BN scale/shift + classifier):
  sqnxt23_w1 718,280 · sqnxt23v5_w1 931,016 · sqnxt23_w2 2,362,728 · sqnxt23v5_w2 3,223,912.
The paper's table gives 0.72 M for 1.0-SqNxt-23.
"""
from .. import nn
from ._init import kaiming_conv_zero_bias


def conv_bn_relu(c_in, c_out, kernel=(1, 1), stride=1):
    padding = (kernel[0] // 2, kernel[1] // 2)
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False), nn.BatchNorm2d(c_out),
                         nn.ReLU(inplace=True))


class SqnxtUnit(nn.Module):
    """Fig. 2: 1×1 (→ c_out/2, stride s) → 1×1 (→ c_out/4) → 3×1 and 1×3 (→ c_out/2; order by
    ``vertical_first``) → 1×1 (→ c_out), plus the shortcut; then ReLU.
    (N, c_in, H, W) → (N, c_out, H/s, W/s).

    ``project``: the shortcut is a 1×1/s projection (the first block of every stage) instead of the
    identity.  ``project_first`` (the v5 prototxts): the projection's output feeds the body too,
    y = p + body(p) with p = proj(x), so the body runs at c_out and stride 1."""

    def __init__(self, c_in, c_out, stride=1, vertical_first=True, project=False, project_first=False):
        super().__init__()
        first, second = ((3, 1), (1, 3)) if vertical_first else ((1, 3), (3, 1))
        self.project_first = project and project_first
        body_in, body_stride = (c_out, 1) if self.project_first else (c_in, stride)
        self.body = nn.Sequential(
            conv_bn_relu(body_in, c_out // 2, stride=body_stride), conv_bn_relu(c_out // 2, c_out // 4),
            conv_bn_relu(c_out // 4, c_out // 2, first), conv_bn_relu(c_out // 2, c_out // 2, second),
            conv_bn_relu(c_out // 2, c_out))
        self.shortcut = conv_bn_relu(c_in, c_out, stride=stride) if project else nn.Identity()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        if self.project_first:
            x = self.shortcut(x)
            return self.relu(x + self.body(x))
        return self.relu(self.body(x) + self.shortcut(x))


class SqueezeNext(nn.Module):
    def __init__(self, blocks=(6, 6, 8, 1), width_scale=1, stem_kernel=7, project_first=False, num_classes=1000,
                 in_channels=3):
        super().__init__()
        self.stem = nn.Sequential(conv_bn_relu(in_channels, 64, (stem_kernel, stem_kernel), 2),
                                  nn.MaxPool2d(3, 2, ceil_mode=True))
        stages, c_in = [], 64
        for index, (count, width) in enumerate(zip(blocks, (32, 64, 128, 256))):
            c_out = width * width_scale
            units = [SqnxtUnit(c_in if i == 0 else c_out, c_out, 2 if index > 0 and i == 0 else 1, i % 2 == 0,
                               project=i == 0, project_first=project_first) for i in range(count)]
            stages.append(nn.Sequential(*units))
            c_in = c_out
        self.stages = nn.Sequential(*stages)
        self.head = conv_bn_relu(c_in, 128)
        self.fc = nn.Linear(128, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 227, 227) → (N, num_classes)."""
        return self.fc(self.head(self.stages(self.stem(x))).mean((2, 3)))


def sqnxt23_w1(num_classes=1000, in_channels=3):
    return SqueezeNext((6, 6, 8, 1), 1, 7, False, num_classes, in_channels)


def sqnxt23v5_w1(num_classes=1000, in_channels=3):
    return SqueezeNext((2, 4, 14, 1), 1, 5, True, num_classes, in_channels)


def sqnxt23_w2(num_classes=1000, in_channels=3):
    return SqueezeNext((6, 6, 8, 1), 2, 7, False, num_classes, in_channels)


def sqnxt23v5_w2(num_classes=1000, in_channels=3):
    return SqueezeNext((2, 4, 14, 1), 2, 5, True, num_classes, in_channels)
