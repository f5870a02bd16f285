"""Arithmetic with NumPy broadcasting: ``+ - * / ** neg``.

Broadcasting repeats an operand along some dims, so its gradient must be summed back over
those dims: every binary op's backward ends with ``sum_to(grad, input.shape)``.
"""
import numpy as np

from .. import dtypes
from ..autograd import Function
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

    Shapes: a, b: shapes that broadcast together → y: the broadcast shape;
    da, db summed back to a's and b's shapes.
    """

    saves_outputs = True

    def forward(self, a, b):
        return a ** b

    def backward(self, gy):
        a, b = self.inputs
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = sum_to(gy * b * a ** (b - 1), a.shape)
        if self.needs_input_grad[1]:
            # d/db a^b = a^b log a; taken as 0 where a == 0, as PyTorch does (log 1 = 0 there).
            safe_a = where(a.data == 0, 1, a)
            grad_b = sum_to(gy * self.output() * safe_a.log(), b.shape)
        return grad_a, grad_b


class Neg(Function):
    """y = -x;  dx = -gy.

    Shapes: x: any shape → y: the same shape.
    """

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


def sub(input, other, alpha=1):
    """``input - alpha * other`` with broadcasting."""
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
    return _binary(Pow, "pow", input, exponent)


def neg(input):
    return Neg()(to_tensor(input))


def square(input):
    return mul(input, input)
