"""Arithmetic with NumPy broadcasting: ``+ - * / ** neg``.

Broadcasting repeats an operand along some dims, so its gradient must be summed back over
those dims: every binary op's backward ends with ``sum_to(grad, input.shape)``.
"""
import numpy as np

from .. import backend, dtypes
from ..autograd import Function
from ..tensor import Tensor
from ._utils import promote, to_tensor
from .compare import where
from .shape import sum_to


def _broadcast_error(op_name, a, b):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(
            f"{op_name}: the shapes of the operands, {a.shape} and {b.shape}, cannot be broadcast together"
        ) from None


class Add(Function):
    """y = a + b;  da = gy, db = gy (each summed back to its shape).

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    reads_inputs = False

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        a, b = self.inputs
        return sum_to(gy, a.shape), sum_to(gy, b.shape)


class Sub(Function):
    """y = a - b;  da = gy, db = -gy.

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    reads_inputs = False

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        a, b = self.inputs
        return sum_to(gy, a.shape), sum_to(-gy, b.shape)


class Mul(Function):
    """y = a * b;  da = gy * b, db = gy * a.

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    reads_inputs = "bilinear"  # each of the two is read only for the other's gradient

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        grad_a = sum_to(gy * b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(gy * a, b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """y = a / b;  da = gy / b, db = -gy * a / b².

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    def forward(self, a, b):
        return a / b

    def backward(self, gy):
        a, b = self.inputs
        grad_a = sum_to(gy / b, a.shape) if self.needs_input_grad[0] else None
        grad_b = sum_to(-gy * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Pow(Function):
    """y = a ** b;  da = gy · b · a^(b-1),  db = gy · a^b · log(a).

    At the singular points the formulas would evaluate 0·∞; PyTorch's values are used instead:
    da = 0 where b = 0 (a⁰ = 1 is constant, also at a = 0), db = 0 where a = 0 and b ≥ 0.

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    saves_outputs = True

    def forward(self, a, b):
        xp = backend.get_array_module(a, b)
        if a.dtype.kind in "iub" and b.dtype.kind in "iu" and bool((b < 0).any()):
            a = a.astype(np.result_type(a, b))
            # integer a to a negative power: PyTorch truncates 1/a^|b| to 0, except for a = ±1
            ones = xp.where(a == 1, 1, xp.where(a == -1, xp.where(b % 2 == 0, 1, -1), 0)).astype(a.dtype)
            return xp.where(b < 0, ones, a ** xp.maximum(b, 0))
        return a ** b

    def backward(self, gy):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(where(b.array == 0, 0.0, gy * b * a ** (b - 1)), a.shape)
        if self.needs_input_grad[1]:
            # d/db a^b = a^b log a; taken as 0 where a == 0, as PyTorch does (log 1 = 0 there).
            safe_a = where(a.array == 0, 1, a)
            grad_b = sum_to(gy * self.output() * safe_a.log(), b.shape)
        return grad_a, grad_b


class Neg(Function):
    """y = -x;  dx = -gy.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


def _binary(op_class, op_name, a, b):
    a, b = promote(a, b)
    if a.shape != b.shape:
        _broadcast_error(op_name, a, b)
    if a.dtype == dtypes.bool and op_class in (Sub,):
        raise TypeError(f"{op_name}: subtraction of bool tensors is not supported; use logical_xor")
    return op_class()(a, b)


def add(input, other, alpha=1):
    """``input + alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, "add", input, other)


def _no_bool(op_text, *operands):
    for value in operands:
        if isinstance(value, bool) or (isinstance(value, Tensor) and value.dtype == dtypes.bool):
            raise RuntimeError(f"{op_text} with a bool tensor is not supported (as in PyTorch); to invert a mask "
                               "use ~ or logical_not()")


def sub(input, other, alpha=1):
    """``input - alpha * other`` with broadcasting.  Raises RuntimeError for bool operands (PyTorch's rule)."""
    _no_bool("subtraction, the - operator,", input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Sub, "sub", input, other)


def mul(input, other):
    return _binary(Mul, "mul", input, other)


def div(input, other):
    """True division; integer inputs give the default float dtype (as in PyTorch)."""
    input, other = promote(input, other)
    if not dtypes.is_floating(input.dtype):
        input, other = input.to(dtypes.DEFAULT_FLOAT), other.to(dtypes.DEFAULT_FLOAT)
    return _binary(Div, "div", input, other)


def pow(input, exponent):
    """input ** exponent with PyTorch's dtype rules: an integer tensor to a negative Python int raises,
    to negative integer tensor entries gives 1/a^|b| truncated (0 except for a = ±1)."""
    if isinstance(input, Tensor) and not dtypes.is_floating(input.dtype) and isinstance(exponent, int) \
            and not isinstance(exponent, bool) and exponent < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    if isinstance(input, Tensor) and input.dtype == dtypes.bool:
        if isinstance(exponent, Tensor) and exponent.dtype == dtypes.bool:
            raise TypeError("pow: not implemented for two bool tensors (as in PyTorch)")
        if isinstance(exponent, bool):
            return _binary(Pow, "pow", input.long(), int(exponent)).to(dtypes.bool)
    return _binary(Pow, "pow", input, exponent)


def neg(input):
    """−input.  Raises RuntimeError for a bool tensor (PyTorch's rule: use ~ to invert a mask)."""
    _no_bool("negation, the - operator,", input)
    return Neg()(to_tensor(input))


def square(input):
    return mul(input, input)
