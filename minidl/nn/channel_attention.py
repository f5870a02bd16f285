"""Attention over channels and kernels, the layers of ECA-Net, SKNet and ResNeSt; timm's names.

* ``EcaModule`` — efficient channel attention: one gate per channel from a 1-D convolution over
  the pooled channel vector (Wang et al. 2020).
* ``SelectiveKernel`` — several convolution paths with different receptive fields, mixed per
  channel by a softmax over the paths (Li et al. 2019).
* ``SplitAttn`` — ResNeSt's split attention: a grouped convolution yields ``radix`` splits,
  mixed per channel by a softmax over the splits (Zhang et al. 2022).

All three are compositions of differentiable minidl ops (pooling, convolution, softmax, sums), so
their gradients come from those ops.  Channel counts follow timm 1.0's rounding, so timm
``state_dict()``s load key for key.
"""
import math

from ..functions.joining import split, stack
from ..functions.softmax import softmax
from .activation import ReLU, Sigmoid
from .containers import ModuleList
from .conv import Conv1d, Conv2d
from .linear import Identity
from .module import Module
from .normalization import BatchNorm2d


def make_divisible(value, divisor=8, min_value=None, round_limit=0.9):
    """``value`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``, default
    ``divisor``), one step up if rounding lost more than ``1 - round_limit`` of it (timm's rule)."""
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < round_limit * value else rounded


class ConvNormAct(Module):
    """Conv2d (no bias) → BatchNorm2d → ReLU (or Identity with ``apply_act=False``); 'same'-style
    padding ((stride − 1) + dilation·(k − 1)) // 2; ``eps`` is the BatchNorm's; ``act_layer`` e.g.
    ``nn.LeakyReLU`` instead of ReLU.  Children ``conv``, ``bn``, ``act`` as timm's."""

    def __init__(self, in_channels, out_channels, kernel_size=1, stride=1, dilation=1, groups=1, apply_act=True,
                 eps=1e-5, act_layer=ReLU):
        super().__init__()
        padding = ((stride - 1) + dilation * (kernel_size - 1)) // 2
        self.conv = Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias=False)
        self.bn = BatchNorm2d(out_channels, eps=eps)
        self.act = act_layer(inplace=True) if apply_act else Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class EcaModule(Module):
    """Efficient channel attention (Wang et al. 2020, "ECA-Net: Efficient channel attention for deep
    convolutional neural networks", eq. 12): y = x · σ(conv1d_k(mean_hw(x))), a gate per channel
    from its k neighbours in the channel vector — k·1 weights instead of SE's two C×C/r layers.

    With ``channels`` given, k is the odd number nearest |log₂(C) + beta| / gamma (at least 3), as
    in the paper; otherwise ``kernel_size``.  Shapes: x: (N, C, H, W) → (N, C, H, W).  Children:
    ``conv`` (Conv1d(1, 1, k, bias=False)), ``gate`` (Sigmoid).
    """

    def __init__(self, channels=None, kernel_size=3, gamma=2, beta=1):
        super().__init__()
        if channels is not None:
            t = int(abs(math.log2(channels) + beta) / gamma)
            kernel_size = max(t if t % 2 else t + 1, 3)
        if kernel_size % 2 == 0:
            raise ValueError(f"EcaModule: kernel_size must be odd, got {kernel_size}")
        self.conv = Conv1d(1, 1, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.gate = Sigmoid()

    def forward(self, x):
        n, c = x.shape[:2]
        weights = self.gate(self.conv(x.mean((2, 3)).reshape(n, 1, c)))  # (N, 1, C)
        return x * weights.reshape(n, c, 1, 1)


class SelectiveKernelAttn(Module):
    """The "select" of SKNet: fuse the paths (sum), squeeze (mean over H, W), reduce to
    ``attn_channels`` (1×1 conv, BN, ReLU), expand to one logit per path and channel, softmax over
    the paths.  Shapes: (N, P, C, H, W) → weights (N, P, C, 1, 1) that sum to 1 over P."""

    def __init__(self, channels, num_paths=2, attn_channels=32):
        super().__init__()
        self.num_paths = num_paths
        self.fc_reduce = Conv2d(channels, attn_channels, 1, bias=False)
        self.bn = BatchNorm2d(attn_channels)
        self.act = ReLU(inplace=True)
        self.fc_select = Conv2d(attn_channels, channels * num_paths, 1, bias=False)

    def forward(self, x):
        if x.ndim != 5 or x.shape[1] != self.num_paths:
            raise ValueError(f"SelectiveKernelAttn: expected input (N, {self.num_paths}, C, H, W), got {tuple(x.shape)}")
        squeezed = x.sum(1).mean((2, 3), keepdim=True)  # (N, C, 1, 1)
        logits = self.fc_select(self.act(self.bn(self.fc_reduce(squeezed))))  # (N, P·C, 1, 1)
        n, pc = logits.shape[:2]
        return softmax(logits.reshape(n, self.num_paths, pc // self.num_paths, 1, 1), 1)


class SelectiveKernel(Module):
    """Selective kernel convolution (Li, Wang, Hu & Yang 2019, "Selective kernel networks", Fig. 1):
    split (one ConvNormAct per kernel size), fuse and select (``SelectiveKernelAttn``); the output
    is the per-channel softmax-weighted sum of the paths.

    kernel_size: list of kernel sizes, default [3, 5]; with ``keep_3x3`` every path is a 3×3 whose
    dilation (k − 1) // 2 gives it k×k's receptive field (the paper's 5×5 is a dilated 3×3).
    split_input: each path sees only its 1/P share of the input channels (timm's cheaper variant).
    Attention width: ``rd_channels``, or ``make_divisible(out_channels · rd_ratio, rd_divisor)``.
    Shapes: x: (N, in_channels, H, W) → (N, out_channels, H / stride, W / stride).
    """

    def __init__(self, in_channels, out_channels=None, kernel_size=None, stride=1, dilation=1, groups=1,
                 rd_ratio=1.0 / 16, rd_channels=None, rd_divisor=8, keep_3x3=True, split_input=True):
        super().__init__()
        out_channels = out_channels or in_channels
        kernel_size = kernel_size or [3, 5]
        if not isinstance(kernel_size, (list, tuple)):
            kernel_size = [kernel_size] * 2
        if any(k < 3 or k % 2 == 0 for k in kernel_size):
            raise ValueError(f"SelectiveKernel: kernel sizes must be odd and ≥ 3, got {kernel_size}")
        if keep_3x3:
            dilations, kernel_size = [dilation * (k - 1) // 2 for k in kernel_size], [3] * len(kernel_size)
        else:
            dilations = [dilation] * len(kernel_size)
        self.num_paths, self.in_channels, self.out_channels = len(kernel_size), in_channels, out_channels
        self.split_input = split_input
        if split_input:
            if in_channels % self.num_paths:
                raise ValueError(f"SelectiveKernel: in_channels ({in_channels}) must be divisible by the number of "
                                 f"paths ({self.num_paths}) with split_input=True")
            in_channels //= self.num_paths
        groups = min(out_channels, groups)
        self.paths = ModuleList([ConvNormAct(in_channels, out_channels, k, stride, d, groups)
                                 for k, d in zip(kernel_size, dilations)])
        attn_channels = rd_channels or make_divisible(out_channels * rd_ratio, divisor=rd_divisor)
        self.attn = SelectiveKernelAttn(out_channels, self.num_paths, attn_channels)

    def forward(self, x):
        if self.split_input:
            inputs = split(x, self.in_channels // self.num_paths, 1)
            paths = stack([path(part) for path, part in zip(self.paths, inputs)], 1)
        else:
            paths = stack([path(x) for path in self.paths], 1)  # (N, P, C, H, W)
        return (paths * self.attn(paths)).sum(1)


class RadixSoftmax(Module):
    """Softmax over the ``radix`` splits within each of ``cardinality`` groups (sigmoid if radix = 1).
    Shapes: (N, cardinality·radix·k, …) in (group, split, k) order → (N, radix·cardinality·k) in
    (split, group, k) order, the order of ``SplitAttn``'s convolution output."""

    def __init__(self, radix, cardinality):
        super().__init__()
        self.radix, self.cardinality = radix, cardinality

    def forward(self, x):
        n = x.shape[0]
        if self.radix == 1:
            return x.sigmoid()
        x = x.reshape(n, self.cardinality, self.radix, -1).transpose(1, 2)
        return softmax(x, 1).reshape(n, -1)


class SplitAttn(Module):
    """Split attention (Zhang et al. 2022, "ResNeSt: Split-attention networks", Fig. 2):
    one grouped convolution produces ``radix`` splits of ``out_channels`` each; their sum is pooled
    and passed through two 1×1 convolutions to one logit per split and channel; the output is the
    softmax(over splits)-weighted sum of the splits.

    Attention width: ``rd_channels · radix``, or ``make_divisible(in_channels · radix · rd_ratio,
    rd_divisor)`` but at least 32.  norm_layer: e.g. ``nn.BatchNorm2d`` (children ``bn0``/``bn1``),
    None → Identity.  Shapes: x: (N, in_channels, H, W) → (N, out_channels, H', W').
    """

    def __init__(self, in_channels, out_channels=None, kernel_size=3, stride=1, padding=None, dilation=1, groups=1,
                 bias=False, radix=2, rd_ratio=0.25, rd_channels=None, rd_divisor=8, norm_layer=None):
        super().__init__()
        out_channels = out_channels or in_channels
        self.radix = radix
        mid = out_channels * radix
        attn = rd_channels * radix if rd_channels else make_divisible(in_channels * radix * rd_ratio, rd_divisor, 32)
        padding = kernel_size // 2 if padding is None else padding
        self.conv = Conv2d(in_channels, mid, kernel_size, stride, padding, dilation, groups=groups * radix, bias=bias)
        self.bn0 = norm_layer(mid) if norm_layer else Identity()
        self.act0 = ReLU(inplace=True)
        self.fc1 = Conv2d(out_channels, attn, 1, groups=groups)
        self.bn1 = norm_layer(attn) if norm_layer else Identity()
        self.act1 = ReLU(inplace=True)
        self.fc2 = Conv2d(attn, mid, 1, groups=groups)
        self.rsoftmax = RadixSoftmax(radix, groups)

    def forward(self, x):
        x = self.act0(self.bn0(self.conv(x)))
        n, rc, h, w = x.shape
        splits = x.reshape(n, self.radix, rc // self.radix, h, w)  # (N, R, C, H, W)
        pooled = splits.sum(1).mean((2, 3), keepdim=True)  # (N, C, 1, 1)
        weights = self.rsoftmax(self.fc2(self.act1(self.bn1(self.fc1(pooled)))))  # (N, R·C)
        return (splits * weights.reshape(n, self.radix, rc // self.radix, 1, 1)).sum(1)
