"""ShuffleNet V2 (Ma, Zhang, Zheng & Sun 2018, "Practical guidelines for efficient CNN architecture design").

Key idea: split the channels in two, transform only one half (1×1 → depthwise 3×3 → 1×1) and
concatenate, then *shuffle* the channels so the halves mix in the next block — cheap in memory
traffic as well as in FLOPs.  torchvision's layout and names.
"""
from .. import nn
from ..functions.joining import cat


def channel_shuffle(x, groups):
    """(N, g·c, H, W) → view (N, g, c, H, W) → swap g and c → (N, c·g, H, W)."""
    n, channels, h, w = x.shape
    return x.reshape(n, groups, channels // groups, h, w).transpose(1, 2).reshape(n, channels, h, w)


def depthwise_conv(c_in, c_out, kernel, stride=1, padding=0):
    return nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False, groups=c_in)


class ShuffleUnit(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError(f"ShuffleUnit: stride must be 1..3, got {stride}")
        self.stride = stride
        branch = c_out // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                depthwise_conv(c_in, c_in, 3, stride, 1), nn.BatchNorm2d(c_in),
                nn.Conv2d(c_in, branch, 1, bias=False), nn.BatchNorm2d(branch), nn.ReLU(inplace=True),
            )
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(c_in if stride > 1 else branch, branch, 1, bias=False), nn.BatchNorm2d(branch), nn.ReLU(inplace=True),
            depthwise_conv(branch, branch, 3, stride, 1), nn.BatchNorm2d(branch),
            nn.Conv2d(branch, branch, 1, bias=False), nn.BatchNorm2d(branch), nn.ReLU(inplace=True),
        )

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, 1)
            out = cat([x1, self.branch2(x2)], 1)
        else:
            out = cat([self.branch1(x), self.branch2(x)], 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000, in_channels=3):
        super().__init__()
        c = stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        for name, repeats, c_out in zip(("stage2", "stage3", "stage4"), stages_repeats, stages_out_channels[1:]):
            units = [ShuffleUnit(c, c_out, 2)] + [ShuffleUnit(c_out, c_out, 1) for _ in range(repeats - 1)]
            setattr(self, name, nn.Sequential(*units))
            c = c_out
        last = stages_out_channels[-1]
        self.conv5 = nn.Sequential(nn.Conv2d(c, last, 1, bias=False), nn.BatchNorm2d(last), nn.ReLU(inplace=True))
        self.fc = nn.Linear(last, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean((2, 3)))


def shufflenet_v2_x0_5(num_classes=1000, in_channels=3):
    return ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 1024], num_classes, in_channels)


def shufflenet_v2_x1_0(num_classes=1000, in_channels=3):
    return ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024], num_classes, in_channels)


def shufflenet_v2_x1_5(num_classes=1000, in_channels=3):
    return ShuffleNetV2([4, 8, 4], [24, 176, 352, 704, 1024], num_classes, in_channels)


def shufflenet_v2_x2_0(num_classes=1000, in_channels=3):
    return ShuffleNetV2([4, 8, 4], [24, 244, 488, 976, 2048], num_classes, in_channels)
