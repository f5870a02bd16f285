"""In-place arithmetic on tensors: ``x += y``, ``x -= y``, ``x *= y``, ``x /= y``, ``x **= y``, …

Python's augmented operators modify the tensor in place, as in PyTorch (without ``__iadd__``
Python would silently rebind ``w`` to a new tensor, and a hand-written ``w -= lr * w.grad`` would
never update the parameter).  The rules are PyTorch's:

- Outside the graph (``no_grad()``, or nothing involved requires grad) the result is written into
  the tensor's memory; its views see it; its version counter is bumped (versions.py), so a node
  that saved it raises at backward instead of using the new values (writes through ``.data`` are
  not counted, as in PyTorch).
- A leaf that requires grad cannot be changed in place while recording (RuntimeError): update
  parameters under ``no_grad()``.
- Recording, on a tensor inside the graph (``out += identity`` in a residual block): the op is
  recorded on a copy of the old value, the result is written into the tensor, and the tensor
  becomes the op's output (nodes recorded earlier keep their edge to the old value).  On a *view*
  of another tensor (``x[1:] += 1``) that would not reach the base's gradient: it raises instead.
- The result must keep the tensor's shape (no broadcasting the destination) and its dtype must
  cast to the tensor's dtype within the same kind (an int tensor cannot take a float result).
"""
import weakref

import numpy as np

from . import autograd, backend, functions, versions
from .functions import indexing
from .functions._utils import check_fits
from .tensor import Tensor, as_array

SYMBOLS = {"add": "+=", "sub": "-=", "mul": "*=", "div": "/=", "pow": "**=", "floor_divide": "//=",
           "remainder": "%=", "bitwise_and": "&=", "bitwise_or": "|=", "bitwise_xor": "^="}


def check_leaf(tensor, op_name):
    """RuntimeError for an in-place change of a leaf that requires grad while recording."""
    if autograd.is_grad_enabled() and tensor.requires_grad and tensor.is_leaf:
        raise RuntimeError(
            f"{op_name}: a leaf tensor that requires grad is being used in an in-place operation while "
            "recording; update it under `with minidl.no_grad():` (as an optimizer step does)")


def bump(tensor):
    """Count one in-place write into ``tensor``'s memory — unless it came through ``.data``, which
    PyTorch leaves uncounted (tensor.py)."""
    if not getattr(tensor, "_untracked", False):
        versions.bump(tensor.array)


def write(tensor, array, op_name):
    """tensor's memory ← array (same shape, a dtype that casts within its kind); bumps the version."""
    if tuple(array.shape) != tuple(tensor.shape):
        raise RuntimeError(f"{op_name}: the result has shape {tuple(array.shape)}, which doesn't match the shape "
                           f"{tuple(tensor.shape)} of the tensor modified in place")
    if not np.can_cast(array.dtype, tensor.dtype, casting="same_kind"):
        raise RuntimeError(f"{op_name}: result type {array.dtype} can't be cast to the desired output type "
                           f"{tensor.dtype} of the tensor modified in place")
    backend.check_same_device([tensor.array, array], op_name)
    tensor.array[...] = array
    bump(tensor)


def apply(tensor, function_name, *args, **kwargs):
    """``tensor <op>= other``, or ``tensor.relu_()``: compute ``function_name(tensor, *args, **kwargs)``
    (a function of minidl.functions) and store the result into ``tensor``."""
    op = getattr(functions, function_name)
    op_name = f"{SYMBOLS.get(function_name, function_name)} (in place)"
    recording = autograd.is_grad_enabled() and (
        tensor.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args))
    if not recording:
        with autograd.no_grad():
            result = op(tensor.detach(), *args, **kwargs)
        write(tensor, result.array, op_name)
        return tensor
    check_leaf(tensor, op_name)
    if getattr(tensor, "_is_view", False):
        raise RuntimeError(
            f"{op_name}: this tensor is a view (indexing, reshape, transpose, chunk…) of another tensor's memory, and "
            "minidl does not record in-place operations on views while recording: the base tensor's gradient would "
            "miss it (PyTorch rewrites the base's graph). Compute it out of place (y = x * 2, minidl.cat, where), or "
            "modify the base tensor itself")
    old = Tensor._wrap(tensor.array.copy(), tensor.requires_grad)  # the value before, kept for backward
    old.creator, old.output_index = tensor.creator, tensor.output_index
    if tensor.creator is not None:
        tensor.creator.output_refs[tensor.output_index] = weakref.ref(old)
    result = op(old, *[old if a is tensor else a for a in args], **kwargs)
    if result.dtype != tensor.dtype:
        result = result.to(tensor.dtype)
    write(tensor, result.array, op_name)
    tensor.creator, tensor.output_index, tensor.requires_grad = result.creator, result.output_index, True
    result.creator.output_refs[result.output_index] = weakref.ref(tensor)
    return tensor


# ------------------------------------------------------------------ the Tensor methods


def _check_inplace(self, name):
    check_leaf(self, name)
    if self.requires_grad and autograd.is_grad_enabled():
        raise RuntimeError(f"{name}: minidl does not record {name} on a tensor inside the graph; compute the new "
                           "value out of place (minidl.where, cat, arithmetic) or run it under minidl.no_grad()")


def zero_(self):
    self._check_inplace("zero_")
    self.array[...] = 0
    bump(self)
    return self


def fill_(self, value):
    self._check_inplace("fill_")
    if not isinstance(value, Tensor):
        check_fits(value, self.dtype, "fill_")
    self.array[...] = value.item() if isinstance(value, Tensor) else value
    bump(self)
    return self


def copy_(self, source):
    self._check_inplace("copy_")
    source = source.array if isinstance(source, Tensor) else as_array(source)
    if backend.device_of(source) != self.device:
        raise backend.DeviceMismatchError(f"copy_: source is on {backend.device_of(source)}, destination on {self.device}")
    xp = backend.get_array_module(self.array)
    self.array[...] = xp.broadcast_to(source, self.shape)
    bump(self)
    return self


def __setitem__(self, index, value):
    self._check_inplace("__setitem__")
    if isinstance(value, Tensor):
        if value.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError("__setitem__: minidl does not record assigning a tensor that requires grad into "
                               "another; build the result out of place (minidl.cat, stack, where)")
        value = value.array
    index = functions.index_to_arrays(index)
    steps = indexing.split_integer_index(index)
    if steps is None:
        self.array[index] = value
    else:  # PyTorch's placement: integers select first (a view), then the index arrays
        self.array[steps[0]][steps[1]] = value
    bump(self)


def _version(self):
    """How many in-place writes this tensor's memory has seen (shared with its views)."""
    return versions.version(self.array)


def add_(self, other, alpha=1):
    """self += alpha · other, in place."""
    return apply(self, "add", other if alpha == 1 else other * alpha)


def sub_(self, other, alpha=1):
    """self −= alpha · other, in place."""
    return apply(self, "sub", other if alpha == 1 else other * alpha)


def mul_(self, other):
    return apply(self, "mul", other)


def div_(self, other):
    return apply(self, "div", other)


def pow_(self, exponent):
    return apply(self, "pow", exponent)


def clamp_(self, min=None, max=None):
    return apply(self, "clamp", min, max)


def relu_(self):
    return apply(self, "relu")


def neg_(self):
    return apply(self, "neg")


_OPERATORS = {"__iadd__": "add", "__isub__": "sub", "__imul__": "mul", "__itruediv__": "div", "__ipow__": "pow",
              "__ifloordiv__": "floor_divide", "__imod__": "remainder", "__iand__": "bitwise_and",
              "__ior__": "bitwise_or", "__ixor__": "bitwise_xor"}  # Python's x op= y → apply(x, function, y)


def _operator(function_name):
    def method(self, other):
        return apply(self, function_name, other)

    method.__doc__ = f"``self {SYMBOLS[function_name]} other``, in place."
    return method


def install(cls):
    """Give the Tensor class the in-place methods and operators defined above."""
    for name in ("_check_inplace", "zero_", "fill_", "copy_", "__setitem__", "add_", "sub_", "mul_", "div_",
                 "pow_", "clamp_", "relu_", "neg_"):
        setattr(cls, name, globals()[name])
    for name, function_name in _OPERATORS.items():
        setattr(cls, name, _operator(function_name))
    cls._version = property(_version, doc=_version.__doc__)
