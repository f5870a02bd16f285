"""2-D convolution by im2col: ``conv2d`` and ``conv_transpose2d`` (``unfold``/``fold``: fold.py).
(``conv3d`` is the same text with one more spatial axis: see three_d.py.)

Shapes (PyTorch's):  x: (N, C, H, W),  w: (F, C/G, kh, kw),  b: (F,)  →  y: (N, F, OH, OW).
F filters; the C input channels may be split into G groups, each convolved with its own F/G
filters (G = 1 usually; G = C is a "depthwise" convolution).  With padding p, stride s and
dilation d (the spacing between kernel taps), OH = floor((H + 2p − d·(kh − 1) − 1) / s) + 1.

Every framework's "convolution" is a cross-correlation (the kernel slides unflipped):

    y[n, f, oh, ow] = b[f] + Σ_{c, i, j} w[f, c, i, j] · x_pad[n, g·C/G + c, oh·s + i·d, ow·s + j·d]

where x_pad is x with p zeros on each side and g = f // (F/G) is the group of filter f
(naive.py writes exactly these loops).  im2col (im2col.py) copies every window into one column,
so that all the sums are one matrix product, and the two gradients are matrix products too:

    forward       y  = W @ col          W: (F, C·kh·kw),  col = im2col(x): (C·kh·kw, N·OH·OW)
    grad input    dx = col2im(Wᵀ @ dy)  dy as an (F, N·OH·OW) matrix; col2im adds each column back
                                        into the pixels it was copied from
    grad weight   dW = dy @ colᵀ        the same windows, summed over every sample and position
    grad bias     db = Σ_{n, oh, ow} dy

dx is itself a convolution-like op, the *transposed convolution* of dy (``conv_transpose2d``), so
the three products are three ``Function``s (autograd.py: forward on arrays, backward on Tensors),
each differentiated with the other two — which makes second derivatives (create_graph=True) work.

Speed only, skip on a first read: the three array functions carry ``@twinned``, so a fast twin
(fast/conv.py) may run in their place unless ``MINIDL_FAST=0``; ``scratch`` is where such a twin
keeps buffers from forward for backward; ``batch_chunks`` bounds the memory of ``col``; ``amp``
handles mixed precision.
"""
import math

import numpy as np

from .. import amp, backend
from ..autograd import Function
from ._utils import to_tensor
from .dispatch import for_spatial_dims, twinned
from .geometry import ConvGeometry, conv_padding, ntuple, positive_ntuple
from .im2col import batch_chunks, col2im, im2col


# ------------------------------------------------------------------ public functions

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in every framework).

    input: (N, C, H, W) or (C, H, W);  weight: (F, C/groups, kh, kw);  bias: (F,) or None
    → (N, F, OH, OW) with OH = floor((H + 2·pad − dilation·(kh − 1) − 1) / stride) + 1
    (with 'same' and an even kernel, the extra row or column of padding goes at the end).
    ``padding`` may be an int, a pair, 'valid' (0) or 'same' (output size = input size, stride 1).
    Raises RuntimeError for mismatched shapes, TypeError for mixed dtypes.
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def convolution(input, weight, bias, stride, padding, dilation, groups, dims, op_name):
    """conv2d (dims = 2) and conv3d (dims = 3): check the arguments, then Conv2dFunction, which is
    written for any number of spatial dims."""
    x, unbatched = _unbatched(input, op_name, dims)
    x, w, bias = amp.low_precision_inputs(x, to_tensor(weight), bias if bias is None else to_tensor(bias))
    _check_ndim(w, dims, "weight", op_name)
    _check_same_dtype(op_name, input=x, weight=w, bias=bias)
    f, c_per_group, kernel = w.shape[0], w.shape[1], tuple(w.shape[2:])
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"{op_name}: groups must be a positive int, got {groups!r}")
    if x.shape[1] != c_per_group * groups:
        raise RuntimeError(
            f"{op_name}: expected input with {c_per_group * groups} channels (weight shape {w.shape}, groups={groups}), "
            f"got {x.shape[1]} channels (input shape {x.shape})")
    if f % groups:
        raise RuntimeError(f"{op_name}: out_channels ({f}) must be divisible by groups ({groups})")
    stride = positive_ntuple(stride, dims, "stride", op_name)
    dilation = positive_ntuple(dilation, dims, "dilation", op_name)
    pads = conv_padding(padding, kernel, stride, dilation, op_name)
    geometry = ConvGeometry(kernel, stride, pads, dilation, int(groups))
    out = geometry.output_size(x.shape[2:])
    if min(out) <= 0:
        raise RuntimeError(f"{op_name}: input of spatial size {x.shape[2:]} is too small for kernel {kernel} with "
                           f"dilation {dilation} and padding {pads} (output would be {'×'.join(map(str, out))})")
    if bias is not None and bias.shape != (f,):
        raise RuntimeError(f"{op_name}: expected bias of shape ({f},), got {bias.shape}")
    y = Conv2dFunction(geometry)(*((x, w) if bias is None else (x, w, bias)))
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed convolution: the gradient of conv2d with respect to its input, as an op (sometimes
    called "deconvolution", though it does not invert conv2d).

    input: (N, C_in, H, W) or (C_in, H, W);  weight: (C_in, C_out/groups, kh, kw)  →  (N, C_out, OH, OW)
    with OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1.
    """
    return transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                                  "conv_transpose2d")


def transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, dims, op_name):
    """conv_transpose2d (dims = 2) and conv_transpose3d (dims = 3): check the arguments, then
    ConvTranspose2dFunction, which is written for any number of spatial dims."""
    x, unbatched = _unbatched(input, op_name, dims)
    x, w, bias = amp.low_precision_inputs(x, to_tensor(weight), bias if bias is None else to_tensor(bias))
    _check_ndim(w, dims, "weight", op_name)
    _check_same_dtype(op_name, input=x, weight=w, bias=bias)
    c_in, kernel = w.shape[0], tuple(w.shape[2:])
    if x.shape[1] != c_in:
        raise RuntimeError(f"{op_name}: expected input with {c_in} channels (weight shape {w.shape}), "
                           f"got {x.shape[1]} (input shape {x.shape})")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"{op_name}: groups must be a positive int, got {groups!r}")
    if c_in % groups:
        raise RuntimeError(f"{op_name}: in_channels ({c_in}) must be divisible by groups ({groups})")
    stride = positive_ntuple(stride, dims, "stride", op_name)
    dilation = positive_ntuple(dilation, dims, "dilation", op_name)
    pads, extra = ntuple(padding, dims, "padding", op_name), ntuple(output_padding, dims, "output_padding", op_name)
    if any(op >= max(s, d) for op, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"{op_name}: output_padding {output_padding} must be smaller than stride or dilation")
    out = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1
                for size, s, p, d, k, op in zip(x.shape[2:], stride, pads, dilation, kernel, extra))
    if min(out) <= 0:
        raise RuntimeError(f"{op_name}: the output size {out} would not be positive")
    if bias is not None and bias.shape != (w.shape[1] * groups,):
        raise RuntimeError(f"{op_name}: expected bias of shape ({w.shape[1] * groups},), got {bias.shape}")
    geometry = ConvGeometry(kernel, stride, tuple((p, p) for p in pads), dilation, int(groups))
    y = ConvTranspose2dFunction(geometry, out)(*((x, w) if bias is None else (x, w, bias)))
    return y.squeeze(0) if unbatched else y


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1."""
    return math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1


# ------------------------------------------------------------------ the Functions

class Conv2dFunction(Function):
    """y = conv2d(x, w) + b, and its backward through the two other products.

    Shapes: x: (N, C, H, W), w: (F, C/G, kh, kw), b: (F,) → y: (N, F, OH, OW)
    (conv3d: x (N, C, D, H, W), w (F, C/G, kd, kh, kw) → y (N, F, OD, OH, OW), the same code).
        dx = col2im(Wᵀ @ dy), which is conv_transpose2d(dy, w)   (ConvTranspose2dFunction)
        dW = dy @ colᵀ                                            (Conv2dGradWeight)
        db = Σ_{n, oh, ow} dy
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def __init__(self, geometry):
        self.geometry = geometry
        self.scratch = {}  # speed only: where a fast twin may keep buffers from forward for backward

    def forward(self, x, w, b=None):
        y = _array_op(conv2d_forward, self.geometry)(x, w, self.geometry, self.scratch)
        if b is not None:
            y += _per_channel(b, y.ndim)
        return y

    def backward(self, dy):
        x, w = self.inputs[0], self.inputs[1]
        dx = dw = db = None
        if self.needs_input_grad[0]:
            dx = ConvTranspose2dFunction(self.geometry, x.shape[2:], self.scratch)(dy, w)
        if self.needs_input_grad[1]:
            dw = Conv2dGradWeight(self.geometry, w.shape, self.scratch)(x, dy)
        if len(self.inputs) == 3 and self.needs_input_grad[2]:
            db = dy.sum(_batch_and_spatial_axes(dy))
        return dx, dw, db


class ConvTranspose2dFunction(Function):
    """y = conv_transpose2d(x, w) + b = col2im(Wᵀ @ x) + b: conv2d's input gradient as an op.

    It maps a conv2d *output*-shaped x back to conv2d's *input* size ``out_hw``; as conv2d's
    backward it is called with x = dy.  Its forward is ``conv2d_grad_input``.

    Shapes: x: (N, F, OH, OW), w: (F, C/G, kh, kw), b: (C,) → y: (N, C, H, W), (H, W) = out_hw.
    Its input and output swap roles with conv2d's, so its gradients are conv2d's products again:
        dx = conv2d(dy, w)      dW = Conv2dGradWeight(dy, x)  (dy in conv2d's input role)      db = Σ dy
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def __init__(self, geometry, out_hw, scratch=None):
        self.geometry, self.out_hw, self.scratch = geometry, tuple(out_hw), {} if scratch is None else scratch

    def forward(self, x, w, b=None):
        out_shape = (x.shape[0], w.shape[1] * self.geometry.groups) + self.out_hw
        y = _array_op(conv2d_grad_input, self.geometry)(x, w, out_shape, self.geometry, self.scratch)
        self.scratch = None  # used once; keep no buffer alive in the graph
        if b is not None:
            y += _per_channel(b, y.ndim)
        return y

    def backward(self, dy):
        x, w = self.inputs[0], self.inputs[1]
        dx = dw = db = None
        if self.needs_input_grad[0]:
            dx = _crop(Conv2dFunction(self.geometry)(dy, w), x.shape[2:])
        if self.needs_input_grad[1]:
            dw = Conv2dGradWeight(self.geometry, w.shape)(dy, x)
        if len(self.inputs) == 3 and self.needs_input_grad[2]:
            db = dy.sum(_batch_and_spatial_axes(dy))
        return dx, dw, db


class Conv2dGradWeight(Function):
    """dW = dy @ im2col(x)ᵀ, conv2d's weight gradient, as a function of (x, dy).

    Shapes: x: (N, C, H, W), dy: (N, F, OH, OW) → dW: w_shape = (F, C/G, kh, kw).
    dW is linear in x and in dy, so for a gradient u flowing into dW (shaped like w):
        d/dx ⟨dW, u⟩ = conv_transpose2d(dy, u)       d/d(dy) ⟨dW, u⟩ = conv2d(x, u)
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def __init__(self, geometry, w_shape, scratch=None):
        self.geometry, self.w_shape, self.scratch = geometry, tuple(w_shape), {} if scratch is None else scratch

    def forward(self, x, dy):
        dw = _array_op(conv2d_grad_weight, self.geometry)(x, dy, self.w_shape, self.geometry, self.scratch)
        self.scratch = None  # used once; keep no buffer alive in the graph
        return dw

    def backward(self, u):
        x, dy = self.inputs
        dx = d_dy = None
        if self.needs_input_grad[0]:
            dx = ConvTranspose2dFunction(self.geometry, x.shape[2:])(dy, u)
        if self.needs_input_grad[1]:
            d_dy = _crop(Conv2dFunction(self.geometry)(x, u), dy.shape[2:])
        return dx, d_dy


# ------------------------------------------------------------------ the three products on arrays
# Groups: filter f belongs to group f // (F/G) and channel c to group c // (C/G), and each group's
# filters and channels are neighbours, so F → (G, F/G) and C → (G, C/G) are free reshapes.  col has
# C first and flattens (C/G, kh, kw) in w[f]'s order, so col as (G, C/G·kh·kw, chunk·OH·OW) lines up
# row for row with w as (G, F/G, C/G·kh·kw): one batched matmul does every group.
# The batch is processed in chunks (``chunk`` samples at a time) that fit im2col's memory budget.
# Written with (H, W) in mind, the code holds the spatial sizes in tuples (``out`` = (OH, OW)), so a
# volume (D, H, W) and a kd×kh×kw kernel (conv3d) run through it unchanged.

@twinned
def conv2d_forward(x, w, geometry, scratch):
    """y = W @ im2col(x), one product per group.  x: (N, C, H, W), w: (F, C/G, kh, kw) → y: (N, F, OH, OW)."""
    xp = backend.get_array_module(x, w)
    (n, c), f, g = x.shape[:2], w.shape[0], geometry.groups
    out = geometry.output_size(x.shape[2:])  # (OH, OW)
    w_matrix = w.reshape(g, f // g, -1)  # (G, F/G, C/G·kh·kw)
    y = xp.empty((n, f) + out, dtype=x.dtype)
    for batch in batch_chunks(n, c * math.prod(geometry.kernel) * math.prod(out) * x.itemsize):
        chunk = batch.stop - batch.start
        col = im2col(x[batch], geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, out)
        col = col.reshape(g, -1, chunk * math.prod(out))  # (C, kh, kw, chunk, OH, OW) → (G, C/G·kh·kw, chunk·OH·OW)
        product = w_matrix @ col  # (G, F/G, chunk·OH·OW)
        y[batch] = product.reshape((f, chunk) + out).swapaxes(0, 1)  # → (F, chunk, OH, OW) → (chunk, F, OH, OW)
    return y


@twinned
def conv2d_grad_input(dy, w, x_shape, geometry, scratch):
    """dx = col2im(Wᵀ @ dy).  dy: (N, F, OH, OW), w: (F, C/G, kh, kw) → dx: x_shape = (N, C, H, W)."""
    xp = backend.get_array_module(dy, w)
    (n, f), out, c, g = dy.shape[:2], dy.shape[2:], x_shape[1], geometry.groups
    w_transposed = w.reshape(g, f // g, -1).transpose(0, 2, 1)  # (G, C/G·kh·kw, F/G)
    dx = xp.empty((n,) + tuple(x_shape[1:]), dtype=dy.dtype)
    for batch in batch_chunks(n, c * math.prod(geometry.kernel) * math.prod(out) * dy.itemsize):
        chunk = batch.stop - batch.start
        dy_matrix = dy[batch].swapaxes(0, 1).reshape(g, f // g, chunk * math.prod(out))  # (G, F/G, chunk·OH·OW)
        dcol = w_transposed @ dy_matrix  # (G, C/G·kh·kw, chunk·OH·OW): the gradient of col
        dcol = dcol.reshape((c,) + tuple(geometry.kernel) + (chunk,) + out)  # im2col's layout (C, kh, kw, chunk, OH, OW)
        dx[batch] = col2im(dcol, (chunk,) + tuple(x_shape[1:]), geometry.stride, geometry.pads, geometry.dilation)
    return dx


@twinned
def conv2d_grad_weight(x, dy, w_shape, geometry, scratch):
    """dW = dy @ im2col(x)ᵀ, summed over every sample and output position.
    x: (N, C, H, W), dy: (N, F, OH, OW) → dW: w_shape = (F, C/G, kh, kw)."""
    xp = backend.get_array_module(x, dy)
    (n, f), out, c, g = dy.shape[:2], dy.shape[2:], x.shape[1], geometry.groups
    dw = xp.zeros((g, f // g, c // g * math.prod(geometry.kernel)), dtype=dy.dtype)  # (G, F/G, C/G·kh·kw)
    for batch in batch_chunks(n, c * math.prod(geometry.kernel) * math.prod(out) * x.itemsize):
        chunk = batch.stop - batch.start
        col = im2col(x[batch], geometry.kernel, geometry.stride, geometry.pads, geometry.dilation, out)
        col_t = col.reshape(g, -1, chunk * math.prod(out)).transpose(0, 2, 1)  # (G, chunk·OH·OW, C/G·kh·kw)
        dy_matrix = dy[batch].swapaxes(0, 1).reshape(g, f // g, chunk * math.prod(out))  # (G, F/G, chunk·OH·OW)
        dw += dy_matrix @ col_t  # (G, F/G, C/G·kh·kw), the sum over this chunk's positions
    return dw.reshape(w_shape)


# ------------------------------------------------------------------ helpers

def _array_op(twinned_op, geometry):
    """The array product to run: through the dispatch seam in 2-D (a fast twin may run), the
    reference itself in 3-D (dispatch.for_spatial_dims)."""
    return for_spatial_dims(twinned_op, len(geometry.kernel))


def _per_channel(b, ndim):
    """A (C,) bias as (1, C, 1, 1) (or (1, C, 1, 1, 1)), to broadcast over an (N, C, ...) array."""
    return b.reshape((1, -1) + (1,) * (ndim - 2))


def _batch_and_spatial_axes(y):
    """(0, 2, 3) for (N, C, H, W): every axis but the channels."""
    return (0,) + tuple(range(2, y.ndim))


def _crop(y, hw):
    """With output_padding, a transposed conv's output has rows no window of the adjoint
    convolution reaches, so the adjoint yields a few more positions than existed: keep the real ones."""
    return y if tuple(y.shape[2:]) == tuple(hw) else y[(slice(None), slice(None)) + tuple(slice(0, size) for size in hw)]


def _check_4d(x, name, op_name):
    _check_ndim(x, 2, name, op_name)


def _check_ndim(x, dims, name, op_name):
    """x must have 2 + ``dims`` axes: (N, C, H, W) for dims = 2, (N, C, D, H, W) for dims = 3."""
    if x.ndim != dims + 2:
        layout = "(N, C, H, W)" if dims == 2 else "(N, C, D, H, W)"
        raise RuntimeError(f"{op_name}: expected a {dims + 2}-D {name} {layout}, got shape {x.shape}")


def _check_same_dtype(op_name, **tensors):
    (first_name, first), *others = [(k, v) for k, v in tensors.items() if v is not None]
    for name, tensor in others:
        if tensor.dtype != first.dtype:
            raise TypeError(f"{op_name}: {first_name} is {first.dtype} but {name} is {tensor.dtype}; convert one of them")


def _unbatched(x, op_name, dims=2):
    """Accept (C, H, W) (or (C, D, H, W)) like PyTorch by adding a batch dim (removed again on return)."""
    x = to_tensor(x)
    if x.ndim == dims + 1:
        return x.unsqueeze(0), True
    _check_ndim(x, dims, "input", op_name)
    return x, False
