"""SKNet (Li, Wang, Hu & Yang 2019, "Selective kernel networks") as timm builds it: ResNets whose
3×3 convolution is an ``nn.SelectiveKernel``.

Key idea: a neuron's receptive field should adapt to its input.  Each selective-kernel unit runs
a 3×3 and a dilated 3×3 (a 5×5's field) path and mixes them per channel with a softmax computed
from the fused, globally pooled paths — attention over kernel sizes.

timm's layout and names (``conv1.paths.0.conv.weight``, ``conv2.attn.fc_select.weight``, …);
``skresnet18``/``skresnet34`` split the input channels between the two paths (timm's cheaper
variant), ``skresnext50_32x4d`` is the paper's SKNet-50 (Table 1: 27.5 M parameters).
"""
from .. import nn
from .resnet import ResNet


class SelectiveKernelBasic(nn.Module):
    """SK unit (split input, 3×3 + dilated 3×3) → ConvNormAct 3×3 (no act) → + shortcut → ReLU."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, sk_kwargs=None):
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError("SelectiveKernelBasic only supports groups=1 and base_width=64")
        self.conv1 = nn.SelectiveKernel(inplanes, planes, stride=stride, **(sk_kwargs or {}))
        self.conv2 = nn.ConvNormAct(planes, planes, 3, apply_act=False)
        self.act = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return self.act(self.conv2(self.conv1(x)) + identity)


class SelectiveKernelBottleneck(nn.Module):
    """ConvNormAct 1×1 → SK unit (grouped) → ConvNormAct 1×1 ×4 (no act) → + shortcut → ReLU."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, sk_kwargs=None):
        super().__init__()
        width = int(planes * (base_width / 64)) * groups
        self.conv1 = nn.ConvNormAct(inplanes, width, 1)
        self.conv2 = nn.SelectiveKernel(width, width, stride=stride, groups=groups, **(sk_kwargs or {}))
        self.conv3 = nn.ConvNormAct(width, planes * self.expansion, 1, apply_act=False)
        self.act = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return self.act(self.conv3(self.conv2(self.conv1(x))) + identity)


def skresnet18(num_classes=1000, in_channels=3, **kwargs):
    """SK-ResNet-18 (timm): attention width C/8 rounded to 16; 11,958,056 parameters."""
    sk_kwargs = dict(rd_ratio=1 / 8, rd_divisor=16, split_input=True)
    return ResNet(SelectiveKernelBasic, [2, 2, 2, 2], num_classes, in_channels=in_channels,
                  block_args=dict(sk_kwargs=sk_kwargs), **kwargs)


def skresnet34(num_classes=1000, in_channels=3, **kwargs):
    """SK-ResNet-34 (timm): 22,282,376 parameters."""
    sk_kwargs = dict(rd_ratio=1 / 8, rd_divisor=16, split_input=True)
    return ResNet(SelectiveKernelBasic, [3, 4, 6, 3], num_classes, in_channels=in_channels,
                  block_args=dict(sk_kwargs=sk_kwargs), **kwargs)


def skresnext50_32x4d(num_classes=1000, in_channels=3, **kwargs):
    """SKNet-50 (the paper's Table 1; timm ``skresnext50_32x4d``): ResNeXt-50 32×4d with SK units,
    attention width C/16 rounded to 32, both paths on the whole input; 27,479,784 parameters."""
    sk_kwargs = dict(rd_ratio=1 / 16, rd_divisor=32, split_input=False)
    return ResNet(SelectiveKernelBottleneck, [3, 4, 6, 3], num_classes, groups=32, width_per_group=4,
                  in_channels=in_channels, block_args=dict(sk_kwargs=sk_kwargs), **kwargs)
