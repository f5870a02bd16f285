"""Inception-v4 and Inception-ResNet-v2 (Szegedy, Ioffe, Vanhoucke & Alemi 2017, "Inception-v4,
Inception-ResNet and the impact of residual connections on learning", AAAI).

Key idea: one uniform, deeper Inception stem and three kinds of Inception block (35×35, 17×17,
8×8 grids) with explicit reduction blocks between them (Inception-v4); and the same network with
each block's concatenated branches projected by a 1×1 convolution and *added* to the block's
input, scaled down by 0.1–0.3 so that the very wide residual sums stay stable
(Inception-ResNet-v2).  Input 299×299.

timm's layouts and names (``inception_v4``: 42,679,816 parameters; ``inception_resnet_v2``:
55,843,464), so ``model.load_state_dict(from_torch(timm_model.state_dict()))`` maps key for key.
Every convolution is Conv (no bias) → BatchNorm (eps 0.001) → ReLU; the average-pool branches
divide by the number of real pixels (``count_include_pad=False``).
"""
from .. import nn
from ..functions.joining import cat
from ._init import trunc_normal_
from .googlenet import BasicConv2d


def conv(c_in, c_out, kernel_size, stride=1, padding=0):
    return BasicConv2d(c_in, c_out, kernel_size=kernel_size, stride=stride, padding=padding)


def chain(*layers):
    return nn.Sequential(*layers)


def avg_pool_then(c_in, c_out):
    """The pooling branch of an Inception block: 3×3 average (real pixels only) → 1×1 conv."""
    return chain(nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False), conv(c_in, c_out, 1))


def _init_weights(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            trunc_normal_(module.weight, std=0.1, a=-2, b=2)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


class Branches(nn.Module):
    """Runs every ``branch*`` child on the same input and concatenates their outputs on channels."""

    def forward(self, x):
        return cat([branch(x) for name, branch in self.named_children() if name.startswith("branch")], 1)


# ------------------------------------------------------------------------------ Inception-v4


class Mixed3a(nn.Module):
    """Stem, 147 → 73: max pool | stride-2 3×3 conv, concatenated (64 + 96 = 160 channels)."""

    def __init__(self):
        super().__init__()
        self.maxpool = nn.MaxPool2d(3, stride=2)
        self.conv = conv(64, 96, 3, stride=2)

    def forward(self, x):
        return cat([self.maxpool(x), self.conv(x)], 1)


class Mixed4a(Branches):
    """Stem: 1×1→3×3 | 1×1→1×7→7×1→3×3, both unpadded (73 → 71, 96 + 96 channels)."""

    def __init__(self):
        super().__init__()
        self.branch0 = chain(conv(160, 64, 1), conv(64, 96, 3))
        self.branch1 = chain(conv(160, 64, 1), conv(64, 64, (1, 7), padding=(0, 3)),
                             conv(64, 64, (7, 1), padding=(3, 0)), conv(64, 96, 3))


class Mixed5a(nn.Module):
    """Stem, 71 → 35: stride-2 3×3 conv | max pool (192 + 192 = 384 channels)."""

    def __init__(self):
        super().__init__()
        self.conv = conv(192, 192, 3, stride=2)
        self.maxpool = nn.MaxPool2d(3, stride=2)

    def forward(self, x):
        return cat([self.conv(x), self.maxpool(x)], 1)


class InceptionA(Branches):
    """35×35 block (paper Fig. 4): 1×1 | 1×1→3×3 | 1×1→3×3→3×3 | avg→1×1; 384 channels."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(384, 96, 1)
        self.branch1 = chain(conv(384, 64, 1), conv(64, 96, 3, padding=1))
        self.branch2 = chain(conv(384, 64, 1), conv(64, 96, 3, padding=1), conv(96, 96, 3, padding=1))
        self.branch3 = avg_pool_then(384, 96)


class ReductionA(Branches):
    """35 → 17 (paper Fig. 7 with k, l, m, n = 192, 224, 256, 384)."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(384, 384, 3, stride=2)
        self.branch1 = chain(conv(384, 192, 1), conv(192, 224, 3, padding=1), conv(224, 256, 3, stride=2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class InceptionB(Branches):
    """17×17 block (paper Fig. 5) with factorised 7×7 convolutions; 1024 channels."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(1024, 384, 1)
        self.branch1 = chain(conv(1024, 192, 1), conv(192, 224, (1, 7), padding=(0, 3)),
                             conv(224, 256, (7, 1), padding=(3, 0)))
        self.branch2 = chain(conv(1024, 192, 1), conv(192, 192, (7, 1), padding=(3, 0)),
                             conv(192, 224, (1, 7), padding=(0, 3)), conv(224, 224, (7, 1), padding=(3, 0)),
                             conv(224, 256, (1, 7), padding=(0, 3)))
        self.branch3 = avg_pool_then(1024, 128)


class ReductionB(Branches):
    """17 → 8 (paper Fig. 8)."""

    def __init__(self):
        super().__init__()
        self.branch0 = chain(conv(1024, 192, 1), conv(192, 192, 3, stride=2))
        self.branch1 = chain(conv(1024, 256, 1), conv(256, 256, (1, 7), padding=(0, 3)),
                             conv(256, 320, (7, 1), padding=(3, 0)), conv(320, 320, 3, stride=2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class InceptionC(nn.Module):
    """8×8 block (paper Fig. 6): the 3×3s split into parallel 1×3 and 3×1; 1536 channels."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(1536, 256, 1)
        self.branch1_0 = conv(1536, 384, 1)
        self.branch1_1a = conv(384, 256, (1, 3), padding=(0, 1))
        self.branch1_1b = conv(384, 256, (3, 1), padding=(1, 0))
        self.branch2_0 = conv(1536, 384, 1)
        self.branch2_1 = conv(384, 448, (3, 1), padding=(1, 0))
        self.branch2_2 = conv(448, 512, (1, 3), padding=(0, 1))
        self.branch2_3a = conv(512, 256, (1, 3), padding=(0, 1))
        self.branch2_3b = conv(512, 256, (3, 1), padding=(1, 0))
        self.branch3 = avg_pool_then(1536, 256)

    def forward(self, x):
        one = self.branch1_0(x)
        two = self.branch2_2(self.branch2_1(self.branch2_0(x)))
        return cat([self.branch0(x), self.branch1_1a(one), self.branch1_1b(one),
                    self.branch2_3a(two), self.branch2_3b(two), self.branch3(x)], 1)


class InceptionV4(nn.Module):
    """Inception-v4 (paper Fig. 9): stem, 4 × InceptionA, ReductionA, 7 × InceptionB, ReductionB,
    3 × InceptionC, global average pool, dropout, linear."""

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        self.features = nn.Sequential(
            conv(in_channels, 32, 3, stride=2), conv(32, 32, 3), conv(32, 64, 3, padding=1),
            Mixed3a(), Mixed4a(), Mixed5a(),
            *[InceptionA() for _ in range(4)], ReductionA(),
            *[InceptionB() for _ in range(7)], ReductionB(),
            *[InceptionC() for _ in range(3)],
        )
        self.head_drop = nn.Dropout(dropout)
        self.last_linear = nn.Linear(1536, num_classes)
        _init_weights(self)

    def forward(self, x):
        """x: (N, 3, 299, 299) → (N, num_classes)."""
        return self.last_linear(self.head_drop(self.features(x).mean((2, 3))))


def inception_v4(num_classes=1000, in_channels=3, dropout=0.0):
    return InceptionV4(num_classes, in_channels, dropout)


# ----------------------------------------------------------------------- Inception-ResNet-v2


class Mixed_5b(Branches):
    """After the Inception-v3-like stem, 35×35: 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avg→1×1 (320 channels)."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(192, 96, 1)
        self.branch1 = chain(conv(192, 48, 1), conv(48, 64, 5, padding=2))
        self.branch2 = chain(conv(192, 64, 1), conv(64, 96, 3, padding=1), conv(96, 96, 3, padding=1))
        self.branch3 = avg_pool_then(192, 64)


class Residual(nn.Module):
    """An Inception-ResNet block: x + scale · conv2d(concatenated branches), then ReLU (paper Fig. 16–19)."""

    def __init__(self, width, branches_out, scale, relu=True, relu_name="act"):
        super().__init__()
        self.scale = scale
        self.conv2d = nn.Conv2d(branches_out, width, 1)  # the linear 1×1 projection back to the block's width
        setattr(self, relu_name, nn.ReLU() if relu else None)
        self._relu_name = relu_name

    def forward(self, x):
        branches = [branch(x) for name, branch in self.named_children() if name.startswith("branch")]
        out = self.conv2d(cat(branches, 1)) * self.scale + x
        relu = getattr(self, self._relu_name)
        return out if relu is None else relu(out)


class Block35(Residual):
    """35×35 residual block (Inception-ResNet-A), width 320."""

    def __init__(self, scale=1.0):
        super().__init__(320, 128, scale)
        self.branch0 = conv(320, 32, 1)
        self.branch1 = chain(conv(320, 32, 1), conv(32, 32, 3, padding=1))
        self.branch2 = chain(conv(320, 32, 1), conv(32, 48, 3, padding=1), conv(48, 64, 3, padding=1))


class Block17(Residual):
    """17×17 residual block (Inception-ResNet-B), width 1088."""

    def __init__(self, scale=1.0):
        super().__init__(1088, 384, scale)
        self.branch0 = conv(1088, 192, 1)
        self.branch1 = chain(conv(1088, 128, 1), conv(128, 160, (1, 7), padding=(0, 3)),
                             conv(160, 192, (7, 1), padding=(3, 0)))


class Block8(Residual):
    """8×8 residual block (Inception-ResNet-C), width 2080; the last one has no ReLU."""

    def __init__(self, scale=1.0, no_relu=False):
        super().__init__(2080, 448, scale, relu=not no_relu, relu_name="relu")
        self.branch0 = conv(2080, 192, 1)
        self.branch1 = chain(conv(2080, 192, 1), conv(192, 224, (1, 3), padding=(0, 1)),
                             conv(224, 256, (3, 1), padding=(1, 0)))


class Mixed_6a(Branches):
    """Reduction-A, 35 → 17 (k, l, m, n = 256, 256, 384, 384)."""

    def __init__(self):
        super().__init__()
        self.branch0 = conv(320, 384, 3, stride=2)
        self.branch1 = chain(conv(320, 256, 1), conv(256, 256, 3, padding=1), conv(256, 384, 3, stride=2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class Mixed_7a(Branches):
    """Reduction-B, 17 → 8."""

    def __init__(self):
        super().__init__()
        self.branch0 = chain(conv(1088, 256, 1), conv(256, 384, 3, stride=2))
        self.branch1 = chain(conv(1088, 256, 1), conv(256, 288, 3, stride=2))
        self.branch2 = chain(conv(1088, 256, 1), conv(256, 288, 3, padding=1), conv(288, 320, 3, stride=2))
        self.branch3 = nn.MaxPool2d(3, stride=2)


class InceptionResnetV2(nn.Module):
    """Inception-ResNet-v2: stem, 10 × Block35 (scale 0.17), Reduction-A, 20 × Block17 (0.10),
    Reduction-B, 9 × Block8 (0.20) and one more without ReLU, 1×1 conv to 1536, pool, linear."""

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        self.conv2d_1a = conv(in_channels, 32, 3, stride=2)
        self.conv2d_2a = conv(32, 32, 3)
        self.conv2d_2b = conv(32, 64, 3, padding=1)
        self.maxpool_3a = nn.MaxPool2d(3, stride=2)
        self.conv2d_3b = conv(64, 80, 1)
        self.conv2d_4a = conv(80, 192, 3)
        self.maxpool_5a = nn.MaxPool2d(3, stride=2)
        self.mixed_5b = Mixed_5b()
        self.repeat = nn.Sequential(*[Block35(scale=0.17) for _ in range(10)])
        self.mixed_6a = Mixed_6a()
        self.repeat_1 = nn.Sequential(*[Block17(scale=0.10) for _ in range(20)])
        self.mixed_7a = Mixed_7a()
        self.repeat_2 = nn.Sequential(*[Block8(scale=0.20) for _ in range(9)])
        self.block8 = Block8(no_relu=True)
        self.conv2d_7b = conv(2080, 1536, 1)
        self.head_drop = nn.Dropout(dropout)
        self.classif = nn.Linear(1536, num_classes)
        _init_weights(self)

    def forward(self, x):
        """x: (N, 3, 299, 299) → (N, num_classes)."""
        for layer in (self.conv2d_1a, self.conv2d_2a, self.conv2d_2b, self.maxpool_3a, self.conv2d_3b, self.conv2d_4a,
                      self.maxpool_5a, self.mixed_5b, self.repeat, self.mixed_6a, self.repeat_1, self.mixed_7a,
                      self.repeat_2, self.block8, self.conv2d_7b):
            x = layer(x)
        return self.classif(self.head_drop(x.mean((2, 3))))


def inception_resnet_v2(num_classes=1000, in_channels=3, dropout=0.0):
    return InceptionResnetV2(num_classes, in_channels, dropout)
