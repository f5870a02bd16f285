"""PNASNet-5 (Liu, Zoph, Neumann, Shlens, Hua, Li, Fei-Fei, Yuille, Huang & Murphy 2018,
"Progressive neural architecture search", ECCV).

Key idea: search the NASNet cell space *progressively* — cells of 1 block, then 2, … 5 — keeping
only the K most promising at each size, ranked by a learned predictor of accuracy instead of
training every candidate; the search costs about 8× fewer trained models than NASNet's
reinforcement learning.  One cell type (PNASNet-5) serves as both Normal and Reduction cell
(stride 2 in the latter) and outputs all five of its blocks.

timm's ``pnasnet5large`` layout and names ("PNASNet-5 (N = 4, F = 216)", input 331×331):
86,057,668 parameters (paper, large-setting ImageNet results: 86.1 M), so
``model.load_state_dict(from_torch(timm_state_dict))`` maps key for key.  Layers, 'SAME' padding
and BatchNorm eps (0.001) are NASNet's (``nasnet.py``).
"""
from .. import nn
from ._init import kaiming_conv_zero_bias
from .nasnet import ActConvBn, ConvBn, SearchedCell, add_factorized_reduction, factorized_reduction

# PNASNet-5 (paper Fig. 1): 'left' is the cell's earlier input, 'right' its most recent one.
PNAS_CELL = [("sep5", "left", "max3", "left"), ("sep7", "right", "max3", "right"), ("sep5", "right", "sep3", "right"),
             ("sep3", 2, "max3", "right"), ("sep3", "left", None, "right")]
REDUCING_PNAS_CELL = PNAS_CELL[:4] + [("sep3", "left", "conv1", "right")]  # the identity must stride too


class FactorizedReduction(nn.Module):
    """Brings the earlier input, at twice the grid, to the cell's size (see nasnet.add_factorized_reduction)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        add_factorized_reduction(self, c_in, c_out)

    def forward(self, x):
        return factorized_reduction(self, x)


class CellStem0(SearchedCell):
    """The first Reduction cell: 'left' is the stem output itself (its ops change the width), 'right'
    its 1×1 projection."""

    def __init__(self, c_in, width):
        super().__init__()
        self.conv_1x1 = ActConvBn(c_in, width)
        self.build_genotype(REDUCING_PNAS_CELL, range(5), dict(left=c_in, right=width), width, 2)

    def forward(self, x):
        return self.combine(dict(left=x, right=self.conv_1x1(x)))


class Cell(SearchedCell):
    def __init__(self, c_left, c_right, width, reduction=False, left_is_larger=False):
        super().__init__()
        self.conv_prev_1x1 = FactorizedReduction(c_left, width) if left_is_larger else ActConvBn(c_left, width)
        self.conv_1x1 = ActConvBn(c_right, width)
        genotype = REDUCING_PNAS_CELL if reduction else PNAS_CELL
        self.build_genotype(genotype, range(5), dict(left=width, right=width), width, 2 if reduction else 1)

    def forward(self, x_left, x_right):
        return self.combine(dict(left=self.conv_prev_1x1(x_left), right=self.conv_1x1(x_right)))


class PNASNet5Large(nn.Module):
    """Stem conv (96), a stem Reduction cell (width 54) and a second one (108), then three stages of
    four cells of width 216, 432, 864, the first cell of stages 2 and 3 a Reduction cell; each cell
    outputs 5 × its width (4320 at the end)."""

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        self.conv_0 = ConvBn(in_channels, 96)
        self.cell_stem_0 = CellStem0(96, 54)
        self.cell_stem_1 = Cell(96, 270, 108, reduction=True, left_is_larger=True)
        c_left, c_right, reduced = 270, 540, True  # reduced: the last cell halved the grid
        for i in range(12):
            width, reduction = 216 * 2 ** (i // 4), i in (4, 8)
            setattr(self, f"cell_{i}", Cell(c_left, c_right, width, reduction, left_is_larger=reduced))
            c_left, c_right, reduced = c_right, 5 * width, reduction
        self.act = nn.ReLU()
        self.head_drop = nn.Dropout(dropout)
        self.last_linear = nn.Linear(4320, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 331, 331) → (N, num_classes)."""
        prev = self.conv_0(x)
        cur = self.cell_stem_0(prev)
        for name in ["cell_stem_1"] + [f"cell_{i}" for i in range(12)]:
            prev, cur = cur, getattr(self, name)(prev, cur)
        return self.last_linear(self.head_drop(self.act(cur).mean((2, 3))))


def pnasnet5large(num_classes=1000, in_channels=3, dropout=0.0):
    return PNASNet5Large(num_classes, in_channels, dropout)
