"""ProxylessNAS (Cai, Zhu & Han 2019, "ProxylessNAS: Direct neural architecture search on target task
and hardware", ICLR; arXiv:1812.00332).

Key idea: search the architecture *directly* on ImageNet and for the target device, instead of on a
proxy (CIFAR, a few blocks): every block of an over-parameterised network holds all candidate
operations (inverted residuals with kernel 3/5/7 and expansion 3/6, or "zero" = skip), and binarised
path sampling keeps only one path in memory while gradient steps learn which to keep; a latency
model of the device enters the loss.  The three nets found for GPU, CPU and a phone (Fig. 4) differ
the way the devices do: the GPU net is shallower and wider with large kernels, the CPU net deeper
and narrower.

Layout: the architectures of Fig. 4 as released in the authors' net configs (``proxyless_gpu``,
``proxyless_cpu``, ``proxyless_mobile`` of github.com/mit-han-lab/proxylessnas; we took the tables
below from their transcription in osmr/imgclsmob): a 3×3/2 convolution, an MBConv1 3×3 block,
then four stages of MobileNetV2 inverted residuals (1×1 expand → k×k depthwise → 1×1 linear, BN and
ReLU6, the identity added when the shape is kept) whose kernel, expansion and presence (a "zero"
op leaves the identity) the search chose, a 1×1 "feature mix" convolution, global average pooling
and a linear layer.  BatchNorm ε = 1e-3.

Counts: proxylessnas_mobile 4,080,512 parameters and 320.4 M MACs at 224² — the authors' ImageNet
log (logs/imagenet_mobile_log.txt: "Total training params: 4.08M", "Total FLOPs: 320.4M");
proxylessnas_gpu 7,119,848 and proxylessnas_cpu 4,361,648, the counts of the released configs
(the GPU net's "7.1 M" is the figure usually quoted for the paper; not re-checked in the PDF here).
"""
from .. import nn
from ._init import kaiming_conv_zero_bias

# Per stage: (out channels, kernel, expansion) for each searched block; kernel 0 = "zero" op (skipped).
ARCHS = {
    "gpu": dict(stem=40, first=24, head=1728, stages=[
        [(32, 5, 3), (32, 0, 0), (32, 0, 0), (32, 0, 0)],
        [(56, 7, 3), (56, 0, 0), (56, 0, 0), (56, 3, 3)],
        [(112, 7, 6), (112, 0, 0), (112, 0, 0), (112, 5, 3), (128, 5, 6), (128, 0, 0), (128, 3, 3), (128, 5, 3)],
        [(256, 7, 6), (256, 7, 6), (256, 7, 6), (256, 5, 6), (432, 7, 6)]]),
    "cpu": dict(stem=40, first=24, head=1432, stages=[
        [(32, 3, 6), (32, 3, 3), (32, 3, 3), (32, 3, 3)],
        [(48, 3, 6), (48, 3, 3), (48, 3, 3), (48, 5, 3)],
        [(88, 3, 6), (88, 0, 0), (88, 0, 0), (88, 3, 3), (104, 5, 6), (104, 3, 3), (104, 3, 3), (104, 3, 3)],
        [(216, 5, 6), (216, 5, 3), (216, 5, 3), (216, 3, 3), (360, 5, 6)]]),
    "mobile": dict(stem=32, first=16, head=1280, stages=[
        [(32, 5, 3), (32, 3, 3), (32, 0, 0), (32, 0, 0)],
        [(40, 7, 3), (40, 3, 3), (40, 5, 3), (40, 5, 3)],
        [(80, 7, 6), (80, 5, 3), (80, 5, 3), (80, 5, 3), (96, 5, 6), (96, 5, 3), (96, 5, 3), (96, 5, 3)],
        [(192, 7, 6), (192, 7, 6), (192, 7, 3), (192, 7, 3), (320, 7, 6)]]),
}


def conv_bn_act(c_in, c_out, kernel=1, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(c_out, eps=1e-3)]
    return nn.Sequential(*layers, nn.ReLU6(inplace=True)) if act else nn.Sequential(*layers)


class MBInvertedConv(nn.Module):
    """1×1 expand (×e, skipped for e = 1) → k×k depthwise/stride → 1×1 linear; + x when ``residual``.
    (N, c_in, H, W) → (N, c_out, H/s, W/s)."""

    def __init__(self, c_in, c_out, kernel, stride, expand_ratio, residual):
        super().__init__()
        mid = round(c_in * expand_ratio)
        self.inverted_bottleneck = conv_bn_act(c_in, mid) if expand_ratio > 1 else nn.Identity()
        self.depth_conv = conv_bn_act(mid, mid, kernel, stride, groups=mid)
        self.point_linear = conv_bn_act(mid, c_out, act=False)
        self.residual = residual

    def forward(self, x):
        out = self.point_linear(self.depth_conv(self.inverted_bottleneck(x)))
        return x + out if self.residual else out


class ProxylessNAS(nn.Module):
    def __init__(self, arch="mobile", num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        if arch not in ARCHS:
            raise ValueError(f"ProxylessNAS: arch must be one of {sorted(ARCHS)}, got {arch!r}")
        spec = ARCHS[arch]
        self.first_conv = conv_bn_act(in_channels, spec["stem"], 3, 2)
        blocks, c = [MBInvertedConv(spec["stem"], spec["first"], 3, 1, 1, False)], spec["first"]
        for stage in spec["stages"]:
            for index, (c_out, kernel, expand) in enumerate(stage):
                if kernel == 0:  # the search chose "zero": the block is the identity
                    continue
                stride = 2 if index == 0 else 1
                blocks.append(MBInvertedConv(c, c_out, kernel, stride, expand, stride == 1 and c == c_out))
                c = c_out
        self.blocks = nn.Sequential(*blocks)
        self.feature_mix_layer = conv_bn_act(c, spec["head"])
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(spec["head"], num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        x = self.feature_mix_layer(self.blocks(self.first_conv(x)))
        return self.classifier(self.dropout(x.mean((2, 3))))


def proxylessnas_gpu(num_classes=1000, in_channels=3, dropout=0.0):
    return ProxylessNAS("gpu", num_classes, in_channels, dropout)


def proxylessnas_cpu(num_classes=1000, in_channels=3, dropout=0.0):
    return ProxylessNAS("cpu", num_classes, in_channels, dropout)


def proxylessnas_mobile(num_classes=1000, in_channels=3, dropout=0.0):
    return ProxylessNAS("mobile", num_classes, in_channels, dropout)
