"""HRNet for classification (Wang, Sun, Cheng et al. 2020, "Deep high-resolution representation
learning for visual recognition", TPAMI; arXiv:1908.07919).

Key idea: instead of shrinking one stream and growing it back, keep a high-resolution stream
through the whole network and add lower-resolution streams beside it (1/4, 1/8, 1/16, 1/32 of the
input), one per stage.  Every *HR module* runs residual blocks on each stream in parallel and then
*fuses* them: each output stream is the sum of every input stream brought to its resolution (a
1×1 convolution + nearest-neighbour upsampling from coarser streams, one or more stride-2 3×3
convolutions from finer ones).  The classification head
widens each stream with a bottleneck block, folds them coarse-ward with stride-2 convolutions,
projects to 2048 channels and pools.

timm's layouts and names (``hrnet_w18_small``: 13,187,464 parameters; ``hrnet_w18``: 21,299,004),
so ``model.load_state_dict(from_torch(timm_model.state_dict()))`` maps key for key.  The inputs'
sides should be multiples of 32, so that every upsampled stream lines up with the finer one.
"""
from .. import nn
from ._init import kaiming_conv_zero_bias
from .resnet import BasicBlock, Bottleneck

# stage → (HR modules, residual block, blocks per stream, channels per stream); stage 1 has one stream
CONFIGS = {
    "hrnet_w18_small": [(1, Bottleneck, (1,), (32,)), (1, BasicBlock, (2, 2), (16, 32)),
                        (1, BasicBlock, (2, 2, 2), (16, 32, 64)), (1, BasicBlock, (2, 2, 2, 2), (16, 32, 64, 128))],
    "hrnet_w18": [(1, Bottleneck, (4,), (64,)), (1, BasicBlock, (4, 4), (18, 36)),
                  (4, BasicBlock, (4, 4, 4), (18, 36, 72)), (3, BasicBlock, (4, 4, 4, 4), (18, 36, 72, 144))],
}
HEAD_CHANNELS = (32, 64, 128, 256)  # bottleneck widths of the head, ×4 = 128, 256, 512, 1024 channels


def conv_bn(c_in, c_out, kernel_size, stride=1, relu=True, bias=False):
    layers = [nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=bias),
              nn.BatchNorm2d(c_out)]
    return nn.Sequential(*layers, nn.ReLU(inplace=True)) if relu else nn.Sequential(*layers)


def residual_layer(block, c_in, planes, blocks):
    """``blocks`` residual blocks at stride 1; the first projects the shortcut if the width changes."""
    downsample = None
    if c_in != planes * block.expansion:
        downsample = conv_bn(c_in, planes * block.expansion, 1, relu=False)
    layers = [block(c_in, planes, downsample=downsample)]
    layers += [block(planes * block.expansion, planes) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


def fuse_path(c_in, c_out, source, target):
    """Brings stream ``source`` to stream ``target``'s resolution and width (stream k is 2^k times coarser)."""
    if source == target:
        return nn.Identity()
    if source > target:  # coarser → finer: 1×1 conv to the target width, then upsample
        return nn.Sequential(*conv_bn(c_in, c_out, 1, relu=False), nn.Upsample(scale_factor=2 ** (source - target), mode="nearest"))
    steps = target - source  # finer → coarser: stride-2 3×3 convs; only the last changes the width (no ReLU)
    return nn.Sequential(*[conv_bn(c_in, c_in, 3, stride=2) for _ in range(steps - 1)],
                         conv_bn(c_in, c_out, 3, stride=2, relu=False))


class HighResolutionModule(nn.Module):
    """Parallel residual streams, then every output stream = ReLU(Σ over input streams, resampled)."""

    def __init__(self, in_channels, block, num_blocks, channels):
        super().__init__()
        self.num_branches = len(channels)
        self.branches = nn.ModuleList([residual_layer(block, c_in, planes, blocks)
                                       for c_in, planes, blocks in zip(in_channels, channels, num_blocks)])
        self.out_channels = [planes * block.expansion for planes in channels]
        widths = self.out_channels
        if self.num_branches == 1:
            self.fuse_layers = nn.Identity()
        else:
            self.fuse_layers = nn.ModuleList([
                nn.ModuleList([fuse_path(widths[j], widths[i], j, i) for j in range(self.num_branches)])
                for i in range(self.num_branches)])
        self.fuse_act = nn.ReLU()

    def forward(self, xs):
        """xs: a list of one (N, C_k, H/2^k, W/2^k) tensor per stream → a list of the same shapes."""
        xs = [branch(x) for branch, x in zip(self.branches, xs)]
        if self.num_branches == 1:
            return xs
        outputs = []
        for paths in self.fuse_layers:
            total = paths[0](xs[0])
            for path, x in zip(list(paths)[1:], xs[1:]):
                total = total + path(x)
            outputs.append(self.fuse_act(total))
        return outputs


def transition(prev_channels, channels):
    """Between stages: keep (or re-width) each existing stream, and spawn each new, coarser stream from
    the coarsest existing one with stride-2 3×3 convolutions."""
    layers = []
    for i, c_out in enumerate(channels):
        if i < len(prev_channels):
            same = prev_channels[i] == c_out
            layers.append(nn.Identity() if same else conv_bn(prev_channels[i], c_out, 3))
        else:
            c_in = prev_channels[-1]
            steps = i + 1 - len(prev_channels)
            layers.append(nn.Sequential(*[conv_bn(c_in, c_in if k < steps - 1 else c_out, 3, stride=2)
                                          for k in range(steps)]))
    return nn.ModuleList(layers)


class HighResolutionNet(nn.Module):
    """Stem (two stride-2 3×3 convs, 1/4 resolution), stage 1 (bottlenecks on one stream), stages 2–4
    (HR modules on 2, 3, 4 streams, a transition before each), the classification head, linear."""

    def __init__(self, config, num_classes=1000, in_channels=3, dropout=0.0, head_channels=HEAD_CHANNELS,
                 num_features=2048):
        """config: a name in CONFIGS or a list of four (HR modules, block, blocks per stream, widths)
        tuples; head_channels, num_features: the head's bottleneck widths and final width (timm's fixed
        (32, 64, 128, 256) and 2048 by default; smaller ones give a quick model for tests)."""
        super().__init__()
        if isinstance(config, str):
            config = CONFIGS[config]
        self.conv1 = nn.Conv2d(in_channels, 64, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.act2 = nn.ReLU(inplace=True)
        _, block, (blocks,), (planes,) = config[0]
        self.layer1 = residual_layer(block, 64, planes, blocks)
        widths = [planes * block.expansion]
        for stage, (modules, block, num_blocks, channels) in enumerate(config[1:], start=2):
            setattr(self, f"transition{stage - 1}", transition(widths, [c * block.expansion for c in channels]))
            hr_modules = []
            widths = [c * block.expansion for c in channels]
            for _ in range(modules):
                hr_modules.append(HighResolutionModule(widths, block, num_blocks, channels))
                widths = hr_modules[-1].out_channels
            setattr(self, f"stage{stage}", nn.Sequential(*hr_modules))
        self.num_stages = len(config)
        self.incre_modules = nn.ModuleList([residual_layer(Bottleneck, c, planes, 1)
                                            for c, planes in zip(widths, head_channels)])
        head_widths = [planes * Bottleneck.expansion for planes in head_channels]
        self.downsamp_modules = nn.ModuleList([conv_bn(c_in, c_out, 3, stride=2, bias=True)
                                               for c_in, c_out in zip(head_widths, head_widths[1:])])
        self.final_layer = conv_bn(head_widths[-1], num_features, 1, bias=True)
        self.head_drop = nn.Dropout(dropout)
        self.classifier = nn.Linear(num_features, num_classes)
        kaiming_conv_zero_bias(self)

    def forward(self, x):
        """x: (N, 3, 224, 224) → (N, num_classes); sides multiples of 32."""
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        xs = [self.layer1(x)]
        for stage in range(2, self.num_stages + 1):
            paths = getattr(self, f"transition{stage - 1}")
            xs = [path(xs[i] if i < len(xs) else xs[-1]) for i, path in enumerate(paths)]
            for hr_module in getattr(self, f"stage{stage}"):
                xs = hr_module(xs)
        y = self.incre_modules[0](xs[0])
        for incre, down, x in zip(list(self.incre_modules)[1:], self.downsamp_modules, xs[1:]):
            y = incre(x) + down(y)
        y = self.final_layer(y)
        return self.classifier(self.head_drop(y.mean((2, 3))))


def hrnet_w18_small(num_classes=1000, in_channels=3, dropout=0.0):
    return HighResolutionNet("hrnet_w18_small", num_classes, in_channels, dropout)


def hrnet_w18(num_classes=1000, in_channels=3, dropout=0.0):
    return HighResolutionNet("hrnet_w18", num_classes, in_channels, dropout)
