"""Tensor methods PyTorch scripts use that are not one function call with the tensor first:
``x.where(cond, y)``, ``x.type_as(y)``, ``x.new_zeros(shape)``…, in-place random fills
(``w.data.normal_(0, 0.01)``, as older initialisation code writes), in-place versions of unary
functions (``x.sigmoid_()``), and a few size queries (``nelement``, ``ndimension``, ``stride``).
"""

from . import creation, dtypes, functions, inplace



def where(self, condition, other):
    """``x.where(condition, y)`` is ``minidl.where(condition, x, y)`` (PyTorch's argument order)."""
    return functions.where(condition, self, other)


def type_as(self, other):
    """This tensor in ``other``'s dtype."""
    return self.to(other.dtype)


def _like(self, dtype, device):
    return {"dtype": self.dtype if dtype is None else dtype, "device": self.device if device is None else device}


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    """Zeros of ``size`` with this tensor's dtype and device (unless given)."""
    return creation.zeros(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return creation.ones(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return creation.empty(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, requires_grad=requires_grad, **_like(self, dtype, device))


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """A new tensor (a copy) of ``data`` with this tensor's dtype and device (unless given)."""
    return creation.tensor(data, requires_grad=requires_grad, **_like(self, dtype, device))


def _random_fill(self, name, floating_only=True):
    """The checks before an in-place random fill; the fill itself is nn.init's (one mechanism)."""
    if floating_only and not dtypes.is_floating(self.dtype):
        raise NotImplementedError(f"{name}: not implemented for dtype {self.dtype} (a floating-point tensor is needed)")
    self._check_inplace(name)
    from .nn import init  # (minidl.nn is imported after Tensor is built)

    return init


def uniform_(self, from_=0.0, to=1.0, **kwargs):
    """Fill with U(from, to) draws, in place (``from`` is a Python keyword: pass it positionally, as
    ``from_=``, or as PyTorch scripts do with ``**{"from": a}``)."""
    from_ = kwargs.pop("from", from_)
    if kwargs:
        raise TypeError(f"uniform_: unexpected keyword arguments {sorted(kwargs)}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    return _random_fill(self, "uniform_").uniform_(self, from_, to)


def normal_(self, mean=0.0, std=1.0):
    """Fill with N(mean, std²) draws, in place."""
    if std < 0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
    return _random_fill(self, "normal_").normal_(self, mean, std)


def bernoulli_(self, p=0.5):
    """Fill with 1 (probability p) or 0, in place (any dtype, as in PyTorch)."""
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    init = _random_fill(self, "bernoulli_", floating_only=False)
    return init.fill_with(self, lambda rng, shape: rng.random(shape) < p)


def nelement(self):
    return self.numel()


def ndimension(self):
    return self.ndim


def is_contiguous(self):
    """True when the elements lie in row-major order without gaps (the array is C-contiguous)."""
    return bool(self.array.flags.c_contiguous)


def stride(self, dim=None):
    """Steps in elements (not bytes, unlike NumPy's ``strides``) between neighbours along each dim."""
    steps = tuple(s // self.array.itemsize for s in self.array.strides)
    return steps if dim is None else steps[dim]


_INPLACE_UNARY = "sigmoid tanh exp log sqrt abs floor ceil round trunc reciprocal sign".split()


def _inplace_unary(function_name):
    def method(self, *args, **kwargs):
        return inplace.apply(self, function_name, *args, **kwargs)

    method.__name__ = function_name + "_"
    method.__doc__ = f"``self ← {function_name}(self)``, in place."
    return method


def masked_fill_(self, mask, value):
    return inplace.apply(self, "masked_fill", mask, value)


def install(cls):
    for function in (where, type_as, new_zeros, new_ones, new_empty, new_full, new_tensor, uniform_, normal_,
                     bernoulli_, nelement, ndimension, is_contiguous, stride, masked_fill_):
        setattr(cls, function.__name__, function)
    for name in _INPLACE_UNARY:
        setattr(cls, name + "_", _inplace_unary(name))


