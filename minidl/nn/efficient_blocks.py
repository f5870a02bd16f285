"""Building blocks of the efficient CNNs (EfficientNet, MixNet, GhostNet): squeeze-and-excitation,
mixed depthwise convolution and the Ghost module.  timm's class, argument and parameter names, so a
timm ``state_dict()`` loads into them key for key.
"""
import math

from ..functions.joining import cat, split
from .activation import ReLU, Sigmoid
from .containers import ModuleList, Sequential
from .conv import Conv2d
from .module import Module
from .normalization import BatchNorm2d


class SqueezeExcite(Module):
    """Squeeze-and-excitation (Hu et al. 2018, "Squeeze-and-Excitation Networks"), timm's
    EfficientNet/MobileNet form: a per-channel gate computed from the channel means.

        s = mean over (H, W) of x               (N, C, 1, 1)   "squeeze"
        g = gate(conv_expand(act1(conv_reduce(s))))            "excitation", 1×1 convs with bias
        out = x · g

    ``rd_channels`` (the bottleneck width) defaults to ``rd_round_fn(in_chs · rd_ratio)``, with
    Python's ``round`` as the default rounding.  In EfficientNet the ratio is taken of the block's
    *input* width: an inverted residual with expansion e and "se0.25" builds
    ``SqueezeExcite(mid_chs, rd_ratio=0.25 / e)``.  ``act_layer``/``gate_layer`` are Module classes
    (EfficientNet: SiLU and Sigmoid; GhostNet: ReLU and Hardsigmoid).

    Shapes: x (N, in_chs, H, W) → the same.  Keys: conv_reduce.{weight,bias}, conv_expand.{weight,bias}.
    """

    def __init__(self, in_chs, rd_ratio=0.25, rd_channels=None, act_layer=ReLU, gate_layer=Sigmoid,
                 rd_round_fn=None):
        super().__init__()
        if rd_channels is None:
            rd_channels = (rd_round_fn or round)(in_chs * rd_ratio)
        if rd_channels < 1:
            raise ValueError(f"SqueezeExcite: the reduced width must be at least 1, got {rd_channels} "
                             f"(in_chs={in_chs}, rd_ratio={rd_ratio})")
        self.conv_reduce = Conv2d(in_chs, rd_channels, 1, bias=True)
        self.act1 = act_layer()
        self.conv_expand = Conv2d(rd_channels, in_chs, 1, bias=True)
        self.gate = gate_layer()

    def forward(self, x):
        squeezed = x.mean((2, 3), keepdim=True)
        return x * self.gate(self.conv_expand(self.act1(self.conv_reduce(squeezed))))


def split_channels(channels, groups):
    """``channels`` cut into ``groups`` near-equal parts, the remainder going to the first."""
    sizes = [channels // groups] * groups
    sizes[0] += channels - sum(sizes)
    return sizes


def symmetric_padding(kernel_size, stride=1, dilation=1):
    """timm's default ('') padding: ((stride − 1) + dilation·(k − 1)) // 2 on every side, which
    keeps H' = ceil(H / stride) for odd kernels (PyTorch-style, not TensorFlow's asymmetric SAME)."""
    return ((stride - 1) + dilation * (kernel_size - 1)) // 2


def _timm_padding(padding, kernel_size, stride, dilation):
    """timm's padding argument as an int: "" and (unstrided) "same" → symmetric, "valid" → 0."""
    if isinstance(padding, int):
        return padding
    return 0 if padding == "valid" else symmetric_padding(kernel_size, stride, dilation)


class MixedConv2d(ModuleList):
    """Mixed depthwise convolution, MixConv (Tan & Le 2019, "MixConv: Mixed Depthwise Convolutional
    Kernels"): the channels are split into len(kernel_size) groups and group i is convolved with a
    kernel_size[i]×kernel_size[i] kernel, so one layer sees several receptive fields; the outputs
    are concatenated.  With ``depthwise=True`` each group is a depthwise conv (MixNet's dw layer);
    otherwise a dense conv per group (MixNet's grouped 1×1 expansion and projection).

    Channels split as ``split_channels`` (the first group takes the remainder), for the input and
    the output alike.  ``padding`` is timm's: "" (symmetric, ``symmetric_padding``), "valid" (none)
    or an int; TensorFlow's asymmetric "same" is accepted only where it is symmetric (stride 1).
    No bias (it is followed by BN).

    Shapes: x (N, in_channels, H, W) → (N, out_channels, H', W'), H' = ceil(H / stride) for odd
    kernels.  Keys: "0.weight", "1.weight", … one conv per kernel size (timm's names).
    Raises ValueError when a group would be empty or, for depthwise, in and out splits differ.
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding="", dilation=1, depthwise=False):
        kernel_sizes = list(kernel_size) if isinstance(kernel_size, (list, tuple)) else [kernel_size]
        if padding not in ("", "valid", "same") and not isinstance(padding, int):
            raise ValueError(f"MixedConv2d: padding must be '', 'valid', 'same' or an int, got {padding!r}")
        if padding == "same" and stride != 1:
            raise ValueError("MixedConv2d: padding='same' (TensorFlow's, asymmetric when strided) is only "
                             f"supported with stride 1, got stride={stride}; use padding='' (symmetric)")
        in_splits = split_channels(in_channels, len(kernel_sizes))
        out_splits = split_channels(out_channels, len(kernel_sizes))
        if min(in_splits + out_splits) < 1:
            raise ValueError(f"MixedConv2d: {len(kernel_sizes)} kernel sizes need at least as many channels, "
                             f"got in_channels={in_channels}, out_channels={out_channels}")
        if depthwise and in_splits != out_splits:
            raise ValueError(f"MixedConv2d: depthwise needs out_channels == in_channels, got {out_channels} "
                             f"and {in_channels}")
        convs = [Conv2d(c_in, c_out, k, stride, _timm_padding(padding, k, stride, dilation), dilation,
                        groups=c_in if depthwise else 1, bias=False)
                 for k, c_in, c_out in zip(kernel_sizes, in_splits, out_splits)]
        super().__init__(convs)
        self.in_channels, self.out_channels, self.splits = in_channels, out_channels, in_splits
        self.kernel_size = kernel_sizes

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise RuntimeError(f"MixedConv2d: expected input (N, {self.in_channels}, H, W), got shape {tuple(x.shape)}")
        pieces = split(x, self.splits, 1)
        return cat([conv(piece) for conv, piece in zip(self, pieces)], 1)

    def extra_repr(self):
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"


class GhostModule(Module):
    """The Ghost module (Han et al. 2020, "GhostNet: More Features from Cheap Operations"): a
    convolution makes only ceil(out_chs / ratio) "intrinsic" maps, and a cheap depthwise
    dw_size×dw_size conv makes the other ("ghost") maps from them; the two are concatenated and
    cut to out_chs.  With ratio 2 it costs about half a plain 1×1 conv's multiply-adds.

        x1 = act(BN(conv_k×k(x)))           primary_conv.{0: conv, 1: BN}
        x2 = act(BN(depthwise_dw×dw(x1)))   cheap_operation.{0: conv, 1: BN}
        out = cat(x1, x2)[:, :out_chs]

    ``act_layer`` is a Module class (ReLU; GhostNet's projection module uses ``Identity``).
    Shapes: x (N, in_chs, H, W) → (N, out_chs, H', W') with H' = ceil(H / stride).
    """

    def __init__(self, in_chs, out_chs, kernel_size=1, ratio=2, dw_size=3, stride=1, act_layer=ReLU):
        super().__init__()
        if ratio < 2:
            raise ValueError(f"GhostModule: ratio must be at least 2 (one ghost per intrinsic map), got {ratio}")
        self.out_chs = out_chs
        init_chs = math.ceil(out_chs / ratio)
        new_chs = init_chs * (ratio - 1)
        self.primary_conv = Sequential(
            Conv2d(in_chs, init_chs, kernel_size, stride, kernel_size // 2, bias=False),
            BatchNorm2d(init_chs), act_layer(),
        )
        self.cheap_operation = Sequential(
            Conv2d(init_chs, new_chs, dw_size, 1, dw_size // 2, groups=init_chs, bias=False),
            BatchNorm2d(new_chs), act_layer(),
        )

    def forward(self, x):
        intrinsic = self.primary_conv(x)
        ghosts = self.cheap_operation(intrinsic)
        return cat([intrinsic, ghosts], 1)[:, :self.out_chs]
