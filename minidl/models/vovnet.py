"""VoVNet (Lee, Hwang, Lee, Bae & Park 2019, "An energy and GPU-computation efficient backbone
network for real-time object detection", CVPR Workshops; arXiv:1904.09730) and VoVNetV2 (Lee & Park
2020, "CenterMask: real-time anchor-free instance segmentation", CVPR; arXiv:1911.06667).

Key idea: *one-shot aggregation* (OSA).  DenseNet concatenates every earlier feature map into the
input of every later layer, so memory traffic grows quadratically; an OSA module runs a plain chain
of 3×3 convolutions and concatenates all their outputs (and the module's input) only *once*, at
the end, where a 1×1 convolution aggregates them.  VoVNetV2 adds a residual connection and
*effective squeeze-excitation* (eSE): one fully connected layer (no channel reduction, so no
information is lost) and a hard sigmoid gate on the pooled features.

timm's layouts and names (``vovnet39a``: 22,600,296 parameters; ``ese_vovnet19b_dw``: 6,543,080,
whose convolutions are depthwise-separable), so
``model.load_state_dict(from_torch(timm_model.state_dict()))`` maps key for key.
"""
from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias
from .heads import ClassifierHead

# stem widths, per-stage 3×3 width, per-stage output width, convs per OSA module, modules per stage,
# residual, depthwise-separable convolutions, eSE on each stage's last module
CONFIGS = {
    "vovnet39a": dict(stem=(64, 64, 128), mid=(128, 160, 192, 224), out=(256, 512, 768, 1024), layers=5,
                      blocks=(1, 1, 2, 2), residual=False, depthwise=False, ese=False),
    "ese_vovnet19b_dw": dict(stem=(64, 64, 64), mid=(128, 160, 192, 224), out=(256, 512, 768, 1024), layers=3,
                             blocks=(1, 1, 1, 1), residual=True, depthwise=True, ese=True),
}


class ConvNormAct(nn.Module):
    """Conv (no bias) → BatchNorm → ReLU, as ``conv``, ``bn``, ``act`` (timm's names)."""

    def __init__(self, c_in, c_out, kernel_size=1, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class SeparableConvNormAct(nn.Module):
    """Depthwise 3×3 (carrying the stride) → pointwise 1×1 → BatchNorm → ReLU."""

    def __init__(self, c_in, c_out, kernel_size=3, stride=1):
        super().__init__()
        self.conv_dw = nn.Conv2d(c_in, c_in, kernel_size, stride=stride, padding=kernel_size // 2, groups=c_in,
                                 bias=False)
        self.conv_pw = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv_pw(self.conv_dw(x))))


class EffectiveSE(nn.Module):
    """eSE (CenterMask, VoVNetV2): y = x · hardsigmoid(W · mean_hw(x) + b), with one C → C 1×1 convolution."""

    def __init__(self, channels):
        super().__init__()
        self.fc = nn.Conv2d(channels, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.gate(self.fc(x.mean((2, 3), keepdim=True)))


class OsaBlock(nn.Module):
    """One-shot aggregation: a chain of ``layers`` 3×3 convolutions; the input and every output in the
    chain are concatenated once and aggregated by a 1×1 convolution (then eSE, then the residual)."""

    def __init__(self, c_in, mid, c_out, layers, residual=False, depthwise=False, ese=False):
        super().__init__()
        self.residual = residual
        # the depthwise chain needs a constant width: a 1×1 convolution brings the input to it first
        self.conv_reduction = ConvNormAct(c_in, mid, 1) if depthwise and c_in != mid else None
        if depthwise:
            chain = [SeparableConvNormAct(mid, mid) for _ in range(layers)]
        else:
            chain = [ConvNormAct(c_in if i == 0 else mid, mid, 3) for i in range(layers)]
        self.conv_mid = nn.Sequential(*chain)
        self.conv_concat = ConvNormAct(c_in + layers * mid, c_out, 1)
        self.attn = EffectiveSE(c_out) if ese else None

    def forward(self, x):
        features = [x]
        y = x if self.conv_reduction is None else self.conv_reduction(x)
        for conv in self.conv_mid:
            y = conv(y)
            features.append(y)
        y = self.conv_concat(cat(features, 1))
        if self.attn is not None:
            y = self.attn(y)
        return y + x if self.residual else y


class OsaStage(nn.Module):
    """An optional 3×3 stride-2 max pool (ceil mode) followed by ``blocks`` OSA modules; the residual
    applies from the second module on, eSE only on the last."""

    def __init__(self, c_in, mid, c_out, blocks, layers, downsample, residual, depthwise, ese):
        super().__init__()
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True) if downsample else None
        self.blocks = nn.Sequential(*[
            OsaBlock(c_in if i == 0 else c_out, mid, c_out, layers, residual=residual and i > 0, depthwise=depthwise,
                     ese=ese and i == blocks - 1) for i in range(blocks)])

    def forward(self, x):
        return self.blocks(x if self.pool is None else self.pool(x))


class VovNet(nn.Module):
    """Stem (stride 4: a 3×3 stride-2 conv and two more 3×3s, the last with stride 2), four OSA stages
    (the last three start with a max pool), classifier head."""

    def __init__(self, config, num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        cfg = CONFIGS[config] if isinstance(config, str) else config
        conv = SeparableConvNormAct if cfg["depthwise"] else ConvNormAct
        s0, s1, s2 = cfg["stem"]
        self.stem = nn.Sequential(ConvNormAct(in_channels, s0, 3, stride=2), conv(s0, s1, 3), conv(s1, s2, 3, stride=2))
        widths_in = (s2,) + tuple(cfg["out"][:-1])
        self.stages = nn.Sequential(*[
            OsaStage(c_in, mid, c_out, blocks, cfg["layers"], downsample=i > 0, residual=cfg["residual"],
                     depthwise=cfg["depthwise"], ese=cfg["ese"])
            for i, (c_in, mid, c_out, blocks) in enumerate(zip(widths_in, cfg["mid"], cfg["out"], cfg["blocks"]))])
        self.head = ClassifierHead(cfg["out"][-1], num_classes, dropout)
        kaiming_conv_zero_bias(self)
        nn.init.zeros_(self.head.fc.bias)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        return self.head(self.stages(self.stem(x)))


def vovnet39a(num_classes=1000, in_channels=3, dropout=0.0):
    return VovNet("vovnet39a", num_classes, in_channels, dropout)


def ese_vovnet19b_dw(num_classes=1000, in_channels=3, dropout=0.0):
    return VovNet("ese_vovnet19b_dw", num_classes, in_channels, dropout)
