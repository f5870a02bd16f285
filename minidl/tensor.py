"""``Tensor``: an n-dimensional array (NumPy or CuPy) that remembers how it was computed.

A tensor holds
  ``array``         the raw array (``numpy.ndarray`` or ``cupy.ndarray``) — minidl's own name,
                    for reading the numbers directly; ``.data`` is PyTorch's: a Tensor over
                    the same memory that autograd does not see,
  ``requires_grad`` whether gradients should flow to it,
  ``grad``          the accumulated gradient (a Tensor) after ``backward()``,
  ``creator``       the ``Function`` node that produced it (``None`` for leaves you create).

The operators and methods below only forward to ``minidl.functions``; the math lives there.
"""
import numpy as np

from . import backend, dtypes


def as_array(data, dtype=None, device=None):
    """Turn ``data`` (array, Tensor, nested lists, Python scalar) into an array on ``device``.

    Python floats become float32 and Python ints int64, as in PyTorch; arrays keep their dtype.
    """
    dtype = dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        array = data.array
    elif isinstance(data, np.ndarray) or backend.is_cupy_array(data) or isinstance(data, np.generic):
        array = data
    else:
        array = np.asarray(_unwrap_nested(data))
        if dtype is None:
            if array.dtype.kind == "f":
                array = array.astype(dtypes.DEFAULT_FLOAT)
            elif array.dtype.kind in "iu":
                array = array.astype(dtypes.DEFAULT_INT)
            elif array.dtype.kind not in "b":
                raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} of dtype {array.dtype}")
    if device is not None:
        array = backend.to_device(array, device)
    elif isinstance(array, np.generic):
        array = np.asarray(array)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def _unwrap_nested(data):
    """Lists may contain 0-d tensors (``[t.sum(), t.max()]``): take their arrays."""
    if isinstance(data, Tensor):
        return backend.to_device(data.array, "cpu")
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(item) for item in data]
    return data


def device_and_dtype(args, device=None, dtype=None):
    """Sort ``.to(...)``'s positional arguments into a device and a dtype (as PyTorch accepts them
    in any order: ``to("cuda")``, ``to(minidl.float64)``, ``to("cpu", minidl.float32)``, ``to(tensor)``)."""
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, backend.Device)) or (isinstance(arg, int) and not isinstance(arg, bool)):
            device = arg
        else:
            dtype = arg
    return device, dtype


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``minidl.Size([64, 10])`` (``torch.Size``).

    Differs on purpose: inside an f-string with no format spec it reads as a plain tuple,
    ``(64, 10)``, so that error messages (minidl's, and yours) stay short.
    """

    def __repr__(self):
        return f"minidl.Size({list(self)})"

    def __format__(self, format_spec):
        return tuple.__repr__(self) if not format_spec else format(str(self), format_spec)

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        count = 1
        for size in self:
            count *= size
        return count


class Tensor:
    """An n-dimensional array (NumPy on the CPU, CuPy on a GPU: ``tensor.array``) that can record
    the operations applied to it, so that ``backward()`` computes gradients (see docs/autograd.md).

    ``creator`` is the graph node that produced it (None for a leaf), ``grad`` the gradient
    accumulated by backward for a leaf that ``requires_grad``.
    """

    # NumPy must hand `ndarray * tensor` to Tensor.__rmul__ instead of looping over elements.
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        self.array = as_array(data, dtype, device)
        self.grad = None
        self.creator = None
        self.output_index = 0
        self._hooks = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, requires_grad):
        """Fast constructor for arrays produced inside minidl (no conversion, no checks)."""
        tensor = cls.__new__(cls)
        tensor.array = array
        tensor.grad = None
        tensor.creator = None
        tensor.output_index = 0
        tensor._hooks = None
        tensor._retains_grad = False
        tensor.requires_grad = requires_grad
        return tensor

    # ----------------------------------------------------------------- properties
    @property
    def dtype(self):
        return self.array.dtype

    @property
    def shape(self):
        """The sizes of the dimensions, as a ``minidl.Size`` (a tuple, like ``torch.Size``)."""
        return Size(self.array.shape)

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def device(self):
        return backend.device_of(self.array)

    @property
    def is_cuda(self):
        return backend.is_cupy_array(self.array)

    @property
    def is_leaf(self):
        return self.creator is None

    @property
    def grad_fn(self):
        return self.creator

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def dim(self):
        return self.array.ndim

    def size(self, dim=None):
        if dim is None:
            return Size(self.array.shape)
        return self.array.shape[dim]

    def numel(self):
        return int(self.array.size)

    def element_size(self):
        return self.array.itemsize

    def is_floating_point(self):
        return dtypes.is_floating(self.dtype)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    # ----------------------------------------------------------------- conversion
    def item(self):
        if self.array.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a Python number, got shape {self.shape}")
        backend.check_host_transfer(self.array, "item()")
        return self.array.reshape(()).item()

    def tolist(self):
        return backend.to_device(self.array, "cpu").tolist()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("numpy(): can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()")
        if self.is_cuda:
            raise TypeError(f"numpy(): the tensor is on {self.device}; copy it to the host first with .cpu()")
        return self.array

    def __array__(self, dtype=None, copy=None):
        array = backend.to_device(self.array, "cpu")
        return array if dtype is None else array.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.array.size} elements is ambiguous")
        return bool(self.item())

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
        """``t.to("cuda")``, ``t.to(minidl.float64)``, ``t.to("cpu", minidl.float32)``, ``t.to(other_tensor)``.

        Differentiable: gradients flow back to the original device and dtype.  ``copy=True`` returns a
        new tensor even when nothing changes; ``non_blocking`` and ``memory_format`` are accepted for
        PyTorch's scripts and have no effect (copies are synchronous; arrays are row-major).
        """
        device, dtype = device_and_dtype(args, device, dtype)
        result = self.clone() if copy else self
        if device is not None and backend.Device(device) != self.device:
            result = _F.to_device(result, device)
        if dtype is not None and dtypes.to_dtype(dtype) != result.dtype:
            result = _F.cast(result, dtype)
        return result

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else backend.Device("cuda", device))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def type(self, dtype):
        return self.to(dtype)

    # ----------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad=True):
        if requires_grad and not dtypes.is_floating(self.dtype):
            raise RuntimeError(f"requires_grad: only floating-point tensors can require gradients, got dtype {self.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same array, cut from the graph (no copy)."""
        return Tensor._wrap(self.array, False)

    @property
    def data(self):
        """PyTorch's ``.data``: a Tensor over the same memory, outside the graph, never requiring grad.

        Unlike ``detach()``, in-place writes through it are not counted (as in PyTorch, where
        ``.data`` does not share the version counter): ``p.data -= lr * p.grad.data`` updates a
        parameter without autograd checking it later.  That is why ``.data`` is discouraged in new
        code; ``with minidl.no_grad(): p -= lr * p.grad`` is the checked form.  Assigning
        ``t.data = other`` makes ``t`` hold ``other``'s array (shape and dtype may change).
        The raw NumPy/CuPy array itself is ``tensor.array``.
        """
        view = Tensor._wrap(self.array, False)
        view._untracked = True
        return view

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor to assign to .data, got {type(value).__name__} "
                            f"(the raw array is set with tensor.array = ...)")
        self.array = value.array

    def detach_(self):
        self.creator = None
        self.requires_grad = False
        return self

    def clone(self):
        return _F.clone(self)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see minidl.autograd)."""
        _autograd.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require gradient")
        if self.creator is not None:
            # Kept on the node that made this tensor (as PyTorch keeps it on grad_fn): the hook
            # must fire even if the user drops this Tensor object before backward.
            hooks = self.creator.__dict__.setdefault("output_hooks", {}).setdefault(self.output_index, {})
        else:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor too (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if not self.is_leaf:
            self._retains_grad = True

    # in-place methods (zero_, fill_, copy_, __setitem__, +=, add_, …) are installed by minidl/inplace.py

    # ----------------------------------------------------------------- printing
    def __repr__(self):
        body = np.array2string(
            backend.to_device(self.array, "cpu"), separator=", ", prefix="tensor(", precision=4, threshold=200
        )
        extras = []
        if self.is_cuda:
            extras.append(f"device='{self.device}'")
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool):
            extras.append(f"dtype=minidl.{self.dtype}")
        if self.creator is not None:
            extras.append(f"grad_fn=<{self.creator.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    __hash__ = object.__hash__

    def __format__(self, format_spec):
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``), as in PyTorch; others as ``str``."""
        if self.array.ndim == 0:
            return format(self.item(), format_spec)
        return object.__format__(self, format_spec)

    # ----------------------------------------------------------------- operators
    def __add__(self, other):
        return _F.add(self, other)

    def __radd__(self, other):
        return _F.add(other, self)

    def __sub__(self, other):
        return _F.sub(self, other)

    def __rsub__(self, other):
        return _F.sub(other, self)

    def __mul__(self, other):
        return _F.mul(self, other)

    def __rmul__(self, other):
        return _F.mul(other, self)

    def __truediv__(self, other):
        return _F.div(self, other)

    def __rtruediv__(self, other):
        return _F.div(other, self)

    def __pow__(self, other):
        return _F.pow(self, other)

    def __rpow__(self, other):
        return _F.pow(other, self)

    def __neg__(self):
        return _F.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _F.abs(self)

    def __matmul__(self, other):
        return _F.matmul(self, other)

    def __rmatmul__(self, other):
        return _F.matmul(other, self)

    def __eq__(self, other):
        return _F.eq(self, other)

    def __ne__(self, other):
        return _F.ne(self, other)

    def __lt__(self, other):
        return _F.lt(self, other)

    def __le__(self, other):
        return _F.le(self, other)

    def __gt__(self, other):
        return _F.gt(self, other)

    def __ge__(self, other):
        return _F.ge(self, other)

    def __invert__(self):
        return _F.bitwise_not(self)

    def __and__(self, other):
        return _F.bitwise_and(self, other)

    def __rand__(self, other):
        return _F.bitwise_and(other, self)

    def __or__(self, other):
        return _F.bitwise_or(self, other)

    def __ror__(self, other):
        return _F.bitwise_or(other, self)

    def __xor__(self, other):
        return _F.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _F.bitwise_xor(other, self)

    def __floordiv__(self, other):
        return _F.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _F.floor_divide(other, self)

    def __mod__(self, other):
        return _F.remainder(self, other)

    def __rmod__(self, other):
        return _F.remainder(other, self)

    def __getitem__(self, index):
        return _F.getitem(self, index)


def _method(name):
    def method(self, *args, **kwargs):
        return getattr(_F, name)(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Same as ``minidl.{name}(self, ...)``."
    return method


# Methods that simply call the functional form with the tensor as first argument.
TENSOR_METHODS = (
    "add sub mul div pow neg matmul exp log log1p sqrt rsqrt abs sin cos tanh sigmoid relu "
    "maximum minimum clamp clip sum mean prod max min amax amin argmax argmin var std "
    "logsumexp norm softmax log_softmax reshape view flatten transpose permute squeeze "
    "unsqueeze expand expand_as broadcast_to contiguous split chunk eq ne lt le gt ge "
    "sum_to_size view_as reshape_as square sign all any floor_divide remainder bitwise_and bitwise_or bitwise_xor "
    "bitwise_not mm bmm erf index_select logical_and logical_or logical_not gather scatter scatter_add "
    "t addmm argsort ceil cumsum dot flip floor frac isfinite isinf isnan masked_fill mv outer reciprocal repeat "
    "roll round sort topk trunc"
).split()
for _name in TENSOR_METHODS:
    setattr(Tensor, _name, _method(_name))

from . import autograd as _autograd  # noqa: E402  (circular: autograd needs Tensor)
from . import functions as _F  # noqa: E402
from . import inplace as _inplace  # noqa: E402

_inplace.install(Tensor)
from . import tensor_methods as _tensor_methods  # noqa: E402

_tensor_methods.install(Tensor)
