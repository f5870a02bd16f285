"""SimpleNet (Hasanpour, Rouhani, Fayyaz & Sabokrou 2016, "Let's keep it simple: Using simple
architectures to outperform deeper and more complex architectures", arXiv:1608.06037).

Key idea: a plain 13-layer stack — 3×3 convolutions with BN and ReLU, max pooling, two 1×1 layers
near the end, no branches or shortcuts — designed by a handful of principles (grow width gradually,
pool late, prefer 3×3, keep the parameter budget small) can match much deeper networks on CIFAR.

Layout: the authors' CIFAR network ("simplenet_cifar_5m" in their PyTorch port of the Caffe model,
github.com/Coderx7/SimpleNet_Pytorch): 64, 128, 128, 128 | pool | 128, 128, 256 | pool | 256, 256 |
pool | 512, 2048 (1×1), 256 (1×1) | pool | 256, each a conv with bias → BN → ReLU; 2×2 max pools;
global max pooling and a linear layer.  As in the authors' code the 1×1 convolutions pad by 1
(each grows the map by 2 pixels; harmless, and kept so weights and shapes match).  Dropout is left
out (the authors' rates are a training choice: wrap layers in ``nn.Dropout2d`` to reproduce them).

Count: 5,498,378 with a 10-way head; the authors state 5.48 M (the results table of their README
and paper).  Without the 9,088 BN parameters ours is 5,489,290, i.e. 5.48 M truncated — so the
stated number most likely counts the convolutions and the classifier only (0.3 % apart).
"""
from .. import nn
from ._init import kaiming_conv_zero_bias

# (filters, kernel) per convolution, "M" for a 2×2 max pool
CIFAR_5M = [(64, 3), (128, 3), (128, 3), (128, 3), "M", (128, 3), (128, 3), (256, 3), "M", (256, 3), (256, 3), "M",
            (512, 3), (2048, 1), (256, 1), "M", (256, 3)]


class SimpleNet(nn.Module):
    def __init__(self, config=CIFAR_5M, num_classes=10, in_channels=3):
        super().__init__()
        layers, c = [], in_channels
        for item in config:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            filters, kernel = item
            layers += [nn.Conv2d(c, filters, kernel, padding=1), nn.BatchNorm2d(filters, momentum=0.05),
                       nn.ReLU(inplace=True)]
            c = filters
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self, mode="fan_in")

    def forward(self, x):
        """x: (N, 3, 32, 32) → (N, num_classes); global max pooling over the last map."""
        return self.classifier(self.features(x).amax((2, 3)))


def simplenet_cifar(num_classes=10, in_channels=3):
    return SimpleNet(CIFAR_5M, num_classes, in_channels)
