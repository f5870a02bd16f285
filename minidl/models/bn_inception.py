"""Inception v2 / BN-Inception (Ioffe & Szegedy 2015, "Batch normalization: accelerating deep network
training by reducing internal covariate shift", ICML, Section 4.2.1 and the appendix's Figure 5).

Key idea: normalise every layer's pre-activations over the mini-batch (BatchNorm), which lets the
Inception network train with 30× higher learning rates, without dropout and LRN, and reach
GoogLeNet's accuracy in 7% of the steps.  The network is GoogLeNet with BatchNorm after every
convolution, each 5×5 convolution replaced by two stacked 3×3 (the "double 3×3" branch), average
instead of max pooling inside most modules, and stride-2 modules (3c, 4e) instead of separate
pooling layers between stages.  Input 224×224.

Layout: the paper's Figure 5 table, column by column (#1×1, #3×3 reduce, #3×3, double #3×3
reduce, double #3×3, pool + proj), as in the authors' released Caffe prototxt, whose layer widths
are the table's.  The table's "output size" column says 576 channels after 4c and 4d, but its
own columns add up to 160 + 160 + 160 + 128 = 608 (and the prototxt has 608), so 4d and 4e take 608
inputs here.  Every convolution has a bias (as in the prototxt) and is followed by BatchNorm (eps
1e-5) and ReLU; the classifier is a 1024 → num_classes linear layer.

Parameters with 1000 classes: 11,295,240 (the paper states no count).  Where they come from:
the stem 125,056 — conv1 7×7: 64·(3·49 + 1) + 128 BatchNorm γ/β = 9,600; conv2_reduce 1×1:
64·65 + 128 = 4,288; conv2 3×3: 192·(64·9 + 1) + 384 = 111,168 —; the ten modules of Figure 5,
10,145,184 (3a 219,552, 3b 260,704, 3c 385,632, 4a 610,848, 4b 666,240, 4c 915,456, 4d 1,144,000,
4e 1,451,008, 5a 2,210,496, 5b 2,281,248); the classifier 1024·1000 + 1000 = 1,025,000.
``bias=False`` drops the 10,016 convolution biases (redundant before BatchNorm): 11,285,224.
"""
import collections

from .. import nn
from ..functions.joining import cat


class ConvBnReLU(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride, padding, bias=bias)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return nn.functional.relu(self.bn(self.conv(x)))


class InceptionBN(nn.Module):
    """One row of Figure 5: 1×1 | 1×1→3×3 | 1×1→3×3→3×3 | pool(→1×1), concatenated.

    ``ch1x1 = 0`` leaves the 1×1 branch out and ``pool_proj = 0`` passes the pooled input through
    (the stride-2 modules 3c and 4e, where the two 3×3 branches' last convolutions have stride 2)."""

    def __init__(self, c_in, ch1x1, ch3x3red, ch3x3, dbl3x3red, dbl3x3, pool, pool_proj, stride=1, bias=True):
        super().__init__()
        self.branch1x1 = ConvBnReLU(c_in, ch1x1, 1, bias=bias) if ch1x1 else None
        self.branch3x3 = nn.Sequential(ConvBnReLU(c_in, ch3x3red, 1, bias=bias),
                                       ConvBnReLU(ch3x3red, ch3x3, 3, stride, 1, bias=bias))
        self.branch3x3dbl = nn.Sequential(ConvBnReLU(c_in, dbl3x3red, 1, bias=bias),
                                          ConvBnReLU(dbl3x3red, dbl3x3, 3, 1, 1, bias=bias),
                                          ConvBnReLU(dbl3x3, dbl3x3, 3, stride, 1, bias=bias))
        if pool == "avg":
            self.pool = nn.AvgPool2d(3, 1, 1, ceil_mode=True)
        else:  # Caffe rounds pooled sizes up: 3×3/2 unpadded takes 28 → 14 like the padded stride-2 convolutions
            self.pool = nn.MaxPool2d(3, stride, 1 if stride == 1 else 0, ceil_mode=True)
        self.branch_pool = ConvBnReLU(c_in, pool_proj, 1, bias=bias) if pool_proj else None
        self.out_channels = ch1x1 + ch3x3 + dbl3x3 + (pool_proj or c_in)

    def forward(self, x):
        pooled = self.pool(x)
        pooled = pooled if self.branch_pool is None else self.branch_pool(pooled)
        branches = [self.branch3x3(x), self.branch3x3dbl(x), pooled]
        return cat(branches if self.branch1x1 is None else [self.branch1x1(x)] + branches, 1)


# Figure 5: name → (#1×1, #3×3 reduce, #3×3, double #3×3 reduce, double #3×3, pool, pool proj, stride)
FIGURE_5 = collections.OrderedDict([
    ("inception_3a", (64, 64, 64, 64, 96, "avg", 32, 1)),
    ("inception_3b", (64, 64, 96, 64, 96, "avg", 64, 1)),
    ("inception_3c", (0, 128, 160, 64, 96, "max", 0, 2)),
    ("inception_4a", (224, 64, 96, 96, 128, "avg", 128, 1)),
    ("inception_4b", (192, 96, 128, 96, 128, "avg", 128, 1)),
    ("inception_4c", (160, 128, 160, 128, 160, "avg", 128, 1)),
    ("inception_4d", (96, 128, 192, 160, 192, "avg", 128, 1)),
    ("inception_4e", (0, 128, 192, 192, 256, "max", 0, 2)),
    ("inception_5a", (352, 192, 320, 160, 224, "avg", 128, 1)),
    ("inception_5b", (352, 192, 320, 192, 224, "max", 128, 1)),
])


class BNInception(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3, bias=True, dropout=0.0):
        super().__init__()
        self.conv1 = ConvBnReLU(in_channels, 64, 7, 2, 3, bias=bias)  # 7×7/2 → 112×112×64
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)  # → 56×56
        self.conv2_reduce = ConvBnReLU(64, 64, 1, bias=bias)
        self.conv2 = ConvBnReLU(64, 192, 3, 1, 1, bias=bias)  # → 56×56×192
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)  # → 28×28
        c = 192
        for name, (*widths, stride) in FIGURE_5.items():
            module = InceptionBN(c, *widths, stride=stride, bias=bias)
            setattr(self, name, module)
            c = module.out_channels
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        x = self.pool2(self.conv2(self.conv2_reduce(self.pool1(self.conv1(x)))))
        for name in FIGURE_5:
            x = getattr(self, name)(x)
        return self.fc(self.dropout(x.mean((2, 3))))


def bn_inception(num_classes=1000, in_channels=3, bias=True, dropout=0.0):
    return BNInception(num_classes, in_channels, bias, dropout)
