"""VGG (Simonyan & Zisserman 2015, "Very deep convolutional networks for large-scale image
recognition").

Key idea: depth from stacks of small 3×3 convolutions — two 3×3 layers see a 5×5 region and
three see 7×7, with fewer parameters and more nonlinearities than one big kernel — in a uniform
design that doubles the channels after each 2×2 max pool.  torchvision's layout and names.
"""
from .. import nn
from ._init import kaiming_conv_zero_bias

CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def make_layers(config, batch_norm=False, in_channels=3):
    layers = []
    for value in config:
        if value == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        layers.append(nn.Conv2d(in_channels, value, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(value))
        layers.append(nn.ReLU(inplace=True))
        in_channels = value
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, dropout=0.5, init_weights=True):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            kaiming_conv_zero_bias(self)
            for module in self.classifier.modules():
                if isinstance(module, nn.Linear):
                    nn.init.normal_(module.weight, 0, 0.01)
                    nn.init.zeros_(module.bias)

    def forward(self, x):
        """x: (N, 3, H, W) with H, W ≥ 32 → (N, num_classes)."""
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _vgg(config, batch_norm, num_classes, in_channels, dropout):
    return VGG(make_layers(CONFIGS[config], batch_norm, in_channels), num_classes, dropout)


def vgg11(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("A", False, num_classes, in_channels, dropout)


def vgg11_bn(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("A", True, num_classes, in_channels, dropout)


def vgg13(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("B", False, num_classes, in_channels, dropout)


def vgg13_bn(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("B", True, num_classes, in_channels, dropout)


def vgg16(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("D", False, num_classes, in_channels, dropout)


def vgg16_bn(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("D", True, num_classes, in_channels, dropout)


def vgg19(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("E", False, num_classes, in_channels, dropout)


def vgg19_bn(num_classes=1000, in_channels=3, dropout=0.5):
    return _vgg("E", True, num_classes, in_channels, dropout)
