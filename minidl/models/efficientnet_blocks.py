"""The blocks of the EfficientNet family (EfficientNet, MnasNet, MixNet, FBNet, Single-Path NAS),
with timm's module names so that a timm ``state_dict()`` loads key for key.

* ``DepthwiseSeparableConv`` ("ds"): depthwise k×k → BN-act → [SE] → 1×1 → BN, MobileNet v1's block.
* ``InvertedResidual`` ("ir", MBConv): 1×1 expand ×e → BN-act → depthwise k×k → BN-act → [SE] →
  linear 1×1 projection → BN, MobileNet v2's block (Sandler et al. 2018) as MnasNet and
  EfficientNet use it.
Both add the input back (through ``DropPath``, stochastic depth) when stride is 1 and the width is
unchanged.  A kernel size given as a list makes the conv a ``MixedConv2d`` (MixNet).
"""
from .. import nn
from ..nn.efficient_blocks import symmetric_padding
from .mobilenet import make_divisible


class BatchNormAct2d(nn.BatchNorm2d):
    """BatchNorm2d followed by an activation (timm's ``BatchNormAct2d``): the BN keys stay
    ``bn1.weight`` … and the activation is the child ``act`` (``Identity`` when ``act_layer`` is None)."""

    def __init__(self, num_features, act_layer=None, eps=1e-5, momentum=0.1):
        super().__init__(num_features, eps=eps, momentum=momentum)
        self.act = act_layer() if act_layer is not None else nn.Identity()

    def forward(self, x):
        return self.act(super().forward(x))


def create_conv2d(in_chs, out_chs, kernel_size, stride=1, depthwise=False):
    """A bias-free conv with timm's symmetric padding; a list of kernel sizes gives a MixedConv2d."""
    if isinstance(kernel_size, (list, tuple)):
        return nn.MixedConv2d(in_chs, out_chs, kernel_size, stride, depthwise=depthwise)
    return nn.Conv2d(in_chs, out_chs, kernel_size, stride, symmetric_padding(kernel_size, stride),
                     groups=in_chs if depthwise else 1, bias=False)


def _drop_path(rate):
    return nn.DropPath(rate) if rate else nn.Identity()


class DepthwiseSeparableConv(nn.Module):
    """x → conv_dw (depthwise, stride) → bn1 (act) → se → conv_pw (1×1) → bn2 (act only if pw_act)
    [+ x].  Shapes: (N, in_chs, H, W) → (N, out_chs, H/stride, W/stride)."""

    def __init__(self, in_chs, out_chs, dw_kernel_size=3, stride=1, noskip=False, pw_kernel_size=1, pw_act=False,
                 act_layer=nn.ReLU, se_layer=None, drop_path_rate=0.0):
        super().__init__()
        self.has_skip = stride == 1 and in_chs == out_chs and not noskip
        self.conv_dw = create_conv2d(in_chs, in_chs, dw_kernel_size, stride, depthwise=True)
        self.bn1 = BatchNormAct2d(in_chs, act_layer)
        self.se = se_layer(in_chs, act_layer=act_layer) if se_layer else nn.Identity()
        self.conv_pw = create_conv2d(in_chs, out_chs, pw_kernel_size)
        self.bn2 = BatchNormAct2d(out_chs, act_layer if pw_act else None)
        self.drop_path = _drop_path(drop_path_rate)

    def forward(self, x):
        out = self.bn2(self.conv_pw(self.se(self.bn1(self.conv_dw(x)))))
        return self.drop_path(out) + x if self.has_skip else out


class InvertedResidual(nn.Module):
    """x → conv_pw (1×1, ×exp_ratio) → bn1 (act) → conv_dw (depthwise k×k, stride) → bn2 (act) → se
    → conv_pwl (linear 1×1) → bn3 [+ x].  The expanded width is ``make_divisible(in_chs · exp_ratio)``;
    the expansion conv exists even when exp_ratio is 1 (timm's layout).
    Shapes: (N, in_chs, H, W) → (N, out_chs, H/stride, W/stride)."""

    def __init__(self, in_chs, out_chs, dw_kernel_size=3, stride=1, noskip=False, exp_ratio=1.0, exp_kernel_size=1,
                 pw_kernel_size=1, act_layer=nn.ReLU, se_layer=None, drop_path_rate=0.0):
        super().__init__()
        mid_chs = make_divisible(in_chs * exp_ratio)
        self.has_skip = stride == 1 and in_chs == out_chs and not noskip
        self.conv_pw = create_conv2d(in_chs, mid_chs, exp_kernel_size)
        self.bn1 = BatchNormAct2d(mid_chs, act_layer)
        self.conv_dw = create_conv2d(mid_chs, mid_chs, dw_kernel_size, stride, depthwise=True)
        self.bn2 = BatchNormAct2d(mid_chs, act_layer)
        self.se = se_layer(mid_chs, act_layer=act_layer) if se_layer else nn.Identity()
        self.conv_pwl = create_conv2d(mid_chs, out_chs, pw_kernel_size)
        self.bn3 = BatchNormAct2d(out_chs)
        self.drop_path = _drop_path(drop_path_rate)

    def forward(self, x):
        out = self.bn2(self.conv_dw(self.bn1(self.conv_pw(x))))
        out = self.bn3(self.conv_pwl(self.se(out)))
        return self.drop_path(out) + x if self.has_skip else out
