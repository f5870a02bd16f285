"""FractalNet (Larsson, Maire & Shakhnarovich 2017, "FractalNet: Ultra-deep neural networks without
residuals", ICLR; arXiv:1605.07648).

Key idea: depth without residual connections.  A block is a truncated fractal (Fig. 1, eq. 1–2):

    f_1(z) = conv(z)              f_{C+1}(z) = join(f_C(f_C(z)), conv(z))

with ``join`` the elementwise *mean* of its inputs — C columns of depths 1, 2, 4, …, 2^(C−1)
convolutions, sharing their joins.  Short paths train first and pass gradients to the long ones
(the role the identity plays in a ResNet), and *drop-path* (§3.1) — a join drops each input with
probability p during training, keeping at least one — regularises the columns so each works alone.

Layout (CIFAR, §4.1 and the authors' Caffe generator ``fra_gl.py``): B = 5 blocks with 64, 128,
256, 512, 512 filters, each followed by 2×2 max pooling, conv → BN → ReLU for every 3×3
convolution; 32×32 → 1×1, then a linear layer.  Depth B·2^(C−1): C = 3 gives FractalNet-20,
C = 4 FractalNet-40.  Each block has 2^C − 1 convolutions, C of which read the block's input.

Counts (10-way head): fractalnet20 33,724,618, fractalnet40 76,106,634.  An independent port
(osmr/imgclsmob, ``fractalnet_cifar.py``, C = 3 and the same widths) asserts the same 33,724,618.
NOT checked against the paper: its Table 1 states counts for the CIFAR networks, but the paper text
was not at hand in this session, and the number remembered for the 20-layer net (38.6 M) is not
what this layout gives — left open in docs/models.md.
"""
from .. import nn
from .. import random as _random
from ._init import kaiming_conv_zero_bias


def conv_bn_relu(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class FractalJoin(nn.Module):
    """Elementwise mean of the inputs; in training, local drop-path drops each with probability
    ``drop_path`` (at least one survives) and averages the survivors."""

    def __init__(self, drop_path=0.0):
        super().__init__()
        self.drop_path = drop_path

    def forward(self, inputs):
        if self.training and self.drop_path > 0:
            keep = _random.generator().random(len(inputs)) >= self.drop_path
            if not keep.any():
                keep[_random.generator().integers(len(inputs))] = True
            inputs = [x for x, k in zip(inputs, keep) if k]
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total / len(inputs)


class FractalBlock(nn.Module):
    """f_C as C columns; column c (0-based) has 2^c convolutions.  (N, c_in, H, W) → (N, c_out, H, W).

    Evaluated depth-first as the expansion rule reads: f_{C}(z) returns the list of the column
    outputs still to be joined, so the outermost join sees all C columns (as in the authors' code)."""

    def __init__(self, c_in, c_out, columns, drop_path=0.0):
        super().__init__()
        self.columns = columns
        self.convs = nn.ModuleList()
        self.joins = nn.ModuleList()
        self._plan = self._build(c_in, c_out, columns, drop_path)
        self.join_out = FractalJoin(drop_path)  # the block's last join, over all C columns

    def _build(self, c_in, c_out, level, drop_path):
        """A nested plan of indices into ``convs``/``joins``: ("conv", i) or ("fractal", inner, join, inner, conv)."""
        if level == 1:
            self.convs.append(conv_bn_relu(c_in, c_out))
            return ("conv", len(self.convs) - 1)
        first = self._build(c_in, c_out, level - 1, drop_path)
        join = None
        if level - 1 > 1:  # f_{level-1} has several columns to join before the second f_{level-1}
            self.joins.append(FractalJoin(drop_path))
            join = len(self.joins) - 1
        second = self._build(c_out, c_out, level - 1, drop_path)
        self.convs.append(conv_bn_relu(c_in, c_out))
        return ("fractal", first, join, second, len(self.convs) - 1)

    def _run(self, plan, z):
        if plan[0] == "conv":
            return [self.convs[plan[1]](z)]
        _, first, join, second, conv = plan
        inner = self._run(first, z)
        inner = inner[0] if join is None else self.joins[join](inner)
        return self._run(second, inner) + [self.convs[conv](z)]

    def forward(self, x):
        outputs = self._run(self._plan, x)
        return outputs[0] if len(outputs) == 1 else self.join_out(outputs)


class FractalNet(nn.Module):
    def __init__(self, columns=3, blocks=5, widths=(64, 128, 256, 512, 512), drop_path=0.0, num_classes=10,
                 in_channels=3):
        super().__init__()
        if len(widths) != blocks:
            raise ValueError(f"FractalNet: widths must give one filter count per block ({blocks}), got {widths}")
        c, layers = in_channels, []
        for width in widths:
            layers += [FractalBlock(c, width, columns, drop_path), nn.MaxPool2d(2, 2)]
            c = width
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 32, 32) → (N, num_classes) (32 → 1 after five 2×2 pools; larger maps are averaged)."""
        return self.fc(self.features(x).mean((2, 3)))


def fractalnet20(num_classes=10, in_channels=3, drop_path=0.0):
    return FractalNet(3, num_classes=num_classes, in_channels=in_channels, drop_path=drop_path)


def fractalnet40(num_classes=10, in_channels=3, drop_path=0.0):
    return FractalNet(4, num_classes=num_classes, in_channels=in_channels, drop_path=drop_path)
