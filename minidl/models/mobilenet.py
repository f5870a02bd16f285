"""MobileNet v1 (Howard et al. 2017), v2 (Sandler et al. 2018) and v3 (Howard et al. 2019).

Key ideas: v1 factors a convolution into a *depthwise* 3×3 (one filter per channel) and a
*pointwise* 1×1 that mixes channels — about 8–9× fewer multiply-adds.  v2's *inverted residual*
expands channels ×6 with a 1×1, filters depthwise, then projects back down with a *linear* 1×1
(no ReLU, which would destroy information in the narrow bottleneck), with a shortcut between the
narrow ends.  v3 adds squeeze-and-excitation and the cheap hard-swish, found by architecture search.
torchvision's layout and names for v2 and v3.
"""
from functools import partial

from .. import nn
from ._init import kaiming_conv_zero_bias


def make_divisible(value, divisor=8, min_value=None):
    """Round channels to a multiple of 8 without going more than 10% below ``value``."""
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def init_mobilenet(model):
    """torchvision's MobileNet init: convs He-normal (fan_out), BN 1/0, linear N(0, 0.01), biases 0."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0, 0.01)
            nn.init.zeros_(module.bias)


class ConvBNActivation(nn.Sequential):
    """Conv → BatchNorm → activation (torchvision's Conv2dNormActivation): keys .0, .1."""

    def __init__(self, c_in, c_out, kernel_size=3, stride=1, groups=1, activation=nn.ReLU6, norm=nn.BatchNorm2d):
        layers = [nn.Conv2d(c_in, c_out, kernel_size, stride, (kernel_size - 1) // 2, groups=groups, bias=False), norm(c_out)]
        if activation is not None:
            layers.append(activation())
        super().__init__(*layers)


class MobileNetV1(nn.Module):
    """A 3×3 stem and 13 depthwise-separable blocks (depthwise 3×3 + pointwise 1×1, each with BN-ReLU)."""

    CONFIG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
              (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, num_classes=1000, width_mult=1.0, in_channels=3):
        super().__init__()
        channels = int(32 * width_mult)
        layers = [ConvBNActivation(in_channels, channels, 3, 2, activation=nn.ReLU)]
        for c_out, stride in self.CONFIG:
            c_out = int(c_out * width_mult)
            layers.append(nn.Sequential(
                ConvBNActivation(channels, channels, 3, stride, groups=channels, activation=nn.ReLU),  # depthwise
                ConvBNActivation(channels, c_out, 1, activation=nn.ReLU),                             # pointwise
            ))
            channels = c_out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


class InvertedResidual(nn.Module):
    """v2 block: 1×1 expand (×t) → 3×3 depthwise → 1×1 linear projection; shortcut when shapes allow."""

    def __init__(self, c_in, c_out, stride, expand_ratio):
        super().__init__()
        hidden = int(round(c_in * expand_ratio))
        self.use_res_connect = stride == 1 and c_in == c_out
        layers = []
        if expand_ratio != 1:
            layers.append(ConvBNActivation(c_in, hidden, 1))
        layers += [
            ConvBNActivation(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = c_out

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes=1000, width_mult=1.0, dropout=0.2, in_channels=3):
        super().__init__()
        channels = make_divisible(32 * width_mult)
        self.last_channel = make_divisible(1280 * max(1.0, width_mult))
        layers = [ConvBNActivation(in_channels, channels, stride=2)]
        for t, c, n, s in self.SETTINGS:
            c_out = make_divisible(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(channels, c_out, s if i == 0 else 1, t))
                channels = c_out
        layers.append(ConvBNActivation(channels, self.last_channel, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.last_channel, num_classes))
        init_mobilenet(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(x.flatten(1))


class SqueezeExcitationV3(nn.Module):
    """torchvision's SqueezeExcitation: avgpool → fc1 (1×1) → ReLU → fc2 (1×1) → hard-sigmoid gate."""

    def __init__(self, channels, squeeze_channels):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))


class InvertedResidualV3(nn.Module):
    def __init__(self, c_in, kernel, expanded, c_out, use_se, activation, stride):
        super().__init__()
        act = nn.Hardswish if activation == "HS" else nn.ReLU
        norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        self.use_res_connect = stride == 1 and c_in == c_out
        layers = []
        if expanded != c_in:
            layers.append(ConvBNActivation(c_in, expanded, 1, activation=act, norm=norm))
        layers.append(ConvBNActivation(expanded, expanded, kernel, stride, groups=expanded, activation=act, norm=norm))
        if use_se:
            layers.append(SqueezeExcitationV3(expanded, make_divisible(expanded // 4, 8)))
        layers.append(ConvBNActivation(expanded, c_out, 1, activation=None, norm=norm))
        self.block = nn.Sequential(*layers)

    def forward(self, x):
        out = self.block(x)
        return out + x if self.use_res_connect else out


V3_LARGE = [
    (16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2), (24, 3, 72, 24, False, "RE", 1),
    (24, 5, 72, 40, True, "RE", 2), (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
    (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
    (80, 3, 184, 80, False, "HS", 1), (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
    (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1), (160, 5, 960, 160, True, "HS", 1),
]
V3_SMALL = [
    (16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2), (24, 3, 88, 24, False, "RE", 1),
    (24, 5, 96, 40, True, "HS", 2), (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1), (48, 5, 288, 96, True, "HS", 2),
    (96, 5, 576, 96, True, "HS", 1), (96, 5, 576, 96, True, "HS", 1),
]


class MobileNetV3(nn.Module):
    def __init__(self, config, last_channel, num_classes=1000, dropout=0.2, in_channels=3):
        super().__init__()
        norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        layers = [ConvBNActivation(in_channels, config[0][0], 3, 2, activation=nn.Hardswish, norm=norm)]
        layers += [InvertedResidualV3(*settings) for settings in config]
        last_in = config[-1][3]
        layers.append(ConvBNActivation(last_in, 6 * last_in, 1, activation=nn.Hardswish, norm=norm))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(6 * last_in, last_channel), nn.Hardswish(), nn.Dropout(dropout), nn.Linear(last_channel, num_classes),
        )
        init_mobilenet(self)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def mobilenet_v1(num_classes=1000, in_channels=3, width_mult=1.0):
    return MobileNetV1(num_classes, width_mult, in_channels)


def mobilenet_v2(num_classes=1000, in_channels=3, width_mult=1.0, dropout=0.2):
    return MobileNetV2(num_classes, width_mult, dropout, in_channels)


def mobilenet_v3_large(num_classes=1000, in_channels=3, dropout=0.2):
    return MobileNetV3(V3_LARGE, 1280, num_classes, dropout, in_channels)


def mobilenet_v3_small(num_classes=1000, in_channels=3, dropout=0.2):
    return MobileNetV3(V3_SMALL, 1024, num_classes, dropout, in_channels)
