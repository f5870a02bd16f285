"""Matrix multiplication with NumPy's ``matmul`` rules: 1-D, 2-D, batched and broadcast.

For C = A @ B:  dA = dC @ Bᵀ  and  dB = Aᵀ @ dC, summed over any broadcast batch dims.
A 1-D operand is treated as a row (left) or column (right) vector and the extra dim dropped.
"""
import numpy as np

from .. import amp, backend
from ..autograd import Function
from ..tensor import Tensor
from ._utils import promote, to_tensor
from .shape import sum_to


class MatMul(Function):
    """y = a @ b;  da = gy @ bᵀ, db = aᵀ @ gy (batch dims summed back).

    Shapes: a: (..., n, k), b: (..., k, m) → y: (..., n, m), batch dims broadcast (1-D operands as in NumPy).
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        return xp.matmul(a, b)

    def backward(self, gy):
        a, b = self.inputs
        # Work with at least 2-D operands: a (n,) is the row (1, n), b (n,) the column (n, 1).
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        gy2 = gy.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(gy2 @ b2.mT, a2.shape).reshape(a.shape)
        if self.needs_input_grad[1]:
            grad_b = sum_to(a2.mT @ gy2, b2.shape).reshape(b.shape)
        return grad_a, grad_b


def matmul(input, other):
    """``input @ other``.  Shapes: (n,)@(n,) → (); (m, n)@(n, p) → (m, p); (..., m, n)@(..., n, p) → (..., m, p)."""
    a, b = promote(*amp.low_precision_inputs(input, other))
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dim, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise RuntimeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied ({inner_a} != {inner_b} in the inner dim)"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: batch dims of {a.shape} and {b.shape} cannot be broadcast together") from None
    return MatMul()(a, b)


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected two 3-D tensors, got shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2)


def _same_dtype(op_name, a, b):
    """dot and mv refuse mixed dtypes, as PyTorch does (matmul and outer promote)."""
    a, b = to_tensor(a), to_tensor(b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op_name}: expected both tensors to have the same dtype, but got {a.dtype} and {b.dtype}")
    return a, b


def _check_dims(op_name, **operands):
    for name, (tensor, ndim) in operands.items():
        if tensor.ndim != ndim:
            raise RuntimeError(f"{op_name}: {name} must be {ndim}-D, got shape {tuple(tensor.shape)}")


def dot(input, other):
    """Σ_i a_i b_i of two 1-D tensors of the same length.  Shapes: (n,), (n,) → ()."""
    a, b = _same_dtype("dot", input, other)
    _check_dims("dot", input=(a, 1), other=(b, 1))
    return matmul(a, b)


def mv(input, vec):
    """Matrix × vector.  Shapes: input (n, m), vec (m,) → (n,)."""
    a, v = _same_dtype("mv", input, vec)
    _check_dims("mv", input=(a, 2), vec=(v, 1))
    return matmul(a, v)


def outer(input, vec2):
    """out[i, j] = a_i · b_j.  Shapes: (n,), (m,) → (n, m)."""
    a, b = promote(input, vec2)
    _check_dims("outer", input=(a, 1), vec2=(b, 1))
    return a.reshape(-1, 1) * b.reshape(1, -1)


def addmm(input, mat1, mat2, beta=1, alpha=1):
    """beta · input + alpha · (mat1 @ mat2), input broadcast to the product's shape.

    As in PyTorch, a zero ``beta`` (or ``alpha``) drops its term entirely, so NaN or inf there does
    not leak into the result (0 · NaN would be NaN); a dropped term passes no gradient.
    Shapes: input broadcastable to (n, m), mat1 (n, k), mat2 (k, m) → (n, m).
    """
    input, mat1, mat2 = (to_tensor(t) for t in (input, mat1, mat2))
    _check_dims("addmm", mat1=(mat1, 2), mat2=(mat2, 2))
    shape = (mat1.shape[0], mat2.shape[1])
    if alpha == 0:
        product = Tensor._wrap(backend.get_array_module(mat1.array).zeros(shape, dtype=mat1.dtype), False)
    else:
        product = mm(mat1, mat2) if alpha == 1 else mm(mat1, mat2) * alpha
    if beta == 0:
        return product + Tensor._wrap(backend.get_array_module(product.array).zeros(shape, dtype=product.dtype), False)
    return product + (input if beta == 1 else input * beta)
