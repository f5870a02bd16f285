"""Darknet-19 (Redmon & Farhadi 2017, "YOLO9000: Better, faster, stronger", CVPR; arXiv:1612.08242,
§"Faster", Table 6): YOLOv2's classification backbone.

Key idea: VGG's 3×3 convolutions with the number of filters doubled after every pooling step,
Network-in-Network's 1×1 convolutions squeezing the features between the 3×3s, batch
normalisation after every convolution, and global average pooling instead of fully connected
layers: 19 convolutional layers and 5 max-pooling layers.

Layout: Table 6, with the authors' darknet configuration (``darknet19.cfg``) for the details the
table leaves out: every convolution but the last is conv (no bias) → BN → leaky ReLU (slope 0.1),
"same" padding; the last one is a 1×1 convolution with bias to the classes, followed by global
average pooling (the softmax is left to the loss).  Native input 224×224.

Counts: the paper states the cost, not the parameters: "Darknet-19 only requires 5.58 billion
operations to process an image" (§"Darknet-19").  Darknet counts a multiply-add as 2 operations:
``minidl.summary`` gives 2,790,989,824 MACs = 5.58 G operations at 224×224, the paper's number.
Parameters: 20,842,376 (not stated in the paper).
"""
import collections

from .. import nn
from ._init import kaiming_conv_zero_bias

# Table 6: (filters, kernel size) per convolution, "M" for a 2×2/2 max pool
CONFIG = [(32, 3), "M", (64, 3), "M", (128, 3), (64, 1), (128, 3), "M", (256, 3), (128, 1), (256, 3), "M",
          (512, 3), (256, 1), (512, 3), (256, 1), (512, 3), "M",
          (1024, 3), (512, 1), (1024, 3), (512, 1), (1024, 3)]


def conv_bn_leaky(c_in, c_out, kernel):
    """conv k×k ("same" padding, no bias) → BN → LeakyReLU(0.1): darknet's ``batch_normalize=1`` layer."""
    return nn.Sequential(collections.OrderedDict(
        conv=nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
        bn=nn.BatchNorm2d(c_out), act=nn.LeakyReLU(0.1, inplace=True)))


class Darknet19(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3):
        super().__init__()
        layers, c = [], in_channels
        for item in CONFIG:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers.append(conv_bn_leaky(c, *item))
                c = item[0]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Conv2d(c, num_classes, 1)  # the 19th convolution, with bias
        kaiming_conv_zero_bias(self, mode="fan_in")

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes); any input size divisible by 32."""
        return self.classifier(self.features(x)).mean((2, 3))


def darknet19(num_classes=1000, in_channels=3):
    return Darknet19(num_classes, in_channels)
