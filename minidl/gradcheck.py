"""Finite-difference gradient checking, as ``torch.autograd.gradcheck`` does it.

For a function f with inputs x and output y, reverse mode gives the vector-Jacobian product
vᵀJ for any upstream gradient v.  The numerical Jacobian column for input element x_k is the
central difference (f(x + εe_k) − f(x − εe_k)) / 2ε.  We compare the two for every element of
every float64 input that requires grad, with a random v (an all-ones v hides errors that
cancel out in a sum).
"""
import numpy as np

from . import backend
from .autograd import grad as autograd_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytical and numerical gradients disagree."""


def _as_tuple(value):
    if isinstance(value, list):
        return tuple(value)
    return value if isinstance(value, tuple) else (value,)


def _outputs(fn, inputs):
    outputs = _as_tuple(fn(*inputs))
    return [o for o in outputs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _check_inputs(inputs, caller):
    checked = []
    for position, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x.dtype != np.float64:
                raise ValueError(
                    f"{caller}: inputs[{position}] is {x.dtype}; finite differences need float64 inputs "
                    "(with ε = 1e-6 float32 rounding errors, about 1e-7 relative, swamp the difference quotient). "
                    "Convert with x.double()."
                )
            checked.append(position)
    if not checked:
        raise ValueError(f"{caller}: no input is a Tensor with requires_grad=True")
    return checked


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0):
    """Check ``fn``'s analytical gradients against central differences.

    ``fn(*inputs)`` returns a Tensor or a tuple of Tensors.  Returns True, or raises
    ``GradcheckError`` naming the input, the element and both values (False when
    ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    wanted = _check_inputs(inputs, "gradcheck")
    for position in wanted:
        if not inputs[position].array.flags.c_contiguous:
            inputs[position].array = inputs[position].array.copy()  # C order, so reshape(-1) is a view
    rng = np.random.default_rng(seed)
    outputs = _outputs(fn, inputs)
    if not outputs:
        return _fail("gradcheck: fn returned no floating-point tensor", raise_exception)
    xp = backend.get_array_module(outputs[0].array)
    upstream = [xp.asarray(rng.standard_normal(o.shape)) for o in outputs]
    differentiable = [o for o in outputs if o.requires_grad]
    differentiable_upstream = [u for o, u in zip(outputs, upstream) if o.requires_grad]
    if differentiable:
        analytical = autograd_grad(
            differentiable, [inputs[i] for i in wanted],
            [Tensor(u) for u in differentiable_upstream], allow_unused=True,
        )
    else:
        analytical = [None] * len(wanted)

    def projected_output():
        with_grad = _outputs(fn, inputs)
        return sum(float((o.array * u).sum()) for o, u in zip(with_grad, upstream))

    for position, grad in zip(wanted, analytical):
        x = inputs[position]
        flat = x.array.reshape(-1)  # a view (inputs were made contiguous): writing into it perturbs x
        analytic = np.zeros(x.shape) if grad is None else backend.to_device(grad.array, "cpu")
        analytic = analytic.reshape(-1)
        for k in range(flat.size):
            original = flat[k].item()
            flat[k] = original + eps
            plus = projected_output()
            flat[k] = original - eps
            minus = projected_output()
            flat[k] = original
            numeric = (plus - minus) / (2 * eps)
            if not abs(numeric - analytic[k]) <= atol + rtol * abs(numeric):
                index = tuple(int(i) for i in np.unravel_index(k, x.shape)) if x.ndim else ()
                return _fail(
                    f"gradcheck: gradient mismatch for inputs[{position}] (shape {x.shape}) at element {index}: "
                    f"numerical {numeric:.8g} vs analytical {analytic[k]:.8g} "
                    f"(|difference| {abs(numeric - analytic[k]):.3g} > atol {atol} + rtol {rtol} · |numerical|)",
                    raise_exception,
                )
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=1):
    """Check second derivatives: gradcheck of ``(inputs, v) ↦ vᵀ ∂fn/∂inputs`` (built with create_graph)."""
    inputs = _as_tuple(inputs)
    wanted = _check_inputs(inputs, "gradgradcheck")
    rng = np.random.default_rng(seed)
    outputs = [o for o in _outputs(fn, inputs) if o.requires_grad]
    if not outputs:
        return _fail("gradgradcheck: fn returned no tensor that requires grad", raise_exception)
    xp = backend.get_array_module(outputs[0].array)
    upstream = [Tensor(xp.asarray(rng.standard_normal(o.shape)), requires_grad=True) for o in outputs]
    n_inputs = len(inputs)

    def first_derivative(*args):
        primal, vs = args[:n_inputs], args[n_inputs:]
        outs = [o for o in _outputs(fn, primal) if o.requires_grad]
        grads = autograd_grad(outs, [primal[i] for i in wanted], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None and g.requires_grad)

    return gradcheck(first_derivative, tuple(inputs) + tuple(upstream), eps, atol, rtol, raise_exception, seed)

