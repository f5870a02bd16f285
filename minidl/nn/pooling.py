"""Pooling layers."""
from ..functions.joining import cat
from . import functional as F
from .module import Module


class MaxPool2d(Module):
    """Max over windows; ties send the gradient to the first maximum (row-major) in the window."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class MaxPool1d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool1d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class MaxPool3d(MaxPool2d):
    """Max over kd×kh×kw windows of (N, C, D, H, W) volumes (``F.max_pool3d``)."""

    def forward(self, x):
        return F.max_pool3d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool3d(AvgPool2d):
    """Mean over kd×kh×kw windows of (N, C, D, H, W) volumes (``F.avg_pool3d``)."""

    def forward(self, x):
        return F.avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Average (N, C, D, H, W) volumes into a fixed (OD, OH, OW) grid (``F.adaptive_avg_pool3d``)."""

    def forward(self, x):
        return F.adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Max of (N, C, D, H, W) volumes over a fixed (OD, OH, OW) grid (``F.adaptive_max_pool3d``)."""

    def forward(self, x):
        return F.adaptive_max_pool3d(x, self.output_size, self.return_indices)


class MaxUnpool2d(Module):
    """Places max-pooled values back at their indices (``MaxPool2d(..., return_indices=True)``)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding

    def forward(self, x, indices, output_size=None):
        return F.max_unpool2d(x, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool3d(MaxUnpool2d):
    """Places max-pooled values of volumes back at their indices (``MaxPool3d(..., return_indices=True)``)."""

    def forward(self, x, indices, output_size=None):
        return F.max_unpool3d(x, indices, self.kernel_size, self.stride, self.padding, output_size)


class SpatialPyramidPooling(Module):
    """Spatial pyramid pooling (He, Zhang, Ren & Sun 2014, "Spatial pyramid pooling in deep
    convolutional networks for visual recognition", SPP-Net, Fig. 3): pool the feature map into an
    n×n grid for every pyramid level n, flatten each grid and concatenate, so that images of any
    size give a vector of the same length and can feed a fully connected layer.

    Shapes: x: (N, C, H, W) → (N, C·Σ n²), levels in the given order, each flattened channel-major
    (channel c's n×n bins together).  The paper's levels {4×4, 2×2, 1×1} give 21 bins per channel.
    Bins are ``adaptive_max_pool2d``'s (or ``adaptive_avg_pool2d``'s with ``mode='avg'``): they tile
    the map exactly, where the paper's window ⌈a/n⌉ with stride ⌊a/n⌋ can miss its last rows.
    Raises ValueError for a level that is not a positive int, a mode other than 'max'/'avg', or
    an input that is not 4-D.
    """

    def __init__(self, levels=(4, 2, 1), mode="max"):
        super().__init__()
        levels = tuple(levels)
        if not levels or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in levels):
            raise ValueError(f"SpatialPyramidPooling: levels must be positive ints, got {levels!r}")
        if mode not in ("max", "avg"):
            raise ValueError(f"SpatialPyramidPooling: mode must be 'max' or 'avg', got {mode!r}")
        self.levels, self.mode = levels, mode

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"SpatialPyramidPooling: expected input of shape (N, C, H, W), got shape {tuple(x.shape)}")
        pool = F.adaptive_max_pool2d if self.mode == "max" else F.adaptive_avg_pool2d
        return cat([pool(x, n).flatten(1) for n in self.levels], 1)

    def extra_repr(self):
        return f"levels={self.levels}, mode={self.mode!r}"
