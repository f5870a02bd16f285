"""SPP-Net (He, Zhang, Ren & Sun 2014, "Spatial pyramid pooling in deep convolutional networks for
visual recognition", ECCV; TPAMI 2015, arXiv:1406.4729).

Key idea: a fully connected layer needs a fixed-length input, which is why CNNs cropped or warped
images to 224×224.  A *spatial pyramid pooling* layer between the last convolution and the first
fully connected layer max-pools the feature map into a fixed grid of bins per pyramid level —
here {6×6, 3×3, 2×2, 1×1} = 50 bins per channel (§2.3, §3.1.1) — whatever the map's size, so the
network takes images of any size (and, for detection, pools any window of one feature map).

Layout: "SPP-net ZF-5" of the TPAMI paper: the ZF-5 convolutions of Table 1 (conv1 96×7×7/2, LRN,
pool 3×3/2; conv2 256×5×5/2, LRN, pool 3×3/2; conv3 384, conv4 384, conv5 256, all 3×3; map sizes
55, 27→13, 13 at 224×224), the 4-level pyramid on conv5 (256·50 = 12,800 values), then fc6 4096,
fc7 4096 (dropout) and fc8.  Parameters: 77,037,672 — the paper does not state a count; the same
network without SPP (ZF-5's 6×6 pool5, 9,216 values) has 62,357,608, so the pyramid's cost is
(12,800 − 9,216)·4096 weights of fc6.

The pyramid is ``nn.SpatialPyramidPooling`` (adaptive max pooling per level: its bins tile the map
exactly, where the paper's window ⌈a/n⌉ with stride ⌊a/n⌋ is the same for the sizes it used).
"""
from .. import nn
from .alexnet import lrn_paper


class SPPNet(nn.Module):
    """ZF-5 convolutions → spatial pyramid pooling → fc6, fc7, fc8.  Any input from about 100×100 up."""

    def __init__(self, num_classes=1000, in_channels=3, levels=(6, 3, 2, 1), dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 96, 7, stride=2, padding=1), nn.ReLU(inplace=True), lrn_paper(),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            nn.Conv2d(96, 256, 5, stride=2, padding=2), nn.ReLU(inplace=True), lrn_paper(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
        )
        self.spp = nn.SpatialPyramidPooling(levels)
        bins = sum(n * n for n in levels)
        self.classifier = nn.Sequential(
            nn.Linear(256 * bins, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        """x: (N, 3, H, W), any H, W ≥ ~100 (224 in the paper's training) → (N, num_classes)."""
        return self.classifier(self.spp(self.features(x)))


def sppnet_zf5(num_classes=1000, in_channels=3, dropout=0.5):
    return SPPNet(num_classes, in_channels, dropout=dropout)
