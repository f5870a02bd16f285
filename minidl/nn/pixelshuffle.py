"""``PixelShuffle`` (depth-to-space) and ``PixelUnshuffle`` (space-to-depth); the math is in
``minidl.functions.shape.pixel_shuffle``."""
from . import functional as F
from .module import Module


class PixelShuffle(Module):
    """(*, C·r², H, W) → (*, C, H·r, W·r): the sub-pixel convolution's upsampling step (Shi et al. 2016)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x):
        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) → (*, C·r², H, W): space-to-depth, as in TResNet's and YOLO's stems."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x):
        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
