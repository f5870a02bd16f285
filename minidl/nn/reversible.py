"""Reversible blocks (Gomez, Ren, Urtasun & Grosse 2017, "The reversible residual network:
Backpropagation without storing activations", NeurIPS; arXiv:1707.04585).

A residual block's input cannot be recovered from its output, so backpropagation must keep every
block's activations: memory grows with depth.  A *reversible* block splits the channels in two
halves and updates each with a residual function of the other (eq. 1–2 of the paper):

    y1 = x1 + F(x2)               x2 = y2 − G(y1)
    y2 = x2 + G(y1)       ⇔       x1 = y1 − F(x2)

so the input is a function of the output.  ``ReversibleSequence`` uses that during backward
(Algorithm 1): it keeps only the *last* output, and walking the blocks backwards it recomputes
each block's input from its output, re-runs F and G on the recovered values to get their local
gradients, and passes the gradient on — the activation memory of a whole stack is one block's,
whatever the depth, at the price of one more forward computation.  ``ReversibleBlock`` alone is an
ordinary module (it keeps its graph); use it inside a ``ReversibleSequence`` to save memory.

Limits, as in the paper: F and G must be deterministic (no dropout; the recomputation must see
the same function), and the recovered inputs carry float rounding (≈1e-7 relative in float32 per
block).  BatchNorm in train mode works: the recomputation uses the same batch statistics, and the
running statistics it would update a second time are restored.  Higher-order gradients
(``create_graph=True``) through a ``ReversibleSequence`` are not supported.
"""
from .. import autograd
from ..autograd import Function, enable_grad, no_grad
from ..functions.joining import cat
from ..tensor import Tensor
from .containers import ModuleList
from .module import Module


def _halves(x, name):
    if x.ndim < 2 or x.shape[1] % 2:
        raise ValueError(f"{name}: expected input of shape (N, C, *) with an even number of channels C, "
                         f"got shape {tuple(x.shape)}")
    return x.chunk(2, 1)


class ReversibleBlock(Module):
    """y = cat(x1 + F(x2), x2 + G(y1)) with (x1, x2) = the two channel halves of x.

    ``f`` and ``g`` are Modules mapping (N, C/2, *) → (N, C/2, *).  Shapes: x (N, C, *) → (N, C, *).
    ``inverse(y)`` recovers x.  Raises ValueError for an odd channel count.
    """

    def __init__(self, f, g):
        super().__init__()
        self.f, self.g = f, g

    def forward(self, x):
        x1, x2 = _halves(x, "ReversibleBlock")
        y1 = x1 + self.f(x2)
        return cat([y1, x2 + self.g(y1)], 1)

    def inverse(self, y):
        """x from y = forward(x), without a graph: x2 = y2 − G(y1), x1 = y1 − F(x2)."""
        with no_grad():
            y1, y2 = _halves(y, "ReversibleBlock.inverse")
            x2 = y2 - self.g(y1)
            return cat([y1 - self.f(x2), x2], 1)

    def backward_from_output(self, y, dy):
        """One step of Algorithm 1: from the output y and the gradient dy = ∂L/∂y, recompute the
        input x and return (x, ∂L/∂x, {parameter: ∂L/∂parameter}) — nothing of the forward pass kept."""
        y1, y2 = (t.detach() for t in _halves(y, "ReversibleBlock"))
        dy1, dy2 = dy.chunk(2, 1)
        saved = [(buffer, buffer.array.copy()) for buffer in self.buffers()]
        grads = {}
        # G: y2 = x2 + G(y1), so ∂L/∂y1 gets G's vector-Jacobian product on top of dy1
        z1, g_params = y1.requires_grad_(), [p for p in self.g.parameters() if p.requires_grad]
        with enable_grad():
            g_out = self.g(z1)
        dz1, *g_grads = autograd.grad(g_out, [z1] + g_params, dy2, allow_unused=True)
        dz1 = dy1 + dz1
        x2 = (y2 - g_out.detach()).requires_grad_()
        # F: y1 = x1 + F(x2), so ∂L/∂x2 = dy2 + F's vector-Jacobian product of dz1
        f_params = [p for p in self.f.parameters() if p.requires_grad]
        with enable_grad():
            f_out = self.f(x2)
        dx2, *f_grads = autograd.grad(f_out, [x2] + f_params, dz1, allow_unused=True)
        for param, grad in zip(g_params + f_params, g_grads + f_grads):
            if grad is not None:
                grads[param] = grad if param not in grads else grads[param] + grad
        for buffer, array in saved:  # the recomputation must not move BatchNorm's running statistics again
            buffer.array[...] = array
        x = cat([y1 - f_out.detach(), x2.detach()], 1)
        return x, cat([dz1, dy2 + dx2], 1).detach(), grads


class _ReversibleFunction(Function):
    """The whole stack as one graph node: inputs (x, *parameters), output y; saves only y.

    Shapes: x: (N, C, …) → y: the same shape (each reversible block keeps its input's shape).
    """

    saves_outputs = True
    reads_inputs = False  # backward rebuilds x from y: it never reads the inputs

    def __init__(self, blocks, params):
        self.blocks, self.params = blocks, params

    def forward(self, x, *param_arrays):
        with no_grad():
            h = Tensor._wrap(x, False)
            for block in self.blocks:
                h = block(h)
        return h.array

    def backward(self, gy):
        y, dy = self.output(0).detach(), gy.detach()
        grads = {}
        for block in reversed(self.blocks):
            y, dy, block_grads = block.backward_from_output(y, dy)
            for param, grad in block_grads.items():
                grads[param] = grad if param not in grads else grads[param] + grad
        return (dy,) + tuple(grads.get(param) for param in self.params)


class ReversibleSequence(Module):
    """``ReversibleBlock``s applied in order, backpropagated by recomputation (Algorithm 1 of
    Gomez et al. 2017): the graph keeps one output array for the whole stack instead of every
    block's activations.  Shapes: (N, C, *) → (N, C, *).

    Without gradients (``no_grad`` or nothing requiring grad) it runs the blocks plainly.
    ``blocks`` are indexable like a ModuleList (``seq.blocks[0]``).
    """

    def __init__(self, *blocks):
        super().__init__()
        if not all(isinstance(b, ReversibleBlock) for b in blocks):
            kinds = sorted({type(b).__name__ for b in blocks if not isinstance(b, ReversibleBlock)})
            raise TypeError(f"ReversibleSequence: every block must be a ReversibleBlock, got {kinds}")
        self.blocks = ModuleList(blocks)

    def forward(self, x):
        params = [p for p in self.parameters() if p.requires_grad]
        if not autograd.is_grad_enabled() or not (x.requires_grad or params):
            for block in self.blocks:
                x = block(x)
            return x
        _halves(x, "ReversibleSequence")
        return _ReversibleFunction(list(self.blocks), params)(x, *params)

    def __len__(self):
        return len(self.blocks)
