"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
recognition").

Key idea: local receptive fields with shared weights (convolutions) and subsampling build
features that tolerate small shifts and distortions, so a small network with ~60k parameters
learns to read handwritten digits end to end from pixels.

Layout (with the 28×28 MNIST input padded by 2, as the paper's 32×32 input):
conv 1→6 5×5 → pool → conv 6→16 5×5 → pool → fc 400→120 → fc 120→84 → fc 84→10: 61,706 parameters.
``classic=True`` uses the paper's tanh and average pooling (without the paper's trainable
subsampling coefficients and sparse C3 connection table); the default is the modern form with
ReLU and max pooling.
"""
from .. import nn


class LeNet5(nn.Module):
    def __init__(self, num_classes=10, in_channels=1, classic=False):
        super().__init__()
        activation = nn.Tanh if classic else nn.ReLU
        pool = (lambda: nn.AvgPool2d(2)) if classic else (lambda: nn.MaxPool2d(2))
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2), activation(), pool(),   # (N, 6, 14, 14)
            nn.Conv2d(6, 16, 5), activation(), pool(),                      # (N, 16, 5, 5)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), activation(),
            nn.Linear(120, 84), activation(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        """x: (N, in_channels, 28, 28) → logits (N, num_classes)."""
        return self.classifier(self.features(x))


def lenet5(num_classes=10, in_channels=1, classic=False):
    return LeNet5(num_classes, in_channels, classic)
