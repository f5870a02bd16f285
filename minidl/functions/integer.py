"""Floor division, remainder and bitwise operators: ``//``, ``%``, ``&``, ``|``, ``^``, ``~``.

Operands are promoted with PyTorch's rules (``int_tensor // 2`` stays int64, ``int_tensor // 2.5``
is float).  Division rounds towards −∞ and the remainder takes the divisor's sign, as in Python
and PyTorch: ``tensor([-3, -1, 1, 3]) // 2 == [-2, -1, 0, 1]`` and ``% 2 == [1, 1, 1, 1]``.
"""
from .. import backend, dtypes
from ..autograd import Function
from ._utils import promote, to_tensor
from .shape import sum_to


class FloorDivide(Function):
    """y = ⌊a / b⌋.  Piecewise constant: no gradient flows (PyTorch does not differentiate it either).

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape.
    """

    differentiable = False

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        if not dtypes.is_floating(a.dtype) and bool((b == 0).any()):
            raise ZeroDivisionError("floor_divide: integer division by zero")
        return xp.floor_divide(a, b)


class Remainder(Function):
    """y = a − ⌊a / b⌋·b (the sign of b);  da = gy,  db = −⌊a / b⌋·gy.

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        if not dtypes.is_floating(a.dtype) and bool((b == 0).any()):
            raise ZeroDivisionError("remainder: integer division by zero")
        return xp.remainder(a, b)

    def backward(self, gy):
        a, b = self.inputs
        xp = backend.get_array_module(a.array)
        grad_a = sum_to(gy, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(gy * -xp.floor_divide(a.array, b.array), b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Bitwise(Function):
    """y = a & b, a | b, a ^ b (or ~a) elementwise on integer or bool tensors; no gradient.

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape.
    """

    differentiable = False

    def __init__(self, ufunc_name):
        self.ufunc_name = ufunc_name

    def forward(self, *arrays):
        xp = backend.get_array_module(*arrays)
        return getattr(xp, self.ufunc_name)(*arrays)


def _numeric(op_name, input, other):
    a, b = promote(input, other)
    if a.dtype == dtypes.bool and b.dtype == dtypes.bool:
        raise TypeError(f"{op_name}: not implemented for bool tensors (as in PyTorch); convert them with .long()")
    if a.dtype != b.dtype:  # a bool operand takes the other's dtype
        a, b = (a.to(b.dtype), b) if a.dtype == dtypes.bool else (a, b.to(a.dtype))
    return a, b


def floor_divide(input, other):
    """⌊input / other⌋ elementwise (rounding towards −∞), PyTorch's ``//``."""
    return FloorDivide()(*_numeric("floor_divide", input, other))


def remainder(input, other):
    """input − ⌊input / other⌋·other, with the sign of ``other`` (Python's and PyTorch's ``%``)."""
    return Remainder()(*_numeric("remainder", input, other))


def _bitwise(ufunc_name, op_name, *operands):
    operands = promote(*operands) if len(operands) == 2 else (to_tensor(operands[0]),)
    for tensor in operands:
        if dtypes.is_floating(tensor.dtype):
            raise TypeError(f"{op_name}: expected integer or bool tensors, got {tensor.dtype}")
    return Bitwise(ufunc_name)(*operands)


def bitwise_and(input, other):
    """input & other (logical 'and' for bool tensors)."""
    return _bitwise("bitwise_and", "bitwise_and", input, other)


def bitwise_or(input, other):
    """input | other (logical 'or' for bool tensors)."""
    return _bitwise("bitwise_or", "bitwise_or", input, other)


def bitwise_xor(input, other):
    """input ^ other (logical 'xor' for bool tensors)."""
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


def bitwise_not(input):
    """~input: every bit flipped (logical 'not' for bool tensors)."""
    return _bitwise("invert", "bitwise_not", input)
