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
    """Channel attention: s = σ(W₂ ReLU(W₁ · mean_hw(x))), y = x · s  (one gate per channel)."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        scale = self.sigmoid(self.fc2(self.relu(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * scale


class BasicBlock(nn.Module):
    """Two 3×3 convolutions plus the shortcut (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, se=False):
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = SqueezeExcitation(planes) if se else None
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
    """1×1 reduce → 3×3 (grouped for ResNeXt) → 1×1 expand ×4, plus the shortcut (ResNet-50+)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, se=False):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.se = SqueezeExcitation(planes * self.expansion) if se else None
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
    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 in_channels=3, se=False):
        super().__init__()
        self.inplanes, self.groups, self.base_width, self.se = 64, groups, width_per_group, se
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
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

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, se=self.se)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width, se=self.se))
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
