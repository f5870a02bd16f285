"""TResNet (Ridnik, Lawen, Noy, Ben Baruch, Sharir & Friedman 2021, "TResNet: high performance
GPU-dedicated architecture", WACV; arXiv:2003.13630).

Key idea: a ResNet redesigned for GPU throughput rather than FLOPs.  (1) A *space-to-depth* stem:
the 224×224×3 image is cut into 4×4 blocks that become 48 channels of a 56×56 map, replacing the
7×7 convolution and max pool, followed by one 3×3 convolution.  (2) *Anti-aliased downsampling*
(Zhang 2019): every stride-2 3×3 convolution becomes a stride-1 convolution followed by a fixed
3×3 binomial blur applied with stride 2 (the shortcut averages 2×2 before its 1×1 convolution).
(3) *Inplace-ABN*: each BatchNorm is fused with a leaky ReLU (slope 10⁻³ in the blocks, 10⁻² in
the stem) — written here plainly as BatchNorm2d followed by LeakyReLU, which computes the same.
(4) Basic blocks in the first two stages, bottlenecks in the last two, and squeeze-excitation in
the first three.

timm's layout and names (``tresnet_m``: 31,389,032 parameters), so
``model.load_state_dict(from_torch(timm_model.state_dict()))`` maps key for key.  Input sides must
be multiples of 4 (the space-to-depth stem).
"""
import collections

import numpy as np

from .. import creation, nn
from ..nn import functional as F
from .heads import ClassifierHead


class SpaceToDepth(nn.Module):
    """Moves each block_size × block_size patch into channels: (N, C, H, W) → (N, C·b², H/b, W/b).

    Channel order is timm's (and the paper's code): output channel (i·b + j)·C + c holds input
    channel c at offset (i, j) inside its patch.  (``torch.nn.PixelUnshuffle`` orders them
    c·b² + i·b + j instead, so its weights would not line up.)  Raises ValueError when H or W is not
    a multiple of block_size.
    """

    def __init__(self, block_size=4):
        super().__init__()
        self.block_size = block_size

    def forward(self, x):
        n, c, h, w = x.shape
        b = self.block_size
        if h % b or w % b:
            raise ValueError(f"SpaceToDepth: input height and width must be multiples of {b}, got {h}×{w}")
        x = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
        return x.reshape(n, c * b * b, h // b, w // b)

    def extra_repr(self):
        return f"block_size={self.block_size}"


class BlurPool2d(nn.Module):
    """Anti-aliased downsampling (Zhang 2019, "Making convolutional networks shift-invariant again"):
    reflect-pad by 1, then a depthwise 3×3 binomial blur [1, 2, 1]ᵀ[1, 2, 1] / 16 with stride 2.
    (N, C, H, W) → (N, C, ⌈H/2⌉, ⌈W/2⌉).  The filter is fixed: a non-persistent buffer, not a parameter."""

    def __init__(self, channels, stride=2):
        super().__init__()
        self.channels, self.stride = channels, stride
        taps = np.array([1.0, 2.0, 1.0]) / 4.0
        filt = np.broadcast_to(np.outer(taps, taps), (channels, 1, 3, 3)).astype(np.float32)
        self.register_buffer("filt", creation.tensor(filt), persistent=False)

    def forward(self, x):
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return F.conv2d(x, self.filt.to(x.dtype), stride=self.stride, groups=self.channels)


class ConvNormAct(nn.Module):
    """Conv (no bias) → BatchNorm → optional leaky ReLU → optional anti-aliased downsampling.

    With ``anti_alias`` and stride 2, the convolution runs at stride 1 and ``aa`` (a BlurPool2d)
    does the downsampling after the activation; otherwise the convolution carries the stride."""

    def __init__(self, c_in, c_out, kernel_size=1, stride=1, negative_slope=None, anti_alias=False):
        super().__init__()
        use_aa = anti_alias and stride > 1
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride=1 if use_aa else stride, padding=kernel_size // 2,
                              bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.Identity() if negative_slope is None else nn.LeakyReLU(negative_slope, inplace=True)
        self.aa = BlurPool2d(c_out, stride) if use_aa else None

    def forward(self, x):
        x = self.act(self.bn(self.conv(x)))
        return x if self.aa is None else self.aa(x)


class SEModule(nn.Module):
    """Squeeze-excitation with a given bottleneck width: x · σ(fc2(ReLU(fc1(mean_hw(x)))))."""

    def __init__(self, channels, rd_channels):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True)))))


class BasicBlock(nn.Module):
    """3×3 (leaky ReLU, anti-aliased if strided) → 3×3 → SE → + shortcut → ReLU."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, use_se=True):
        super().__init__()
        self.downsample = downsample
        self.conv1 = ConvNormAct(inplanes, planes, 3, stride, negative_slope=1e-3, anti_alias=True)
        self.conv2 = ConvNormAct(planes, planes, 3)
        self.act = nn.ReLU(inplace=True)
        self.se = SEModule(planes, max(planes // 4, 64)) if use_se else None

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.conv1(x))
        if self.se is not None:
            out = self.se(out)
        return self.act(out + shortcut)


class Bottleneck(nn.Module):
    """1×1 → 3×3 (anti-aliased if strided) → SE (on the narrow width) → 1×1 ×4 → + shortcut → ReLU."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, use_se=True):
        super().__init__()
        self.downsample = downsample
        self.conv1 = ConvNormAct(inplanes, planes, 1, negative_slope=1e-3)
        self.conv2 = ConvNormAct(planes, planes, 3, stride, negative_slope=1e-3, anti_alias=True)
        self.se = SEModule(planes, max(planes * self.expansion // 8, 64)) if use_se else None
        self.conv3 = ConvNormAct(planes, planes * self.expansion, 1)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.conv1(x))
        if self.se is not None:
            out = self.se(out)
        return self.act(self.conv3(out) + shortcut)


def make_layer(block, inplanes, planes, blocks, stride, use_se):
    """A stage; a strided or widening first block gets a shortcut of 2×2 average pool (ceil mode, real
    pixels only) → 1×1 conv → BatchNorm."""
    downsample = None
    if stride != 1 or inplanes != planes * block.expansion:
        pool = [nn.AvgPool2d(2, stride=2, ceil_mode=True, count_include_pad=False)] if stride == 2 else []
        downsample = nn.Sequential(*pool, ConvNormAct(inplanes, planes * block.expansion, 1))
    layers = [block(inplanes, planes, stride, downsample, use_se)]
    layers += [block(planes * block.expansion, planes, use_se=use_se) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class TResNet(nn.Module):
    """``body``: space-to-depth, a 3×3 conv to 64 channels, four stages (basic, basic, bottleneck,
    bottleneck; widths 64, 128, 1024, 2048 for width 1.0); then ``head``."""

    def __init__(self, layers, num_classes=1000, in_channels=3, width_factor=1.0, dropout=0.0):
        super().__init__()
        planes = int(64 * width_factor)
        self.body = nn.Sequential(collections.OrderedDict([
            ("s2d", SpaceToDepth(4)),
            ("conv1", ConvNormAct(in_channels * 16, planes, 3, negative_slope=0.01)),
            ("layer1", make_layer(BasicBlock, planes, planes, layers[0], 1, use_se=True)),
            ("layer2", make_layer(BasicBlock, planes, planes * 2, layers[1], 2, use_se=True)),
            ("layer3", make_layer(Bottleneck, planes * 2, planes * 4, layers[2], 2, use_se=True)),
            ("layer4", make_layer(Bottleneck, planes * 16, planes * 8, layers[3], 2, use_se=False)),
        ]))
        self.num_features = planes * 8 * Bottleneck.expansion
        self.head = ClassifierHead(self.num_features, num_classes, dropout)
        self._init_weights()

    def _init_weights(self):
        """He normal convs (fan_out), N(0, 0.01²) classifier, and the last BatchNorm of every block
        zeroed so that each residual block starts as the identity (timm's initialisation)."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="leaky_relu")
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.01)
            if isinstance(module, BasicBlock):
                nn.init.zeros_(module.conv2.bn.weight)
            elif isinstance(module, Bottleneck):
                nn.init.zeros_(module.conv3.bn.weight)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes); sides multiples of 4."""
        return self.head(self.body(x))


def tresnet_m(num_classes=1000, in_channels=3, dropout=0.0):
    return TResNet([3, 4, 11, 3], num_classes, in_channels, dropout=dropout)
