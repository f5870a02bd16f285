"""Xception (Chollet 2017, "Xception: deep learning with depthwise separable convolutions").

Key idea: take the Inception hypothesis — that cross-channel and spatial correlations can be
mapped separately — to its extreme: every convolution is a depthwise separable one (a 3×3 per
channel, then a 1×1 across channels), stacked in 36 layers with residual connections.
Module names follow the widely used PyTorch port (timm's legacy xception): 22,855,952 parameters.
"""
from .. import nn


class SeparableConv2d(nn.Module):
    def __init__(self, c_in, c_out, kernel_size=1, stride=1, padding=0, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_in, kernel_size, stride, padding, dilation, groups=c_in, bias=False)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class Block(nn.Module):
    def __init__(self, c_in, c_out, reps, strides=1, start_with_relu=True, grow_first=True):
        super().__init__()
        if c_out != c_in or strides != 1:
            self.skip = nn.Conv2d(c_in, c_out, 1, stride=strides, bias=False)
            self.skipbn = nn.BatchNorm2d(c_out)
        else:
            self.skip = self.skipbn = None
        layers = []
        for i in range(reps):
            if grow_first:
                inc, outc = (c_in if i == 0 else c_out), c_out
            else:
                inc, outc = c_in, (c_in if i < reps - 1 else c_out)
            layers += [nn.ReLU(), SeparableConv2d(inc, outc, 3, 1, 1), nn.BatchNorm2d(outc)]
        if not start_with_relu:
            layers = layers[1:]
        if strides != 1:
            layers.append(nn.MaxPool2d(3, strides, 1))
        self.rep = nn.Sequential(*layers)

    def forward(self, x):
        skip = x if self.skip is None else self.skipbn(self.skip(x))
        return self.rep(x) + skip


class Xception(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.act2 = nn.ReLU(inplace=True)
        self.block1 = Block(64, 128, 2, 2, start_with_relu=False)
        self.block2 = Block(128, 256, 2, 2)
        self.block3 = Block(256, 728, 2, 2)
        for i in range(4, 12):  # the middle flow: eight identical residual blocks
            setattr(self, f"block{i}", Block(728, 728, 3, 1))
        self.block12 = Block(728, 1024, 2, 2, grow_first=False)
        self.conv3 = SeparableConv2d(1024, 1536, 3, 1, 1)
        self.bn3 = nn.BatchNorm2d(1536)
        self.act3 = nn.ReLU(inplace=True)
        self.conv4 = SeparableConv2d(1536, 2048, 3, 1, 1)
        self.bn4 = nn.BatchNorm2d(2048)
        self.act4 = nn.ReLU(inplace=True)
        self.fc = nn.Linear(2048, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        """x: (N, 3, 299, 299) → (N, num_classes)."""
        x = self.act2(self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x))))))
        for i in range(1, 13):
            x = getattr(self, f"block{i}")(x)
        x = self.act3(self.bn3(self.conv3(x)))
        x = self.act4(self.bn4(self.conv4(x)))
        return self.fc(x.mean((2, 3)))


def xception(num_classes=1000, in_channels=3):
    return Xception(num_classes, in_channels)
