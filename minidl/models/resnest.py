"""ResNeSt (Zhang et al. 2022, "ResNeSt: Split-attention networks") as timm builds it: ResNet-D
(deep stem, average-pool shortcuts) whose 3×3 convolution is an ``nn.SplitAttn``.

Key idea: split attention — a block computes ``radix`` feature-map splits with one grouped
convolution and mixes them per channel with a softmax over the splits, computed from their
pooled sum (SKNet's selection across splits of equal kernel size, grouped like ResNeXt).  In the
strided blocks the 3×3 runs at stride 1 and a 3×3 average pool downsamples after it ("avd").
timm's layout and names (``layer1.0.conv2.fc1.weight``, …).
"""
from .. import nn
from .resnet import ResNet


class ResNestBottleneck(nn.Module):
    """1×1 → SplitAttn 3×3 (radix splits, BN inside) → [3×3 avg pool, stride s] → 1×1 ×4 → + shortcut."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, radix=2, avd=True):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        avd_stride, stride = (stride, 1) if avd and stride > 1 else (0, stride)
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.SplitAttn(width, width, 3, stride, groups=groups, radix=radix, norm_layer=nn.BatchNorm2d)
        self.avd_last = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride else None
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.act3 = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.act1(self.bn1(self.conv1(x))))
        if self.avd_last is not None:
            out = self.avd_last(out)
        return self.act3(self.bn3(self.conv3(out)) + identity)


def _resnest(layers, num_classes, in_channels, **kwargs):
    return ResNet(ResNestBottleneck, layers, num_classes, in_channels=in_channels, stem_type="deep", stem_width=32,
                  avg_down=True, block_args=dict(radix=2, avd=True), **kwargs)


def resnest14d(num_classes=1000, in_channels=3, **kwargs):
    """ResNeSt-14-D (timm; one block per stage): 10,611,688 parameters."""
    return _resnest([1, 1, 1, 1], num_classes, in_channels, **kwargs)


def resnest50d(num_classes=1000, in_channels=3, **kwargs):
    """ResNeSt-50 (the paper's 2s1x64d; timm ``resnest50d``): 27,483,240 parameters."""
    return _resnest([3, 4, 6, 3], num_classes, in_channels, **kwargs)
