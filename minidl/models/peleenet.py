"""PeleeNet (Wang, Li & Ling 2018, "Pelee: A real-time object detection system on mobile devices",
NeurIPS; arXiv:1804.06882).

Key idea: a DenseNet for phones, built from plain convolutions (no depthwise ones, which mobile
frameworks ran slowly then): a *two-way dense layer* (Fig. 1: a 3×3 branch and a two-3×3 branch,
for two receptive-field scales, k/2 channels each), a cheap *stem block* (Fig. 2: a strided 3×3,
then a max-pool branch and a 1×1 → 3×3/2 branch, concatenated and fused by 1×1), a bottleneck
width that grows with depth (1, 2, 4, 4 × k/2 per stage), transition layers that keep the width
(compression factor 1) and post-activation conv → BN → ReLU everywhere.

Layout: Table 1 of the paper (224×224 input: stem to 56×56×32; dense stages of 3, 4, 8, 6 layers
with growth rate k = 32, each closed by a 1×1 transition to 128, 256, 512, 704 channels and, except
the last, a 2×2/2 average pool; global average pooling and a 1000-way linear layer), with the
authors' code for the bottleneck rule: width = ⌊(k/2)·w/4⌋·4, halved to ⌊C_in/8⌋·4 when it would
exceed half the layer's input.  Module names follow the authors' PyTorch code.

Count against the paper (Table 3: 2.8 M parameters, 508 M FLOPs): 2,802,248 parameters and
``minidl.summary``'s 507.8 M MACs at 224² (convolutions and the classifier).
"""
import collections

from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias


def conv_bn_relu(c_in, c_out, kernel, stride=1):
    """conv (no bias, "same" padding) → BN → ReLU; keys ``conv``, ``norm``."""
    return nn.Sequential(collections.OrderedDict(
        conv=nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, bias=False), norm=nn.BatchNorm2d(c_out),
        relu=nn.ReLU(inplace=True)))


class StemBlock(nn.Module):
    """Fig. 2: (N, 3, H, W) → (N, c, H/4, W/4)."""

    def __init__(self, in_channels, c=32):
        super().__init__()
        self.stem1 = conv_bn_relu(in_channels, c, 3, 2)
        self.stem2a = conv_bn_relu(c, c // 2, 1)
        self.stem2b = conv_bn_relu(c // 2, c, 3, 2)
        self.pool = nn.MaxPool2d(2, 2)
        self.stem3 = conv_bn_relu(2 * c, c, 1)

    def forward(self, x):
        out = self.stem1(x)
        return self.stem3(cat([self.pool(out), self.stem2b(self.stem2a(out))], 1))


class TwoWayDenseLayer(nn.Module):
    """Fig. 1: out = cat(x, 1×1 → 3×3 (k/2), 1×1 → 3×3 → 3×3 (k/2)); (N, C, H, W) → (N, C + k, H, W)."""

    def __init__(self, c_in, growth_rate, bottleneck_width):
        super().__init__()
        half = growth_rate // 2
        inter = int(half * bottleneck_width / 4) * 4
        if inter > c_in / 2:
            inter = int(c_in / 8) * 4
        self.branch1a = conv_bn_relu(c_in, inter, 1)
        self.branch1b = conv_bn_relu(inter, half, 3)
        self.branch2a = conv_bn_relu(c_in, inter, 1)
        self.branch2b = conv_bn_relu(inter, half, 3)
        self.branch2c = conv_bn_relu(half, half, 3)

    def forward(self, x):
        return cat([x, self.branch1b(self.branch1a(x)), self.branch2c(self.branch2b(self.branch2a(x)))], 1)


class PeleeNet(nn.Module):
    def __init__(self, growth_rate=32, block_config=(3, 4, 8, 6), num_init_features=32,
                 bottleneck_widths=(1, 2, 4, 4), drop_rate=0.05, num_classes=1000, in_channels=3):
        super().__init__()
        layers = collections.OrderedDict(stemblock=StemBlock(in_channels, num_init_features))
        c = num_init_features
        for i, (num_layers, width) in enumerate(zip(block_config, bottleneck_widths)):
            dense = [TwoWayDenseLayer(c + j * growth_rate, growth_rate, width) for j in range(num_layers)]
            layers[f"denseblock{i + 1}"] = nn.Sequential(collections.OrderedDict(
                (f"denselayer{j + 1}", layer) for j, layer in enumerate(dense)))
            c += num_layers * growth_rate
            layers[f"transition{i + 1}"] = conv_bn_relu(c, c, 1)  # compression factor 1: the width is kept
            if i != len(block_config) - 1:
                layers[f"transition{i + 1}_pool"] = nn.AvgPool2d(2, 2)
        self.features = nn.Sequential(layers)
        self.dropout = nn.Dropout(drop_rate)
        self.classifier = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes); features (N, 704, 7, 7)."""
        return self.classifier(self.dropout(self.features(x).mean((2, 3))))


def peleenet(num_classes=1000, in_channels=3, drop_rate=0.05):
    return PeleeNet(num_classes=num_classes, in_channels=in_channels, drop_rate=drop_rate)
