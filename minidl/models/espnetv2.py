"""ESPNetv2 (Mehta, Rastegari, Shapiro & Hajishirzi 2019, "ESPNetv2: A light-weight, power efficient,
and general purpose convolutional neural network", CVPR; arXiv:1811.11431).

Key idea: the *EESP* unit — reduce the channels with a grouped 1×1 convolution, run K = 4
depthwise 3×3 convolutions with growing dilation rates in parallel (a large receptive field at a
depthwise cost), add each branch's output to the next ("hierarchical feature fusion", which
removes the gridding artefacts of dilated convolutions), concatenate and mix with a grouped 1×1,
plus the identity.  Strided units concatenate an average-pooled copy of their input, and add a
cheap path from the (repeatedly pooled) input image.  PReLU activations throughout.

Layout: the authors' ImageNet network (EdgeNets code; we followed its transcription in
osmr/imgclsmob, ``espnetv2.py``): conv 3×3/2 to 32 → four stages of [1, 4, 8, 4] units with
2, 4, 8, 16 × the base width (32·s rounded to a multiple of 4), the first unit of each strided;
branch dilations {1, 2, 3, 4} early, {1, 1, 2, 3} and {1, 1, 1, 2} in the last stages (the maximum
rate falls 6, 5, 4, 3, 2 from stage to stage); a depthwise 3×3 and a grouped 1×1 to 1024 (1280
for s = 2), global average pooling, dropout 0.2, a linear layer.

Counts (1000 classes): espnetv2_w1 1,669,592 and espnetv2_w2 3,497,144, and 86.8 M MACs for s = 1.
The authors' code (and the port) count 480 and 992 more: their strided EESP units also build a
PReLU for the residual addition they skip, c_out/2 slopes that never receive a gradient — left out
here.  With them: 1,670,072 and 3,498,136, the paper's 1.67 M and 3.49 M for s = 1 and 2 (its
ImageNet table, as we read it; not re-checked in the PDF in this session; 86 M FLOPs for s = 1).
"""
import math

from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias


def conv_bn(c_in, c_out, kernel=1, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(c_out)]
    return nn.Sequential(*layers, nn.PReLU(c_out)) if act else nn.Sequential(*layers)


class EESP(nn.Module):
    """Extremely efficient spatial pyramid unit: (N, c_in, H, W) → (N, c_out, H/s, W/s).

    grouped 1×1 (→ c_out/K) → K depthwise 3×3 with dilations → cumulative sums → concat → BN, PReLU
    → grouped 1×1 → BN; for stride 1, + x → PReLU."""

    def __init__(self, c_in, c_out, stride, dilations):
        super().__init__()
        k = len(dilations)
        if c_out % k:
            raise ValueError(f"EESP: c_out ({c_out}) must be divisible by the number of branches ({k})")
        mid = c_out // k
        self.stride = stride
        self.reduce = conv_bn(c_in, mid, groups=k)
        self.branches = nn.ModuleList(nn.Conv2d(mid, mid, 3, stride, d, dilation=d, groups=mid, bias=False)
                                      for d in dilations)
        self.fuse_norm = nn.Sequential(nn.BatchNorm2d(c_out), nn.PReLU(c_out))
        self.merge = conv_bn(c_out, c_out, groups=k, act=False)
        self.act = nn.PReLU(c_out) if stride == 1 else nn.Identity()

    def forward(self, x):
        y = self.reduce(x)
        outputs, previous = [], None
        for branch in self.branches:  # hierarchical feature fusion: each branch adds the one before
            out = branch(y)
            previous = out if previous is None else out + previous
            outputs.append(previous)
        out = self.merge(self.fuse_norm(cat(outputs, 1)))
        return self.act(out + x) if self.stride == 1 else out


class DownsamplingUnit(nn.Module):
    """cat(avgpool(x), EESP/2(x)) + a path from the pooled image x0; PReLU.  Returns (y, pooled x0)."""

    def __init__(self, c_in, c_out, image_channels, dilations):
        super().__init__()
        self.pool = nn.AvgPool2d(3, 2, 1)
        self.eesp = EESP(c_in, c_out - c_in, 2, dilations)
        self.image_path = nn.Sequential(conv_bn(image_channels, image_channels, 3),
                                        conv_bn(image_channels, c_out, act=False))
        self.act = nn.PReLU(c_out)

    def forward(self, x, image):
        image = self.pool(image)
        out = cat([self.pool(x), self.eesp(x)], 1) + self.image_path(image)
        return self.act(out), image


class ESPNetV2(nn.Module):
    def __init__(self, width_scale=1.0, num_classes=1000, in_channels=3, dropout=0.2, branches=4):
        super().__init__()
        layers = (1, 4, 8, 4)
        base = math.ceil(math.floor(32 * width_scale) / branches) * branches
        stem = min(base, 32)
        rates = (6, 5, 4, 3, 2)
        self.pool = nn.AvgPool2d(3, 2, 1)
        self.stem = conv_bn(in_channels, stem, 3, 2)
        self.downsample = nn.ModuleList()
        self.stages = nn.ModuleList()
        c = stem
        for i, count in enumerate(layers):
            c_out = base * 2 ** (i + 1)
            self.downsample.append(DownsamplingUnit(c, c_out, in_channels, self._dilations(rates[i], branches)))
            self.stages.append(nn.Sequential(*(EESP(c_out, c_out, 1, self._dilations(rates[i + 1], branches))
                                               for _ in range(count - 1))))
            c = c_out
        head = 1024 if width_scale <= 1.5 else 1280
        self.head = nn.Sequential(conv_bn(c, c, 3, groups=c), conv_bn(c, head, groups=branches))
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(head, num_classes)
        kaiming_conv_zero_bias(self)

    @staticmethod
    def _dilations(max_rate, branches):
        """Branch k (0-based) gets dilation k + 1 while k + 1 ≤ max_rate, else 1; sorted."""
        return sorted(k + 1 if k < max_rate else 1 for k in range(branches))

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        image = self.pool(x)
        x = self.stem(x)
        for down, stage in zip(self.downsample, self.stages):
            x, image = down(x, image)
            x = stage(x)
        return self.classifier(self.dropout(self.head(x).mean((2, 3))))


def espnetv2_w1(num_classes=1000, in_channels=3, dropout=0.2):
    return ESPNetV2(1.0, num_classes, in_channels, dropout)


def espnetv2_w2(num_classes=1000, in_channels=3, dropout=0.2):
    return ESPNetV2(2.0, num_classes, in_channels, dropout)
