"""gradcheck must catch wrong gradients and explain where."""
import pytest

import minidl
from minidl.autograd import Function
from minidl.testing import check_op


class WrongExp(Function):
    """exp whose backward forgets a factor of 2 on the last element."""

    def forward(self, x):
        import numpy as np

        return np.exp(x)

    def backward(self, gy):
        scale = minidl.ones(gy.shape, dtype=gy.dtype)
        scale.array.reshape(-1)[-1] = 2
        return gy * self.inputs[0].exp() * scale


class FrozenDerivativeSin(Function):
    """sin whose backward uses a raw array: right first derivative, wrong second derivative."""

    def forward(self, x):
        import numpy as np

        return np.sin(x)

    def backward(self, gy):
        import numpy as np

        return gy * np.cos(self.inputs[0].array)


def test_gradcheck_reports_input_element_and_values():
    x = minidl.randn(2, 2, dtype=minidl.float64, requires_grad=True)
    with pytest.raises(minidl.GradcheckError, match=r"inputs\[0\] \(shape \(2, 2\)\) at element \(1, 1\): numerical .* vs analytical"):
        minidl.gradcheck(lambda t: WrongExp()(t), [x])
    assert minidl.gradcheck(lambda t: WrongExp()(t), [x], raise_exception=False) is False


def test_gradcheck_refuses_float32_and_says_why():
    x = minidl.randn(3, requires_grad=True)
    with pytest.raises(ValueError, match="float32; finite differences need float64"):
        minidl.gradcheck(lambda t: t.exp(), [x])


def test_gradgradcheck_catches_non_differentiable_backward():
    x = minidl.randn(3, dtype=minidl.float64, requires_grad=True)
    assert minidl.gradcheck(lambda t: FrozenDerivativeSin()(t), [x])
    with pytest.raises(minidl.GradcheckError):
        minidl.gradgradcheck(lambda t: FrozenDerivativeSin()(t), [x])


def test_check_op_harness_in_one_line():
    check_op(lambda a, b: (a * b).sin(), [(2, 3), (3,)])
