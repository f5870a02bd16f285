"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
recognition").

Key idea: local receptive fields with shared weights (convolutions) and subsampling build
features that tolerate small shifts and distortions, so a small network with ~60k parameters
learns to read handwritten digits end to end from pixels.

Layout (with the 28×28 MNIST input padded by 2, as the paper's 32×32 input):
conv 1→6 5×5 → pool → conv 6→16 5×5 → pool → fc 400→120 → fc 120→84 → fc 84→10: 61,706 parameters.
The default is the modern form: ReLU and max pooling, a linear output with softmax cross-entropy.

``classic=True`` builds the paper's form where it is simple to: the squashing function
f(a) = 1.7159·tanh(2a/3) after every layer up to F6 (Appendix A), and S2/S4 as the paper's
trainable subsampling — per map, the sum of each 2×2 block times a trainable coefficient plus a
trainable bias, then squashed (61,750 parameters).  What still differs from LeCun et al. 1998:

- C3 connects every S2 map to every C3 map (2,416 weights and biases); the paper's Table I
  connects each C3 map to 3, 4 or 6 of them (1,516).
- The output is a linear layer trained with softmax cross-entropy; the paper's output layer is
  ten Euclidean RBF units whose fixed ±1 parameter vectors are 7×12 bitmaps of the digits,
  trained with a MAP criterion (§II.B, eq. 9).
- Inputs are normalized with MNIST's mean and std (0.1307, 0.3081) rather than scaled so that
  the background is −0.1 and the ink 1.175; weights start from PyTorch's default initialisation
  rather than U(±2.4/fan_in); training uses SGD with momentum rather than the stochastic
  diagonal Levenberg–Marquardt method.
"""
from .. import creation, nn
from ..nn import functional as F


class ScaledTanh(nn.Module):
    """LeCun's squashing function f(a) = 1.7159·tanh(2a/3) (1998, Appendix A): f(±1) = ±1, and its
    gain is largest where the targets ±1 lie.  Shapes: any → the same."""

    def forward(self, x):
        return 1.7159 * (x * (2.0 / 3.0)).tanh()


class Subsampling(nn.Module):
    """LeNet-5's S2/S4: per map c, y = w[c] · (sum of each non-overlapping 2×2 block) + b[c], with a
    trainable coefficient w and bias b (LeCun et al. 1998, §II.B).
    Shapes: (N, C, H, W) → (N, C, H/2, W/2); weight, bias: (C,), starting at 1 and 0 (not the paper's)."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(creation.ones(channels))
        self.bias = nn.Parameter(creation.zeros(channels))

    def forward(self, x):
        shape = (1, -1, 1, 1)
        return F.avg_pool2d(x, 2) * 4 * self.weight.reshape(shape) + self.bias.reshape(shape)


class LeNet5(nn.Module):
    def __init__(self, num_classes=10, in_channels=1, classic=False):
        super().__init__()
        activation = ScaledTanh if classic else nn.ReLU
        if classic:  # subsampling, then squashing (the paper's S-layer units are sigmoidal too)
            def pool(channels):
                return [Subsampling(channels), ScaledTanh()]
        else:
            def pool(channels):
                return [nn.MaxPool2d(2)]
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2), activation(), *pool(6),   # (N, 6, 14, 14)
            nn.Conv2d(6, 16, 5), activation(), *pool(16),                      # (N, 16, 5, 5)
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
