"""OverFeat (Sermanet, Eigen, Zhang, Mathieu, Fergus & LeCun 2014, "OverFeat: Integrated
recognition, localization and detection using convolutional networks", ICLR; arXiv:1312.6229).

Key idea: one ConvNet for classification, localisation and detection, applied *densely* — the
fully connected layers are 1×1 convolutions in spirit, so sliding the network over a larger image
costs little more than one window; the "fast" and "accurate" models of §3.

Layouts: Table 1 (fast: 231×231 input, 11×11/4 and 5×5 convolutions, 2×2 non-overlapping max
pools, 3072-4096-1000 classifier) and Table 3 (accurate: 221×221 input, 7×7/2 and 7×7 convolutions,
3×3/3 pools, one more 3×3 layer, 4096-4096-1000 classifier).  No contrast normalisation, ReLU after
every layer but the last, dropout 0.5 before the 6th and 7th layers (§3.1).

Counts against Table 4 ("Number of parameters (in millions)" and "connections"):
  overfeat_fast      145,920,872 parameters (paper: 145 M), 2,801 M MACs at 231² (paper: 2810 M connections)
  overfeat_accurate  144,656,488 parameters (paper: 144 M), 5,355 M MACs at 221² (paper: 5369 M connections)
The parameters agree to the paper's (truncated) millions; the connections differ by 0.3 %, which
``minidl.summary``'s convolution + linear MACs do not cover (the paper does not define the term;
the pooling windows would add about that much).
"""
from .. import nn


def _conv(c_in, c_out, kernel, stride=1, padding=0):
    return [nn.Conv2d(c_in, c_out, kernel, stride, padding), nn.ReLU(inplace=True)]


def _classifier(features, hidden, num_classes, dropout):
    return nn.Sequential(
        nn.Dropout(dropout), nn.Linear(features, hidden[0]), nn.ReLU(inplace=True),
        nn.Dropout(dropout), nn.Linear(hidden[0], hidden[1]), nn.ReLU(inplace=True),
        nn.Linear(hidden[1], num_classes))


class OverFeat(nn.Module):
    """``features`` (convolutions and pools) → flatten → ``classifier``.

    Shapes: fast: (N, 3, 231, 231) → features (N, 1024, 6, 6) → (N, num_classes);
    accurate: (N, 3, 221, 221) → features (N, 1024, 5, 5) → (N, num_classes).
    """

    def __init__(self, accurate=False, num_classes=1000, in_channels=3, dropout=0.5):
        super().__init__()
        if accurate:  # Table 3
            layers = (_conv(in_channels, 96, 7, 2) + [nn.MaxPool2d(3, 3)] + _conv(96, 256, 7) + [nn.MaxPool2d(2, 2)]
                      + _conv(256, 512, 3, 1, 1) + _conv(512, 512, 3, 1, 1) + _conv(512, 1024, 3, 1, 1)
                      + _conv(1024, 1024, 3, 1, 1) + [nn.MaxPool2d(3, 3)])
            self.grid, hidden = 5, (4096, 4096)
        else:  # Table 1
            layers = (_conv(in_channels, 96, 11, 4) + [nn.MaxPool2d(2, 2)] + _conv(96, 256, 5) + [nn.MaxPool2d(2, 2)]
                      + _conv(256, 512, 3, 1, 1) + _conv(512, 1024, 3, 1, 1) + _conv(1024, 1024, 3, 1, 1)
                      + [nn.MaxPool2d(2, 2)])
            self.grid, hidden = 6, (3072, 4096)
        self.features = nn.Sequential(*layers)
        self.classifier = _classifier(1024 * self.grid ** 2, hidden, num_classes, dropout)

    def forward(self, x):
        features = self.features(x)
        if features.shape[-2:] != (self.grid, self.grid):
            size = 221 if self.grid == 5 else 231
            raise ValueError(f"OverFeat: the classifier expects a {self.grid}×{self.grid} feature map "
                             f"({size}×{size} inputs), got {tuple(features.shape[-2:])} from input shape {tuple(x.shape)}")
        return self.classifier(features.flatten(1))


def overfeat_fast(num_classes=1000, in_channels=3, dropout=0.5):
    return OverFeat(False, num_classes, in_channels, dropout)


def overfeat_accurate(num_classes=1000, in_channels=3, dropout=0.5):
    return OverFeat(True, num_classes, in_channels, dropout)
