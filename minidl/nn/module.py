"""``Module``: the base class of every layer and model.

A module owns parameters (learnable tensors), buffers (state such as BatchNorm's running mean)
and submodules.  All three are found by *attribute assignment*: ``self.fc = Linear(3, 4)``
registers a submodule, ``self.weight = Parameter(...)`` a parameter, and
``self.register_buffer("running_mean", tensor)`` a buffer.  Everything else (saving, moving to
a device, train/eval, zeroing gradients) walks that tree.
"""
import collections
import itertools

import numpy as np

from .. import autograd, backend, dtypes, versions
from ..autograd import Function
from ..tensor import RemovableHandle, Tensor, device_and_dtype
from .parameter import Parameter


class Module:
    training = True

    def __init__(self):
        object.__setattr__(self, "_parameters", collections.OrderedDict())
        object.__setattr__(self, "_buffers", collections.OrderedDict())
        object.__setattr__(self, "_modules", collections.OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_forward_pre_hooks", collections.OrderedDict())
        object.__setattr__(self, "_forward_hooks", collections.OrderedDict())
        object.__setattr__(self, "_backward_hooks", collections.OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration by attribute
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before assigning {name!r}")
        if isinstance(value, Parameter):
            self._unregister(name)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._unregister(name)
            self._modules[name] = value
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r} (a Tensor or None is expected)")
            self._buffers[name] = value
        elif name in self._parameters or name in self._modules:
            if value is not None:
                kind = "parameter" if name in self._parameters else "submodule"
                raise TypeError(f"cannot assign {type(value).__name__} to {kind} {name!r} (a {kind} or None is expected)")
            (self._parameters if name in self._parameters else self._modules)[name] = None
        else:
            object.__setattr__(self, name, value)

    def _unregister(self, name):
        self.__dict__.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            self.__dict__[registry].pop(name, None)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        for registry in ("_parameters", "_buffers", "_modules"):
            table = self.__dict__.get(registry)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[registry]:
                del self.__dict__[registry][name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got {type(param).__name__}")
        self.__dict__.pop(name, None)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self.__dict__.pop(name, None)
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if self._backward_hooks:
            args = _BackwardHookInputs(self)(*args) if any(isinstance(a, Tensor) and a.requires_grad for a in args) else args
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        if self._backward_hooks and isinstance(output, Tensor) and output.requires_grad:
            output = _BackwardHookOutput(self, args)(output)
        return output

    def register_forward_pre_hook(self, hook):
        """``hook(module, args)`` before forward; may return replacement args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """``hook(module, args, output)`` after forward; may return a replacement output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook):
        """``hook(module, grad_input, grad_output)`` when the gradients w.r.t. the module's inputs
        are computed; may return a replacement ``grad_input`` tuple."""
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------ walking the tree
    def named_modules(self, memo=None, prefix=""):
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, recurse, prefix=""):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True):
        return self._named_members("_parameters", recurse, prefix)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True):
        return self._named_members("_buffers", recurse, prefix)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn):
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ modes and gradients
    def train(self, mode=True):
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.array[...] = 0

    # ------------------------------------------------------------ devices and dtypes
    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        """Move/convert every parameter and buffer **in place** (the Parameter objects stay the same,
        so an optimizer built before ``.to()`` keeps working).  Only floating tensors change dtype.
        ``non_blocking`` and ``memory_format`` are accepted for PyTorch's scripts, with no effect."""
        device, dtype = device_and_dtype(args, device, dtype)
        dtype = dtypes.to_dtype(dtype)
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            array = tensor.array
            if device is not None:
                array = backend.to_device(array, device)
            if dtype is not None and array.dtype.kind == "f":
                array = array.astype(dtype)
            tensor.array = array
            if tensor.grad is not None:
                grad = tensor.grad.array
                if device is not None:
                    grad = backend.to_device(grad, device)
                tensor.grad = Tensor._wrap(grad.astype(array.dtype, copy=False), False)
        return self

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else backend.Device("cuda", device))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    # ------------------------------------------------------------ state
    def state_dict(self, prefix=""):
        """An ordered dict ``name → tensor`` of parameters and persistent buffers (detached, shared)."""
        state = collections.OrderedDict()
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            head = f"{module_prefix}." if module_prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    state[head + name] = param.detach()
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent:
                    state[head + name] = buffer.detach()
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into this module's parameters and buffers.

        Raises one error listing every missing key, unexpected key and shape mismatch (with
        ``strict=False`` missing and unexpected keys are allowed, shape mismatches never are).
        Returns ``(missing_keys, unexpected_keys)``.
        """
        own = self.state_dict()
        own_tensors = dict(itertools.chain(self._all_named("_parameters"), self._all_named("_buffers")))
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        mismatched = []
        for key, value in state_dict.items():
            if key in own:
                shape = tuple(np.shape(value.array if isinstance(value, Tensor) else value))
                if shape != tuple(own[key].shape):
                    mismatched.append(f"{key}: checkpoint {shape}, model {tuple(own[key].shape)}")
        problems = []
        if mismatched:
            problems.append("shape mismatches: " + "; ".join(mismatched))
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n  " + "\n  ".join(problems))
        with autograd.no_grad():
            for key, value in state_dict.items():
                if key in own_tensors:
                    target = own_tensors[key]
                    source = value.array if isinstance(value, Tensor) else value
                    source = backend.to_device(source, target.device)
                    target.array[...] = source.astype(target.dtype, copy=False) if hasattr(source, "astype") else source
                    versions.bump(target.array)
        return missing, unexpected

    def _all_named(self, registry):
        for module_prefix, module in self.named_modules():
            head = f"{module_prefix}." if module_prefix else ""
            for name, value in getattr(module, registry).items():
                if value is not None:
                    yield head + name, value

    # ------------------------------------------------------------ printing
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))


class _BackwardHookInputs(Function):
    """Identity on the module's inputs; its backward sees dL/d(inputs) and calls the hooks.

    Shapes: inputs: any shapes → the same tensors' shapes.
    """

    def __init__(self, module):
        self.module = module

    def forward(self, *xs):
        return xs

    def __call__(self, *args):
        tensors = [a for a in args if isinstance(a, Tensor)]
        results = iter(super().__call__(*tensors))  # forward returns a tuple: always a tuple back
        self.module._pending_input_node = self
        return tuple(next(results) if isinstance(a, Tensor) else a for a in args)

    def backward(self, *grads):
        grad_output = getattr(self, "grad_output", (None,))
        grad_input = tuple(grads)
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                grad_input = tuple(result)
        return grad_input


class _BackwardHookOutput(Function):
    """Identity on the module's output; its backward records dL/d(output) for the hooks.

    Shapes: output: any shape → the same shape.
    """

    def __init__(self, module, args):
        self.module = module
        self.input_node = module.__dict__.pop("_pending_input_node", None)
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            self.input_node = None

    def forward(self, y):
        return y

    def backward(self, gy):
        if self.input_node is not None and not self.input_node._released:
            self.input_node.grad_output = (gy,)
        else:  # the inputs need no gradient: call the hooks now, with grad_input None
            for hook in list(self.module._backward_hooks.values()):
                hook(self.module, (None,), (gy,))
        return gy
