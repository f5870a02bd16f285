"""im2col and col2im as differentiable ops, in PyTorch's layout: ``unfold`` and ``fold``.

Each is the other's adjoint (⟨unfold(x), c⟩ = ⟨x, fold(c)⟩), so each one's backward is the other.
"""
from ..autograd import Function
from ._utils import to_tensor
from .conv import _check_4d
from .geometry import ConvGeometry, pair, positive_pair
from .im2col import col2im, im2col


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col exposed: (N, C, H, W) → (N, C·kh·kw, L), L = OH·OW (PyTorch's layout)."""
    x = to_tensor(input)
    _check_4d(x, "input", "unfold")
    return Unfold(_fold_geometry(kernel_size, dilation, padding, stride, "unfold"))(x)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im exposed: (N, C·kh·kw, L) → (N, C, *output_size), overlapping values summed."""
    cols = to_tensor(input)
    if cols.ndim != 3:
        raise RuntimeError(f"fold: expected a 3-D input (N, C·kh·kw, L), got shape {cols.shape}")
    geometry = _fold_geometry(kernel_size, dilation, padding, stride, "fold")
    return Fold(geometry, pair(output_size, "output_size", "fold"))(cols)


class Unfold(Function):
    """im2col as an op, in PyTorch's layout; its adjoint is Fold.

    Shapes: x: (N, C, H, W) → (N, C·kh·kw, L), L = OH·OW: every column one flattened window.
    """

    reads_inputs = False

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x):
        g = self.geometry
        col = im2col(x, g.kernel, g.stride, g.pads, g.dilation)  # (C, kh, kw, N, OH, OW)
        c, kh, kw, n, oh, ow = col.shape
        self.x_hw = x.shape[2:]
        return col.transpose(3, 0, 1, 2, 4, 5).reshape(n, c * kh * kw, oh * ow)

    def backward(self, gy):
        return Fold(self.geometry, self.x_hw)(gy)


class Fold(Function):
    """col2im as an op, summing overlapping windows; its adjoint is Unfold.

    Shapes: cols: (N, C·kh·kw, L) → (N, C, H, W), (H, W) = output_hw.
    """

    reads_inputs = False

    def __init__(self, geometry, output_hw):
        self.geometry, self.output_hw = geometry, tuple(output_hw)

    def forward(self, cols):
        g, (kh, kw) = self.geometry, self.geometry.kernel
        n, ckk, length = cols.shape
        oh, ow = g.output_hw(*self.output_hw)
        if ckk % (kh * kw) or oh * ow != length:
            raise RuntimeError(f"fold: input of shape {cols.shape} does not match kernel {(kh, kw)} and output size "
                               f"{self.output_hw} (expected C·{kh * kw} rows and {oh * ow} columns)")
        c = ckk // (kh * kw)
        col = cols.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        return col2im(col, (n, c) + self.output_hw, g.stride, g.pads, g.dilation)

    def backward(self, gy):
        return Unfold(self.geometry)(gy)


def _fold_geometry(kernel_size, dilation, padding, stride, op_name):
    ph, pw = pair(padding, "padding", op_name)
    return ConvGeometry(positive_pair(kernel_size, "kernel_size", op_name), positive_pair(stride, "stride", op_name),
                        ((ph, ph), (pw, pw)), positive_pair(dilation, "dilation", op_name), 1)
