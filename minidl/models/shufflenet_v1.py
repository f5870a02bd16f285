"""ShuffleNet v1 (Zhang, Zhou, Lin & Sun 2018, "ShuffleNet: An extremely efficient convolutional
neural network for mobile devices", CVPR; arXiv:1707.01083).

Key idea: make the 1×1 convolutions of a bottleneck *grouped* (they dominate the cost of a
depthwise-separable block) and shuffle the channels between the two grouped 1×1 convolutions
(``nn.ChannelShuffle``) so information still crosses the groups.

Layout: Table 1 of the paper (1× width): conv1 3×3/2 with 24 filters, max pool 3×3/2, then
stages 2–4 of 4, 8 and 4 ShuffleNet units (Fig. 2 (b), (c)), global average pooling and a
1000-way fully connected layer.  Stage output widths for g = 1, 2, 3, 4, 8 groups:
(144, 288, 576), (200, 400, 800), (240, 480, 960), (272, 544, 1088), (384, 768, 1536).
The bottleneck is a quarter of the unit's output width (§3); the first 1×1 of stage 2 is not
grouped (its input has only 24 channels); a stride-2 unit concatenates a
3×3/2 average-pooled shortcut with its residual branch, so that branch makes out − in channels.

The paper states complexity, not parameters: Table 1 gives 143, 140, 137, 133 and 137 MFLOPs
(multiply-adds) for g = 1, 2, 3, 4, 8 at 224×224.  ``minidl.summary`` counts the convolutions and
the classifier: 143.1, 140.8, 137.5, 134.3, 138.4 M; without the classifier (960·1000 MACs for g=3)
142.5, 140.0, 136.5, 133.3, 136.8 M — the paper's numbers to the nearest million, so its
complexity row leaves the classifier out.  Parameters (ours, the paper has no parameter column):
g=1 1,531,936 · g=2 1,733,848 · g=3 1,865,728 · g=4 1,968,344 · g=8 2,434,768 — the counts an
independent port (osmr/imgclsmob) asserts, as for its 0.25×, 0.5× and 0.75× widths (tests).
"""
from .. import nn
from ..functions.joining import cat
from ._init import kaiming_conv_zero_bias

STAGE_WIDTHS = {1: (144, 288, 576), 2: (200, 400, 800), 3: (240, 480, 960), 4: (272, 544, 1088), 8: (384, 768, 1536)}


class ShuffleV1Unit(nn.Module):
    """Fig. 2 (b) (stride 1: y = relu(x + branch(x))) and (c) (stride 2: y = relu(cat(avgpool(x), branch(x)))).

    branch = 1×1 GConv → BN → ReLU → channel shuffle → 3×3 depthwise (stride s) → BN → 1×1 GConv → BN.
    Shapes: x (N, c_in, H, W) → (N, c_out, H/s, W/s).
    """

    def __init__(self, c_in, c_out, groups, stride, first_grouped=True):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"ShuffleV1Unit: stride must be 1 or 2, got {stride}")
        if stride == 1 and c_in != c_out:
            raise ValueError(f"ShuffleV1Unit: a stride-1 unit adds its input back, so c_in must equal c_out, "
                             f"got {c_in} and {c_out}")
        self.stride = stride
        mid = c_out // 4
        branch_out = c_out - c_in if stride == 2 else c_out
        g1 = groups if first_grouped else 1
        self.conv1 = nn.Conv2d(c_in, mid, 1, groups=g1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.shuffle = nn.ChannelShuffle(g1)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, branch_out, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(branch_out)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.AvgPool2d(3, stride=2, padding=1) if stride == 2 else nn.Identity()

    def forward(self, x):
        out = self.shuffle(self.relu(self.bn1(self.conv1(x))))
        out = self.bn3(self.conv3(self.bn2(self.conv2(out))))
        if self.stride == 2:
            return self.relu(cat([self.shortcut(x), out], 1))
        return self.relu(x + out)


class ShuffleNetV1(nn.Module):
    def __init__(self, groups=3, width_mult=1.0, num_classes=1000, in_channels=3):
        super().__init__()
        if groups not in STAGE_WIDTHS:
            raise ValueError(f"ShuffleNetV1: groups must be one of {sorted(STAGE_WIDTHS)} (Table 1), got {groups!r}")
        # width multiplier s (Table 2, "ShuffleNet s×"): widths scale, kept divisible by 4·groups
        widths = [int(round(c * width_mult / (4 * groups))) * 4 * groups for c in STAGE_WIDTHS[groups]]
        stem = int(round(24 * width_mult))
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem),
                                   nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        c = stem
        for index, (repeats, c_out) in enumerate(zip((4, 8, 4), widths)):
            units = [ShuffleV1Unit(c, c_out, groups, 2, first_grouped=index > 0)]
            units += [ShuffleV1Unit(c_out, c_out, groups, 1) for _ in range(repeats - 1)]
            setattr(self, f"stage{index + 2}", nn.Sequential(*units))
            c = c_out
        self.fc = nn.Linear(c, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes)."""
        x = self.maxpool(self.conv1(x))
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.fc(x.mean((2, 3)))


def _factory(groups):
    def build(num_classes=1000, in_channels=3, width_mult=1.0):
        return ShuffleNetV1(groups, width_mult, num_classes, in_channels)
    build.__name__ = f"shufflenet_v1_g{groups}"
    build.__doc__ = f"ShuffleNet 1× with g = {groups} groups (Zhang et al. 2018, Table 1); ``width_mult`` gives Table 2's s×."
    return build


shufflenet_v1_g1, shufflenet_v1_g2, shufflenet_v1_g3, shufflenet_v1_g4, shufflenet_v1_g8 = (
    _factory(g) for g in (1, 2, 3, 4, 8))
