"""Copies between dtypes and devices, and plain copies.  Gradients travel back the same way."""
from .. import backend, dtypes
from ..autograd import Function
from ._utils import to_tensor


class Cast(Function):
    """y = x converted to ``dtype``; the gradient is converted back to x's dtype.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.x_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.to(self.x_dtype)


def cast(x, dtype):
    x = to_tensor(x)
    dtype = dtypes.to_dtype(dtype)
    if x.dtype == dtype:
        return x
    if x.requires_grad and not dtypes.is_floating(dtype):
        return Cast(dtype)(x.detach())  # integer results never carry gradients
    return Cast(dtype)(x)


class ToDevice(Function):
    """y = x copied to another device; the gradient is copied back.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def __init__(self, device):
        self.device = backend.Device(device)

    def forward(self, x):
        self.x_device = backend.device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, gy):
        return gy.to(self.x_device)


def to_device(x, device):
    x = to_tensor(x)
    # The mixing check in Function.__call__ does not apply: moving is the point of this op.
    return ToDevice(device)(x)


class Clone(Function):
    """A copy with its own memory; gradient passes unchanged.

    Shapes: x: any shape → y: the same shape.
    """

    reads_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(x):
    return Clone()(to_tensor(x))
