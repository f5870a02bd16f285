"""NASNet-A (Zoph, Vasudevan, Shlens & Le 2018, "Learning transferable architectures for scalable
image recognition", CVPR).

Key idea: let a controller RNN, trained by reinforcement learning, *search* for the two cells of
a CNN — a Normal cell that keeps the grid and a Reduction cell that halves it — on CIFAR-10, then
stack the found cells (N Normal cells between Reduction cells) to build ImageNet networks of any
size.  Each cell combines two earlier cell outputs through five pairwise sums of separable
convolutions, poolings and identities, and concatenates the results.

``nasnetalarge`` ("NASNet-A (6 @ 4032)", input 331×331) has timm's layout and names: 88,753,150
parameters (paper, ImageNet results: 88.9 M), and ``model.load_state_dict(from_torch(timm_state_dict))``
maps key for key.  ``nasnetamobile`` ("NASNet-A (4 @ 1056)", input 224×224) is the same code
with the paper's mobile settings — stem of 32 filters, 1056 penultimate filters, N = 4 — and has
5,289,978 parameters (paper, mobile-setting ImageNet results: 5.3 M; the survey cites its Table 2).

Padding follows TensorFlow's 'SAME' (the authors' code), as timm does: stride-1 layers pad k//2 on
each side; stride-2 layers pad (k - 1 - (H - 1) mod 2) in total, the extra pixel at the bottom
and right, which depends on the input size (max pools pad with -inf, the stride-2 average pools
with zeros that count in the average; the stride-1 average pools count real pixels only).
BatchNorm eps is 0.001 throughout.
"""
import collections

from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias

F = nn.functional
BN_EPS = 1e-3


def same_padding(size, kernel_size, stride):
    """TensorFlow 'SAME': total padding so that the output has ceil(size / stride) positions."""
    return max((-(-size // stride) - 1) * stride + kernel_size - size, 0)


def pad_same(x, kernel_size, stride, value=0.0):
    """Pad (N, C, H, W) x for a 'SAME' window; the odd pixel goes to the bottom / right."""
    ph, pw = (same_padding(n, kernel_size, stride) for n in x.shape[-2:])
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), value=value)


class Conv2dSame(nn.Conv2d):
    """A stride-2 nn.Conv2d with 'SAME' padding computed from the input size (padding=0 inside)."""

    def forward(self, x):
        return super().forward(pad_same(x, self.kernel_size[0], self.stride[0]))


def conv_same(c_in, c_out, kernel_size, stride=1, groups=1):
    if stride == 1:
        return nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, groups=groups, bias=False)
    return Conv2dSame(c_in, c_out, kernel_size, stride, groups=groups, bias=False)


class PoolSame(nn.Module):
    """3×3 max or average pooling with 'SAME' padding (stride 1: real pixels only; stride 2: see module doc)."""

    def __init__(self, kind, stride, kernel_size=3):
        super().__init__()
        self.kind, self.stride, self.kernel_size = kind, stride, kernel_size

    def forward(self, x):
        k, s = self.kernel_size, self.stride
        if self.kind == "max":
            if s == 1:
                return F.max_pool2d(x, k, 1, k // 2)
            return F.max_pool2d(pad_same(x, k, s, value=float("-inf")), k, s)
        if s == 1:
            return F.avg_pool2d(x, k, 1, k // 2, count_include_pad=False)
        return F.avg_pool2d(pad_same(x, k, s), k, s)

    def extra_repr(self):
        return f"{self.kind}, kernel_size={self.kernel_size}, stride={self.stride}, padding='same'"


class ActConvBn(nn.Module):
    """ReLU → conv (no bias, 'SAME') → BatchNorm."""

    def __init__(self, c_in, c_out, kernel_size=1, stride=1):
        super().__init__()
        self.act = nn.ReLU()
        self.conv = conv_same(c_in, c_out, kernel_size, stride)
        self.bn = nn.BatchNorm2d(c_out, eps=BN_EPS)

    def forward(self, x):
        return self.bn(self.conv(self.act(x)))


class ConvBn(nn.Module):
    """The stem: 3×3 stride-2 unpadded conv → BatchNorm, no activation."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=BN_EPS)

    def forward(self, x):
        return self.bn(self.conv(x))


class SeparableConv2d(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride):
        super().__init__()
        self.depthwise_conv2d = conv_same(c_in, c_in, kernel_size, stride, groups=c_in)
        self.pointwise_conv2d = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x):
        return self.pointwise_conv2d(self.depthwise_conv2d(x))


class BranchSeparables(nn.Module):
    """The searched "sep k×k" op: (ReLU → separable conv → BatchNorm) twice; only the first may stride.
    The middle width is c_out (the stem cells' branches change the width in their first half)."""

    def __init__(self, c_in, c_out, kernel_size, stride=1):
        super().__init__()
        self.act_1 = nn.ReLU()
        self.separable_1 = SeparableConv2d(c_in, c_out, kernel_size, stride)
        self.bn_sep_1 = nn.BatchNorm2d(c_out, eps=BN_EPS)
        self.act_2 = nn.ReLU()
        self.separable_2 = SeparableConv2d(c_out, c_out, kernel_size, 1)
        self.bn_sep_2 = nn.BatchNorm2d(c_out, eps=BN_EPS)

    def forward(self, x):
        return self.bn_sep_2(self.separable_2(self.act_2(self.bn_sep_1(self.separable_1(self.act_1(x))))))


class StridedPath(nn.Module):
    """Half of a factorised reduction: take every second pixel (starting one pixel in when ``shift``,
    zero beyond the edge), then a 1×1 conv to half the output width."""

    def __init__(self, c_in, c_out, shift):
        super().__init__()
        self.shift = shift
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x):
        if self.shift:
            x = F.pad(x, (-1, 1, -1, 1))
        return self.conv(x[:, :, ::2, ::2])


def add_factorized_reduction(module, c_in, c_out):
    """Give ``module`` the layers that bring a 2×-larger grid to the cell's size (ReLU, two strided 1×1
    paths offset by one pixel, BatchNorm of their concatenation); apply with ``factorized_reduction``."""
    module.act = nn.ReLU()
    module.path_1 = StridedPath(c_in, c_out // 2, shift=False)
    module.path_2 = StridedPath(c_in, c_out // 2, shift=True)
    module.final_path_bn = nn.BatchNorm2d(c_out, eps=BN_EPS)


def factorized_reduction(module, x):
    x = module.act(x)
    return module.final_path_bn(cat([module.path_1(x), module.path_2(x)], 1))


def make_op(op, c_in, c_out, stride):
    """One searched op by name: 'sep3' / 'sep5' / 'sep7', 'max3', 'avg3', 'conv1' (ReLU-conv-BN)."""
    if op.startswith("sep"):
        return BranchSeparables(c_in, c_out, int(op[3:]), stride)
    if op == "conv1":
        return ActConvBn(c_in, c_out, 1, stride)
    pool = PoolSame(op[:3], stride)
    if c_in == c_out:
        return pool
    projection = nn.Conv2d(c_in, c_out, 1, bias=False)  # a pool that also changes the width: 1×1 conv → BN
    return nn.Sequential(collections.OrderedDict([("max_pool", pool), ("conv", projection),
                                                  ("bn", nn.BatchNorm2d(c_out, eps=BN_EPS))]))


class SearchedCell(nn.Module):
    """The five pairwise combinations of a cell, from a genotype.

    ``genotype`` lists, for i = 0…4, (left op, left input, right op, right input): an op name for
    ``make_op`` or None (identity), and an input that is a name in ``widths`` ('left', 'right': the
    cell's preprocessed inputs) or the index of an earlier combination.  Combination i is
    ``comb_iter_i_left(left input) + comb_iter_i_right(right input)``; ops on the cell's inputs use
    ``stride``, ops on combinations stride 1.  The cell outputs the concatenation of ``concat``."""

    def build_genotype(self, genotype, concat, widths, c_out, stride):
        self.genotype, self.concat = genotype, concat
        for i, combination in enumerate(genotype):
            for side, op, source in (("left", *combination[:2]), ("right", *combination[2:])):
                if op is not None:
                    c_in, s = (widths[source], stride) if isinstance(source, str) else (c_out, 1)
                    setattr(self, f"comb_iter_{i}_{side}", make_op(op, c_in, c_out, s))

    def combine(self, states):
        states = dict(states)
        for i, (left_op, left, right_op, right) in enumerate(self.genotype):
            a = states[left] if left_op is None else getattr(self, f"comb_iter_{i}_left")(states[left])
            b = states[right] if right_op is None else getattr(self, f"comb_iter_{i}_right")(states[right])
            states[i] = a + b
        return cat([states[key] for key in self.concat], 1)


# NASNet-A (paper Fig. 4).  'right' is the 1×1-projected current input, 'left' the previous one.
NORMAL = [("sep5", "right", "sep3", "left"), ("sep5", "left", "sep3", "left"), ("avg3", "right", None, "left"),
          ("avg3", "left", "avg3", "left"), ("sep3", "right", None, "right")]
REDUCTION = [("sep5", "right", "sep7", "left"), ("max3", "right", "sep7", "left"), ("avg3", "right", "sep5", "left"),
             (None, 1, "avg3", 0), ("sep3", 0, "max3", "right")]


class CellStem0(SearchedCell):
    """A Reduction cell on the stem output: 'right' is its 1×1 projection, 'left' the stem output itself."""

    def __init__(self, c_in, width):
        super().__init__()
        self.conv_1x1 = ActConvBn(c_in, width)
        self.build_genotype(REDUCTION, [1, 2, 3, 4], dict(left=c_in, right=width), width, 2)

    def forward(self, x):
        return self.combine(dict(left=x, right=self.conv_1x1(x)))


class CellStem1(SearchedCell):
    """A Reduction cell whose 'left' input (the stem, at twice the grid) is factorised-reduced."""

    def __init__(self, c_prev, c_in, width):
        super().__init__()
        self.conv_1x1 = ActConvBn(c_in, width)
        add_factorized_reduction(self, c_prev, width)
        self.build_genotype(REDUCTION, [1, 2, 3, 4], dict(left=width, right=width), width, 2)

    def forward(self, x, x_prev):
        return self.combine(dict(left=factorized_reduction(self, x_prev), right=self.conv_1x1(x)))


class NormalCell(SearchedCell):
    def __init__(self, c_prev, c_in, width):
        super().__init__()
        self.conv_prev_1x1 = ActConvBn(c_prev, width)
        self.conv_1x1 = ActConvBn(c_in, width)
        self.build_genotype(NORMAL, ["left", 0, 1, 2, 3, 4], dict(left=width, right=width), width, 1)

    def forward(self, x, x_prev):
        return self.combine(dict(left=self.conv_prev_1x1(x_prev), right=self.conv_1x1(x)))


class FirstCell(SearchedCell):
    """The Normal cell after a reduction: its previous input has twice the grid (factorised reduction)."""

    def __init__(self, c_prev, c_in, width):
        super().__init__()
        self.conv_1x1 = ActConvBn(c_in, width)
        add_factorized_reduction(self, c_prev, width)
        self.build_genotype(NORMAL, ["left", 0, 1, 2, 3, 4], dict(left=width, right=width), width, 1)

    def forward(self, x, x_prev):
        return self.combine(dict(left=factorized_reduction(self, x_prev), right=self.conv_1x1(x)))


class ReductionCell(SearchedCell):
    def __init__(self, c_prev, c_in, width):
        super().__init__()
        self.conv_prev_1x1 = ActConvBn(c_prev, width)
        self.conv_1x1 = ActConvBn(c_in, width)
        self.build_genotype(REDUCTION, [1, 2, 3, 4], dict(left=width, right=width), width, 2)

    def forward(self, x, x_prev):
        return self.combine(dict(left=self.conv_prev_1x1(x_prev), right=self.conv_1x1(x)))


class NASNetA(nn.Module):
    """NASNet-A (N @ num_features): stem conv, two stem Reduction cells, then three stages of N Normal
    cells (the first one a FirstCell) separated by two Reduction cells; widths double per stage and
    the last stage outputs num_features = 24 × the first stage's width."""

    def __init__(self, num_classes=1000, in_channels=3, stem_size=96, num_features=4032, cells_per_stage=6,
                 dropout=0.0):
        super().__init__()
        w = num_features // 24  # the first stage's cell width (168 for the large model)
        self.conv0 = ConvBn(in_channels, stem_size)
        self.cell_stem_0 = CellStem0(stem_size, w // 4)
        self.cell_stem_1 = CellStem1(stem_size, w, w // 2)
        self.order = ["cell_stem_0", "cell_stem_1"]
        c_prev, c_in, index = w, 2 * w, 0
        for stage in range(3):
            width = w * 2 ** stage
            if stage > 0:  # a Reduction cell; the FirstCell after it reads the same previous input
                name = f"reduction_cell_{stage - 1}"
                setattr(self, name, ReductionCell(c_prev, c_in, width))
                self.order.append(name)
                c_in = 4 * width
            for j in range(cells_per_stage):
                cell = FirstCell(c_prev, c_in, width) if j == 0 else NormalCell(c_prev, c_in, width)
                setattr(self, f"cell_{index}", cell)
                self.order.append(f"cell_{index}")
                c_prev, c_in, index = c_in, 6 * width, index + 1
        self.act = nn.ReLU()
        self.head_drop = nn.Dropout(dropout)
        self.last_linear = nn.Linear(num_features, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 331, 331) for the large model, (N, 3, 224, 224) for the mobile one → (N, num_classes)."""
        prev = self.conv0(x)
        cur = self.cell_stem_0(prev)
        for name in self.order[1:]:
            out = getattr(self, name)(cur, prev)
            if not name.startswith("reduction"):
                prev = cur  # a Reduction cell's successor still reads the Reduction cell's own previous input
            cur = out
        return self.last_linear(self.head_drop(self.act(cur).mean((2, 3))))


def nasnetalarge(num_classes=1000, in_channels=3, dropout=0.0):
    """NASNet-A (6 @ 4032), timm's layout and names: 88,753,150 parameters; input 331×331."""
    return NASNetA(num_classes, in_channels, stem_size=96, num_features=4032, cells_per_stage=6, dropout=dropout)


def nasnetamobile(num_classes=1000, in_channels=3, dropout=0.0):
    """NASNet-A (4 @ 1056) (the paper lists "NASNet-A (4 @ 1056)" with 5.3 M parameters and 564 M mult-adds):
    stem of 32 filters, N = 4; 5,289,978 parameters here; input 224×224."""
    return NASNetA(num_classes, in_channels, stem_size=32, num_features=1056, cells_per_stage=4, dropout=dropout)
