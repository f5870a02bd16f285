"""RevNet (Gomez, Ren, Urtasun & Grosse 2017, "The reversible residual network: Backpropagation
without storing activations", NeurIPS; arXiv:1707.04585).

Key idea: a ResNet whose units are *reversible* (``nn.ReversibleBlock``: y1 = x1 + F(x2),
y2 = x2 + G(y1), so x can be recomputed from y).  Backpropagation then needs no stored activations
inside a stage (``nn.ReversibleSequence`` recomputes them from the stage's output), and the memory
for activations stops growing with depth; only the few downsampling units, which lose information
(a strided pooling shortcut), must keep theirs (§3.3).

Layout (CIFAR, Table 1 of the paper): a 3×3 convolution to 32 channels, then three stages of n
units with 32, 64, 112 (RevNet-38, n = 3) or 32, 64, 128 (RevNet-110, n = 9) channels; F and G are
pre-activation basic residual functions on half the channels (BN → ReLU → 3×3 conv → BN → ReLU →
3×3 conv); the first unit of stages 2 and 3 is the non-reversible downsampling one (stride 2,
shortcut = 2×2 average pooling and zero channels, as the CIFAR ResNets' option A); BN → ReLU →
global average pooling → linear.  Depth: 2 convolutions in each of F and G → 12n + 2.

Counts against Table 1 (10-way head): revnet38 464,858 (paper 0.46 M), revnet110 1,729,162 (paper
1.73 M).  ``ordinary=True`` builds the same network with ``nn.Sequential`` stages (activations kept)
for comparison: same parameters, same outputs, more memory.
"""
from .. import nn
from ..functions.joining import cat, pad
from ._init import kaiming_conv_zero_bias

PAPER_COUNTS = {"revnet38": 0.46e6, "revnet110": 1.73e6}  # Table 1


def residual_fn(c_in, c_out, stride=1):
    """Pre-activation basic residual function: BN → ReLU → conv 3×3/stride → BN → ReLU → conv 3×3."""
    return nn.Sequential(
        nn.BatchNorm2d(c_in), nn.ReLU(), nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
        nn.BatchNorm2d(c_out), nn.ReLU(), nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False))


class RevDownsampleUnit(nn.Module):
    """The non-reversible unit that halves the resolution and widens c_in → c_out:
    y1 = s(x1) + F(x2), y2 = s(x2) + G(y1), with s = 2×2/2 average pooling + zero channels.
    Shapes: (N, c_in, H, W) → (N, c_out, H/2, W/2)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.f = residual_fn(c_in // 2, c_out // 2, 2)
        self.g = residual_fn(c_out // 2, c_out // 2)
        self.pool = nn.AvgPool2d(2, 2)
        self.extra_channels = (c_out - c_in) // 2

    def _shortcut(self, x):
        return pad(self.pool(x), (0, 0, 0, 0, 0, self.extra_channels))

    def forward(self, x):
        x1, x2 = x.chunk(2, 1)
        y1 = self._shortcut(x1) + self.f(x2)
        return cat([y1, self._shortcut(x2) + self.g(y1)], 1)


class RevNet(nn.Module):
    def __init__(self, units, widths, num_classes=10, in_channels=3, ordinary=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        c, stack = widths[0], nn.Sequential if ordinary else nn.ReversibleSequence
        for index, (n, c_out) in enumerate(zip(units, widths)):
            head = [] if index == 0 else [RevDownsampleUnit(c, c_out)]
            rest = n if index == 0 else n - 1
            blocks = [nn.ReversibleBlock(residual_fn(c_out // 2, c_out // 2), residual_fn(c_out // 2, c_out // 2))
                      for _ in range(rest)]
            setattr(self, f"layer{index + 1}", nn.Sequential(*head, stack(*blocks)))
            c = c_out
        self.bn_final = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 32, 32) → (N, num_classes)."""
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        return self.fc(self.relu(self.bn_final(x)).mean((2, 3)))


def revnet38(num_classes=10, in_channels=3, ordinary=False):
    return RevNet((3, 3, 3), (32, 64, 112), num_classes, in_channels, ordinary)


def revnet110(num_classes=10, in_channels=3, ordinary=False):
    return RevNet((9, 9, 9), (32, 64, 128), num_classes, in_channels, ordinary)
