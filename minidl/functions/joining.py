"""Joining and splitting: ``cat stack split chunk pad``."""
import numpy as np

from .. import backend
from ..autograd import Function
from ._utils import accepts_axis, normalize_dim, promote, to_tensor


class Cat(Function):
    """y = the inputs concatenated along ``dim``;  each input's gradient is its slice of gy.

    Shapes: xs: shapes equal except along ``dim`` → y: their sizes along ``dim`` summed.
    """

    reads_inputs = False

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        xp = backend.get_array_module(*xs)
        return xp.concatenate(xs, axis=self.dim)

    def backward(self, gy):
        grads, start = [], 0
        for x in self.inputs:
            stop = start + x.shape[self.dim]
            slicer = (slice(None),) * self.dim + (slice(start, stop),)
            grads.append(gy[slicer])
            start = stop
        return tuple(grads)


@accepts_axis
def cat(tensors, dim=0):
    """Join tensors along ``dim``; all shapes equal except along ``dim``.  As PyTorch (a legacy
    rule), 1-D empty tensors of shape (0,) are skipped whatever the other shapes."""
    tensors = [to_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    kept = [t for t in tensors if t.shape != (0,)]
    if kept and len(kept) < len(tensors):
        tensors = kept
    first = tensors[0]
    dim = normalize_dim(dim, first.ndim, "cat")
    for position, t in enumerate(tensors):
        if t.ndim != first.ndim or t.shape[:dim] + t.shape[dim + 1:] != first.shape[:dim] + first.shape[dim + 1:]:
            raise RuntimeError(
                f"cat: tensors must have the same shape except in dim {dim}; tensor 0 has shape {first.shape}, "
                f"tensor {position} has shape {t.shape}"
            )
    if len({t.dtype for t in tensors}) > 1:
        target = tensors[0]
        for t in tensors[1:]:
            target, _ = promote(target, t)
        tensors = [t.to(target.dtype) for t in tensors]
    return Cat(dim)(*tensors)


concat = concatenate = cat


@accepts_axis
def stack(tensors, dim=0):
    tensors = [to_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    for position, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but tensor 0 has shape {tensors[0].shape} "
                f"and tensor {position} has shape {t.shape}"
            )
    dim = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


class Split(Function):
    """The input cut along ``dim`` into pieces of ``sizes``;  dx = the pieces' gradients concatenated.

    Shapes: x: any shape → pieces: x's shape with ``sizes[i]`` along ``dim``.
    """

    reads_inputs = False
    returns_view = True  # the output shares the input's memory

    def __init__(self, sizes, dim):
        self.sizes, self.dim = sizes, dim

    def forward(self, x):
        pieces, start = [], 0
        for size in self.sizes:
            slicer = (slice(None),) * self.dim + (slice(start, start + size),)
            pieces.append(x[slicer])
            start += size
        return tuple(pieces)

    def backward(self, *grads):
        return cat(grads, self.dim)


@accepts_axis
def split(tensor, split_size_or_sections, dim=0):
    """Cut into pieces of ``split_size`` (the last may be smaller) or of the listed sizes."""
    x = to_tensor(tensor)
    dim = normalize_dim(dim, x.ndim, "split")
    length = x.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
        sizes = sizes or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length:
            raise ValueError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} has size {length}")
    return Split(sizes, dim)(x)


@accepts_axis
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size ``ceil(n / chunks)`` (the last may be smaller)."""
    x = to_tensor(input)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    dim = normalize_dim(dim, x.ndim, "chunk")
    size = max(-(-x.shape[dim] // chunks), 1)
    return split(x, size, dim)


class ConstantPad(Function):
    """y = x surrounded by ``value``;  dx = the centre of gy.

    Shapes: x: any shape → y: each axis longer by its (before, after) widths.
    """

    reads_inputs = False

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        xp = backend.get_array_module(x)
        shape = tuple(n + before + after for n, (before, after) in zip(x.shape, self.widths))
        out = xp.full(shape, self.value, dtype=x.dtype)
        out[self._centre(x.shape)] = x
        return out

    def _centre(self, shape):
        return tuple(slice(before, before + n) for n, (before, _) in zip(shape, self.widths))

    def backward(self, gy):
        return gy[self._centre(self.inputs[0].shape)]


def pad(input, pad, mode="constant", value=0.0):
    """Pad the last dims: ``pad = (left, right)`` for the last dim, then ``(top, bottom)`` for the
    one before, and so on (``torch.nn.functional.pad``'s order).

    mode: 'constant' (``value``), 'reflect' (mirror without repeating the edge; each width must be
    smaller than the dim), 'replicate' (repeat the edge), 'circular' (wrap around; width ≤ dim).
    Negative widths crop.  The non-constant modes gather indices, so their gradient adds up every
    copy of a pixel.
    """
    x = to_tensor(input)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of at most {2 * x.ndim} values, got {tuple(pad)}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    crop = tuple(slice(max(0, -before), n - max(0, -after)) for n, (before, after) in zip(x.shape, widths))
    if any(before < 0 or after < 0 for before, after in widths):  # negative padding crops first
        x = x[crop]
        widths = [(max(0, before), max(0, after)) for before, after in widths]
    if mode == "constant":
        return ConstantPad(tuple(widths), value)(x) if any(b or a for b, a in widths) else x
    for axis, (before, after) in enumerate(widths):
        if before or after:
            x = x.index_select(axis, _pad_indices(x.shape[axis], before, after, mode, axis))
    return x


def _pad_indices(n, before, after, mode, axis):
    """Which source index each padded position copies, along one axis of size n."""
    positions = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(positions, 0, n - 1)
    if mode == "circular":
        if before > n or after > n:
            raise ValueError(f"pad: circular padding of ({before}, {after}) is larger than dim {axis} of size {n}")
        return positions % n
    if before >= n or after >= n:
        raise ValueError(f"pad: reflect padding of ({before}, {after}) must be smaller than dim {axis} of size {n}")
    period = 2 * (n - 1) if n > 1 else 1
    folded = np.abs(positions) % period
    return np.where(folded < n, folded, period - folded)