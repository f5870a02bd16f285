"""ResNet (He, Zhang, Ren & Sun 2016, "Deep residual learning for image recognition"), ResNeXt
(Xie et al. 2017), Wide ResNet (Zagoruyko & Komodakis 2016) and SE-ResNet (Hu et al. 2018).

Key idea: each block learns a *residual* F(x) that is added to its input, y = F(x) + x, so the
identity path carries signal and gradient through hundreds of layers and very deep networks
train as easily as shallow ones.  ResNeXt splits the 3×3 convolution into 32 groups, Wide ResNet
widens it, and squeeze-and-excitation rescales each channel by a gate computed from global
context.  torchvision's layout and names (v1.5: the stride sits on the 3×3 convolution).
"""
from .. import nn
from ._init import kaiming_conv_zero_bias


def conv3x3(c_in, c_out, stride=1, groups=1, dilation=1):
    return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=dilation, groups=groups, bias=False, dilation=dilation)


def conv1x1(c_in, c_out, stride=1):
    return nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)


class SqueezeExcitation(nn.Module):
    """Channel attention: s = σ(W₂ ReLU(W₁ · mean_hw(x))), y = x · s  (one gate per channel).
    The hidden width is ``rd_channels``, or ``channels // reduction``."""

    def __init__(self, channels, reduction=16, rd_channels=None):
        super().__init__()
        rd_channels = rd_channels or channels // reduction
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        scale = self.sigmoid(self.fc2(self.relu(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * scale


class BasicBlock(nn.Module):
    """Two 3×3 convolutions plus the shortcut (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, se=False,
                 attn_layer=None):
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        attn_layer = SqueezeExcitation if se else attn_layer
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = attn_layer(planes) if attn_layer else None
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.se is not None:
            out = self.se(out)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1×1 reduce → 3×3 (grouped for ResNeXt) → 1×1 expand ×4, plus the shortcut (ResNet-50+).

    reduce_first: the 1×1 reduces to width / reduce_first (SENet-154's 2); attn_layer(channels):
    a channel-attention module applied before the sum, as ``se`` (SE, ECA, …)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, se=False,
                 attn_layer=None, reduce_first=1):
        super().__init__()
        attn_layer = SqueezeExcitation if se else attn_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width // reduce_first)
        self.bn1 = nn.BatchNorm2d(width // reduce_first)
        self.conv2 = conv3x3(width // reduce_first, width, stride, groups, dilation)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.se = attn_layer(planes * self.expansion) if attn_layer else None
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.se is not None:
            out = self.se(out)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """The ResNet family: ``block`` (BasicBlock, Bottleneck or a variant with the same signature)
    repeated ``layers[i]`` times in four stages of 64, 128, 256, 512 planes.

    torchvision's options (``groups``, ``width_per_group``, ``se``) plus timm's, named as timm
    names them (Bag of Tricks, He et al. 2019, "ResNet-D"):
    stem_type='deep': three 3×3 convolutions (stem_width, stem_width, 2·stem_width) instead of one 7×7;
    avg_down=True: the downsampling shortcut averages 2×2 windows, then a 1×1 convolution with
    stride 1 (instead of a strided 1×1 that skips 3/4 of the input);
    down_kernel_size: the strided shortcut convolution's kernel (SENet-154's 3);
    block_args: extra keyword arguments for every block (``attn_layer``, ``reduce_first``, …).
    zero_init_residual zeroes the last BN of BasicBlock/Bottleneck blocks only.
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 in_channels=3, se=False, stem_type="", stem_width=64, avg_down=False, down_kernel_size=1,
                 block_args=None):
        super().__init__()
        if stem_type not in ("", "deep"):
            raise ValueError(f"ResNet: stem_type must be '' or 'deep', got {stem_type!r}")
        self.groups, self.base_width = groups, width_per_group
        self.avg_down, self.down_kernel_size = avg_down, down_kernel_size
        self.block_args = dict(block_args or {}, **({"se": True} if se else {}))
        self.inplanes = 2 * stem_width if stem_type == "deep" else 64
        if stem_type == "deep":
            self.conv1 = nn.Sequential(
                conv3x3(in_channels, stem_width, stride=2), nn.BatchNorm2d(stem_width), nn.ReLU(inplace=True),
                conv3x3(stem_width, stem_width), nn.BatchNorm2d(stem_width), nn.ReLU(inplace=True),
                conv3x3(stem_width, self.inplanes))
        else:
            self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        kaiming_conv_zero_bias(self)
        if zero_init_residual:  # start every block as the identity (Goyal et al. 2017)
            for module in self.modules():
                last_bn = getattr(module, "bn3", None) if isinstance(module, Bottleneck) else getattr(module, "bn2", None)
                if isinstance(module, (Bottleneck, BasicBlock)) and last_bn is not None:
                    nn.init.zeros_(last_bn.weight)

    def _downsample(self, c_out, stride):
        """The projection shortcut: strided conv + BN, or (avg_down) 2×2 average + 1×1 conv + BN."""
        if self.avg_down:
            pool = nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False) if stride != 1 else nn.Identity()
            return nn.Sequential(pool, conv1x1(self.inplanes, c_out), nn.BatchNorm2d(c_out))
        k = self.down_kernel_size if stride != 1 else 1
        return nn.Sequential(nn.Conv2d(self.inplanes, c_out, k, stride, padding=k // 2, bias=False),
                             nn.BatchNorm2d(c_out))

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = self._downsample(planes * block.expansion, stride)
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, **self.block_args)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                **self.block_args))
        return nn.Sequential(*layers)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes); any size ≥ 32 works (global average pooling)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels=in_channels, **kwargs)


def resnet34(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels=in_channels, **kwargs)


def resnet50(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels=in_channels, **kwargs)


def resnet101(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 23, 3], num_classes, in_channels=in_channels, **kwargs)


def resnet152(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 8, 36, 3], num_classes, in_channels=in_channels, **kwargs)


def resnext50_32x4d(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, groups=32, width_per_group=4, in_channels=in_channels, **kwargs)


def wide_resnet50_2(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, width_per_group=128, in_channels=in_channels, **kwargs)


def se_resnet50(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels=in_channels, se=True, **kwargs)


def resnext101_32x8d(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 23, 3], num_classes, groups=32, width_per_group=8, in_channels=in_channels, **kwargs)


def wide_resnet101_2(num_classes=1000, in_channels=3, **kwargs):
    return ResNet(Bottleneck, [3, 4, 23, 3], num_classes, width_per_group=128, in_channels=in_channels, **kwargs)


# --------------------------------------------------------------- timm's ResNet variants
# Bag of Tricks (He, Zhang, Zhang, Zhang, Xie & Li 2019, "Bag of tricks for image classification
# with convolutional neural networks", Fig. 2): ResNet-D = deep 3×3 stem + average-pool shortcut.

def resnet18d(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-18-D (timm): 11,708,744 parameters."""
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels=in_channels, stem_type="deep", stem_width=32,
                  avg_down=True, **kwargs)


def resnet50d(num_classes=1000, in_channels=3, **kwargs):
    """ResNet-50-D (timm): 25,576,264 parameters."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels=in_channels, stem_type="deep", stem_width=32,
                  avg_down=True, **kwargs)


def ecaresnet50d(num_classes=1000, in_channels=3, **kwargs):
    """ECA-ResNet-50-D (Wang et al. 2020, "ECA-Net"; timm): ResNet-50-D with an ``nn.EcaModule``
    (a k-tap 1-D convolution over the pooled channels, k = 5 for 256–1024 channels, 7 for 2048)
    after every block's last BN.  25,576,350 parameters: ECA adds only 86."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels=in_channels, stem_type="deep", stem_width=32,
                  avg_down=True, block_args=dict(attn_layer=nn.EcaModule), **kwargs)


def senet154(num_classes=1000, in_channels=3, **kwargs):
    """SENet-154 (Hu, Shen & Sun 2018, "Squeeze-and-excitation networks"; timm): an SE-ResNeXt
    of [3, 8, 36, 3] 64×4d bottlenecks whose first 1×1 halves the width, a 64-64-128 deep stem and
    3×3 strided shortcuts.  115,088,984 parameters."""
    return ResNet(Bottleneck, [3, 8, 36, 3], num_classes, groups=64, width_per_group=4, in_channels=in_channels,
                  stem_type="deep", down_kernel_size=3, block_args=dict(attn_layer=SqueezeExcitation, reduce_first=2),
                  **kwargs)
