"""DenseNet (Huang, Liu, van der Maaten & Weinberger 2017, "Densely connected convolutional networks").

Key idea: inside a dense block every layer receives the concatenation of *all* earlier feature
maps and adds ``growth_rate`` new ones, so features are reused instead of relearned and
gradients reach every layer directly; 1×1 bottlenecks and transition layers keep it compact.
torchvision's layout and names.
"""
import collections

from .. import nn
from ..functions.joining import cat


class DenseLayer(nn.Module):
    """BN-ReLU-Conv1×1 (bn_size·k channels) → BN-ReLU-Conv3×3 (k channels) on the concatenated inputs."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)
        self.drop_rate = float(drop_rate)

    def forward(self, features):
        x = cat(features, 1) if isinstance(features, list) else features
        out = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))
        if self.drop_rate > 0:
            out = nn.functional.dropout(out, self.drop_rate, self.training)
        return out


class DenseBlock(nn.ModuleDict):
    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate):
        super().__init__()
        for i in range(num_layers):
            self[f"denselayer{i + 1}"] = DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size, drop_rate)

    def forward(self, x):
        features = [x]
        for layer in self.values():
            features.append(layer(features))
        return cat(features, 1)


class Transition(nn.Sequential):
    """BN-ReLU-Conv1×1 halving the channels, then 2×2 average pooling."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__(collections.OrderedDict(
            norm=nn.BatchNorm2d(num_input_features), relu=nn.ReLU(inplace=True),
            conv=nn.Conv2d(num_input_features, num_output_features, 1, bias=False),
            pool=nn.AvgPool2d(2, 2),
        ))


class DenseNet(nn.Module):
    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0.0,
                 num_classes=1000, in_channels=3):
        super().__init__()
        layers = collections.OrderedDict(
            conv0=nn.Conv2d(in_channels, num_init_features, 7, stride=2, padding=3, bias=False),
            norm0=nn.BatchNorm2d(num_init_features), relu0=nn.ReLU(inplace=True),
            pool0=nn.MaxPool2d(3, stride=2, padding=1),
        )
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            layers[f"denseblock{i + 1}"] = DenseBlock(num_layers, channels, bn_size, growth_rate, drop_rate)
            channels += num_layers * growth_rate
            if i != len(block_config) - 1:
                layers[f"transition{i + 1}"] = Transition(channels, channels // 2)
                channels //= 2
        layers["norm5"] = nn.BatchNorm2d(channels)
        self.features = nn.Sequential(layers)
        self.classifier = nn.Linear(channels, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        out = nn.functional.relu(self.features(x))
        return self.classifier(nn.functional.adaptive_avg_pool2d(out, 1).flatten(1))


def densenet121(num_classes=1000, in_channels=3, **kwargs):
    return DenseNet(32, (6, 12, 24, 16), 64, num_classes=num_classes, in_channels=in_channels, **kwargs)


def densenet169(num_classes=1000, in_channels=3, **kwargs):
    return DenseNet(32, (6, 12, 32, 32), 64, num_classes=num_classes, in_channels=in_channels, **kwargs)


def densenet201(num_classes=1000, in_channels=3, **kwargs):
    return DenseNet(32, (6, 12, 48, 32), 64, num_classes=num_classes, in_channels=in_channels, **kwargs)


def densenet161(num_classes=1000, in_channels=3, **kwargs):
    return DenseNet(48, (6, 12, 36, 24), 96, num_classes=num_classes, in_channels=in_channels, **kwargs)
