"""The CIFAR-10 ResNets of He et al. 2016, §4.2: ResNet-20/32/44/56/110.

A 3×3 convolution with 16 filters, then three stages of n residual blocks (two 3×3 convolutions
each) on 32×32, 16×16 and 8×8 feature maps with 16, 32 and 64 filters, global average pooling and
a 10-way linear layer: 6n + 2 weighted layers.  Shortcuts use *option A*: when a block halves the
resolution and doubles the channels, the identity is subsampled (every other pixel) and padded
with zero channels — no extra parameters.  resnet20 has 269,722 parameters.
"""
from .. import nn
from ..functions.joining import pad
from ._init import kaiming_conv_zero_bias


class PadShortcut(nn.Module):
    """Option A: x[:, :, ::2, ::2] with (out − in) / 2 zero channels on each side."""

    def __init__(self, extra_channels):
        super().__init__()
        self.extra_channels = extra_channels

    def forward(self, x):
        half = self.extra_channels // 2
        return pad(x[:, :, ::2, ::2], (0, 0, 0, 0, half, self.extra_channels - half))

    def extra_repr(self):
        return f"extra_channels={self.extra_channels}"


class CifarBasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = PadShortcut(c_out - c_in) if stride != 1 or c_in != c_out else nn.Identity()

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, depth, num_classes=10, in_channels=3):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"CifarResNet: depth must be 6n + 2 (20, 32, 44, 56, 110), got {depth}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._stage(16, 16, n, 1)
        self.layer2 = self._stage(16, 32, n, 2)
        self.layer3 = self._stage(32, 64, n, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)
        kaiming_conv_zero_bias(self, mode="fan_in")

    @staticmethod
    def _stage(c_in, c_out, blocks, stride):
        layers = [CifarBasicBlock(c_in, c_out, stride)]
        layers += [CifarBasicBlock(c_out, c_out) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        """x: (N, 3, 32, 32) → (N, num_classes); 28×28 inputs work too."""
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def resnet20(num_classes=10, in_channels=3):
    return CifarResNet(20, num_classes, in_channels)


def resnet32(num_classes=10, in_channels=3):
    return CifarResNet(32, num_classes, in_channels)


def resnet44(num_classes=10, in_channels=3):
    return CifarResNet(44, num_classes, in_channels)


def resnet56(num_classes=10, in_channels=3):
    return CifarResNet(56, num_classes, in_channels)


def resnet110(num_classes=10, in_channels=3):
    return CifarResNet(110, num_classes, in_channels)
