"""AlexNet (Krizhevsky, Sutskever & Hinton 2012, "ImageNet classification with deep
convolutional neural networks") and ZFNet (Zeiler & Fergus 2014).

Key idea: a deep CNN trained on GPUs with ReLUs (fast, non-saturating), local response
normalisation, overlapping max pooling (3×3, stride 2), dropout and data augmentation — the
network that made deep learning win ImageNet.  ZFNet visualised AlexNet's features and shrank
its first layer (7×7, stride 2) to keep more detail, improving accuracy.
"""
from .. import nn


def imagenet_classifier(num_classes, dropout, features=256 * 6 * 6):
    """Dropout → fc 4096 → ReLU → dropout → fc 4096 → ReLU → fc (AlexNet's and ZFNet's head)."""
    return nn.Sequential(
        nn.Dropout(dropout), nn.Linear(features, 4096), nn.ReLU(inplace=True),
        nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
        nn.Linear(4096, num_classes),
    )


def lrn_paper():
    """LRN with the paper's k = 2, n = 5, α = 1e-4, β = 0.75 (PyTorch's alpha = n·α = 5e-4)."""
    return nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)


class _FeaturesPoolClassifier(nn.Module):
    """features → 6×6 adaptive average pool → flatten → classifier (AlexNet, its paper form, ZFNet)."""

    def forward(self, x):
        """x: (N, 3, 224, 224) (227 for the paper's layout) → (N, num_classes)."""
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


class AlexNet(_FeaturesPoolClassifier):
    """torchvision's layout (single-GPU, 64-192-384-256-256 channels, no LRN): 61,100,840 parameters."""

    def __init__(self, num_classes=1000, dropout=0.5, in_channels=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = imagenet_classifier(num_classes, dropout)


class AlexNetPaper(_FeaturesPoolClassifier):
    """The 2012 paper's layout: 96-256-384-384-256 channels, LRN after conv1 and conv2, and the
    two-GPU split kept as ``groups=2`` on conv2, conv4 and conv5 (each half of the filters sees
    only the half of the channels computed on its own GPU): 60,965,224 parameters
    (62,378,344 with ``groups=1``).  LRN uses the paper's k = 2, n = 5, α = 1e-4, β = 0.75, i.e.
    PyTorch's alpha = 5e-4 (the paper does not divide α by n)."""

    def __init__(self, num_classes=1000, dropout=0.5, in_channels=3, groups=2):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 96, 11, stride=4, padding=2), nn.ReLU(inplace=True), lrn_paper(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=groups), nn.ReLU(inplace=True), lrn_paper(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = imagenet_classifier(num_classes, dropout)


class AlexNetCIFAR(nn.Module):
    """AlexNet's recipe scaled to 32×32 inputs (CIFAR-10, or Fashion-MNIST padded to 32): 5×5 and
    3×3 convolutions, overlapping 3×3/2 max pooling, BatchNorm in place of LRN, dropout."""

    def __init__(self, num_classes=10, in_channels=3, dropout=0.5):
        super().__init__()

        def conv(c_in, c_out, k):
            return [nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(
            *conv(in_channels, 64, 5), nn.MaxPool2d(3, 2),        # 32 → 15
            *conv(64, 192, 5), nn.MaxPool2d(3, 2),                # 15 → 7
            *conv(192, 384, 3), *conv(384, 256, 3), *conv(256, 256, 3),
            nn.MaxPool2d(3, 2),                                  # 7 → 3
        )
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 3 * 3, 1024), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(1024, 1024), nn.ReLU(inplace=True),
            nn.Linear(1024, num_classes),
        )

    def forward(self, x):
        """x: (N, in_channels, 32, 32) → (N, num_classes)."""
        return self.classifier(self.features(x).flatten(1))


class ZFNet(_FeaturesPoolClassifier):
    """ZFNet: AlexNet with a 7×7/2 first layer and a 5×5/2 second layer (224 → 110 → 55 → 26 → 13 → 6)."""

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 96, 7, stride=2, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=1), lrn_paper(),
            nn.Conv2d(96, 256, 5, stride=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=1), lrn_paper(),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = imagenet_classifier(num_classes, dropout)


def alexnet(num_classes=1000, in_channels=3, dropout=0.5):
    return AlexNet(num_classes, dropout, in_channels)


def alexnet_paper(num_classes=1000, in_channels=3, dropout=0.5, groups=2):
    return AlexNetPaper(num_classes, dropout, in_channels, groups)


def alexnet_cifar(num_classes=10, in_channels=3, dropout=0.5):
    return AlexNetCIFAR(num_classes, in_channels, dropout)


def zfnet(num_classes=1000, in_channels=3, dropout=0.5):
    return ZFNet(num_classes, in_channels, dropout)
