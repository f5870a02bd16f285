"""``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose2d`` and ``ConvTranspose3d`` layers (the math is in minidl/functions/conv.py)."""
import math

from .. import creation
from ..functions.geometry import conv_padding, ntuple, pair
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 weight_shape, device, dtype, name, dims=2):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = ntuple(kernel_size, dims, "kernel_size", name)
        self.stride = ntuple(stride, dims, "stride", name)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, dims, "padding", name)
        self.dilation = ntuple(dilation, dims, "dilation", name)
        self.weight = Parameter(creation.empty(*weight_shape, dtype=dtype, device=device))
        self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """W, b ~ U(−1/√fan_in, 1/√fan_in), fan_in = (C_in/groups)·kh·kw (PyTorch's default)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0,) * len(self.kernel_size), "valid"):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1,) * len(self.kernel_size):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """2-D convolution.  input (N, C_in, H, W) → (N, C_out, OH, OW); weight (C_out, C_in/groups, kh, kw).

    padding_mode: 'zeros' (default), or 'reflect', 'replicate', 'circular' — the input is padded with
    ``F.pad`` in that mode first, then convolved without padding (PyTorch's way).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"Conv2d: padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', "
                             f"got {padding_mode!r}")
        kh, kw = pair(kernel_size, "kernel_size", "Conv2d")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         (out_channels, in_channels // groups, kh, kw), device, dtype, "Conv2d")
        self.padding_mode = padding_mode

    def forward(self, x):
        if x.ndim not in (3, 4) or x.shape[-3] != self.in_channels:
            raise RuntimeError(
                f"Conv2d: expected input with {self.in_channels} channels, got {x.shape[-3] if x.ndim >= 3 else '?'} "
                f"(input shape {x.shape})"
            )
        if self.padding_mode != "zeros":
            (top, bottom), (left, right) = conv_padding(self.padding, self.kernel_size, self.stride, self.dilation, "Conv2d")
            x = F.pad(x, (left, right, top, bottom), mode=self.padding_mode)
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv3d(_ConvNd):
    """3-D convolution.  input (N, C_in, D, H, W) → (N, C_out, OD, OH, OW); weight (C_out, C_in/groups, kd, kh, kw).

    padding_mode: 'zeros' (default), or 'reflect', 'replicate', 'circular' (``F.pad`` in that mode
    first, then a convolution without padding, as in Conv2d).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"Conv3d: padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', "
                             f"got {padding_mode!r}")
        kernel = ntuple(kernel_size, 3, "kernel_size", "Conv3d")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         (out_channels, in_channels // groups) + kernel, device, dtype, "Conv3d", dims=3)
        self.padding_mode = padding_mode

    def forward(self, x):
        if x.ndim not in (4, 5) or x.shape[-4] != self.in_channels:
            raise RuntimeError(
                f"Conv3d: expected input with {self.in_channels} channels, got {x.shape[-4] if x.ndim >= 4 else '?'} "
                f"(input shape {x.shape})"
            )
        if self.padding_mode != "zeros":
            pads = conv_padding(self.padding, self.kernel_size, self.stride, self.dilation, "Conv3d")
            widths = [width for axis_pads in reversed(pads) for width in axis_pads]  # F.pad: last axis first
            x = F.pad(x, widths, mode=self.padding_mode)
            return F.conv3d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed convolution.  weight (C_in, C_out/groups, kh, kw) as in PyTorch."""

    dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        kernel = ntuple(kernel_size, self.dims, "kernel_size", name)
        self_output_padding = ntuple(output_padding, self.dims, "output_padding", name)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         (in_channels, out_channels // groups) + kernel, device, dtype, name, dims=self.dims)
        self.output_padding = self_output_padding

    def forward(self, x, output_size=None):
        """``output_size``: the spatial size (or full shape) to produce, when a stride makes several
        sizes possible; it sets output_padding for this call, as in PyTorch."""
        output_padding = self.output_padding if output_size is None else self._output_padding(x, output_size)
        op = F.conv_transpose2d if self.dims == 2 else F.conv_transpose3d
        return op(x, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation)

    def _output_padding(self, x, output_size):
        wanted = tuple(output_size)[-self.dims:]
        padding = ntuple(self.padding, self.dims, "padding", type(self).__name__)
        result = []
        for size, want, k, s, p, d in zip(x.shape[-self.dims:], wanted, self.kernel_size, self.stride, padding,
                                          self.dilation):
            smallest = (size - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= want < smallest + max(s, d):
                raise ValueError(f"{type(self).__name__}: requested an output size of {tuple(wanted)}, but valid sizes "
                                 f"range from {smallest} to {smallest + max(s, d) - 1} "
                                 f"(for an input of {tuple(x.shape[-self.dims:])})")
            result.append(want - smallest)
        return tuple(result)


class ConvTranspose3d(ConvTranspose2d):
    """3-D transposed convolution.  input (N, C_in, D, H, W) → (N, C_out, OD, OH, OW);
    weight (C_in, C_out/groups, kd, kh, kw) as in PyTorch."""

    dims = 3


class Conv1d(Module):
    """1-D convolution.  input (N, C_in, L) → (N, C_out, OL); weight (C_out, C_in/groups, k)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        if padding_mode != "zeros":
            raise ValueError(f"Conv1d: only padding_mode='zeros' is supported, got {padding_mode!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv1d: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        one = lambda v: v[0] if isinstance(v, (tuple, list)) else v  # noqa: E731
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = (one(kernel_size),), (one(stride),), (one(dilation),)
        self.padding = padding if isinstance(padding, str) else (one(padding),)
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups, self.kernel_size[0], dtype=dtype,
                                               device=device))
        self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device)) if bias else None
        _ConvNd.reset_parameters(self)

    def forward(self, x):
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")
