"""Capturing what flows through the layers: activations on the way forward, gradients on the way back.

    with minidl.inspect.capture(model, ["features.0", "features.3"]) as seen:
        loss = loss_fn(model(x), y)
        loss.backward()
    seen.activations["features.0"]      # the layer's output (a detached Tensor)
    seen.gradients["features.0"]        # dL/d(output)
    print(seen.report())                # mean, std, zeros (sparsity), dead units, gradient norm

    print(minidl.inspect.gradient_flow(model))   # per-parameter gradient norms after backward()

Two different numbers about zeros, not to be confused:

- **zeros** (``activation_zero_fraction``): the share of the batch's activation values that are 0.
  About half the outputs of a ReLU are 0 on any input — that is ordinary sparsity, not a fault.
- **dead** (``activation_dead_fraction``): the share of *units* that output 0 for every input of
  the batch.  A unit is a channel of an (N, C, ...) map (a filter fires nowhere, for no image) or
  a feature of an (N, F) output.  A ReLU unit that is 0 for every input also gets no gradient, so
  it never recovers: the "dying ReLU" of CS231n's notes.  Dead over one batch is evidence, not
  proof — a larger batch may find an input that wakes it.

Everything here is built on public hooks: forward hooks capture outputs, and a tensor hook on
each captured output receives its gradient during backward.
"""
import numpy as np

from .. import backend
from ..tensor import Tensor


def _stats(tensor):
    """mean, std, zero_fraction (share of values that are 0), dead_fraction (share of units — axis 1
    of an (N, C, ...) or (N, F) batch — that are 0 for every sample and position) and the L2 norm."""
    array = backend.to_device(tensor.array, "cpu").astype(np.float64)
    zeros = array == 0
    if array.ndim >= 2:  # unit = axis 1: zero over the batch (axis 0) and every position (axes 2, ...)
        dead = float(zeros.all(axis=(0,) + tuple(range(2, array.ndim))).mean())
    else:
        dead = float(zeros.all())
    return dict(mean=float(array.mean()), std=float(array.std()), zero_fraction=float(zeros.mean()),
                dead_fraction=dead, norm=float(np.sqrt((array * array).sum())))


class Capture:
    def __init__(self, model, names=None):
        self.model = model
        modules = dict(model.named_modules())
        if names is None:
            names = [n for n, m in modules.items() if n and next(m.children(), None) is None]
        unknown = [n for n in names if n not in modules]
        if unknown:
            raise KeyError(f"capture: no layer named {', '.join(map(repr, unknown))}; available: {', '.join(n for n in modules if n)}")
        self.names = list(names)
        self.modules = modules
        self.activations, self.gradients = {}, {}
        self._handles = []

    def __enter__(self):
        for name in self.names:
            def hook(module, args, output, name=name):
                out = output[0] if isinstance(output, tuple) else output
                if not isinstance(out, Tensor):
                    return None
                self.activations[name] = out.detach()
                if out.requires_grad:
                    out.register_hook(lambda grad, name=name: self.gradients.__setitem__(name, grad.detach()))
                return None

            self._handles.append(self.modules[name].register_forward_hook(hook))
        return self

    def __exit__(self, *exc_info):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        return False

    def statistics(self):
        """{layer: {activation_mean, activation_std, activation_zero_fraction (share of values that are 0),
        activation_dead_fraction (share of units 0 for every input of the batch), gradient_norm}} for
        what was captured."""
        result = {}
        for name in self.names:
            if name not in self.activations:
                continue
            entry = {f"activation_{k}": v for k, v in _stats(self.activations[name]).items() if k != "norm"}
            if name in self.gradients:
                entry["gradient_norm"] = _stats(self.gradients[name])["norm"]
            result[name] = entry
        return result

    def report(self):
        """One line per layer: mean, std, zeros (share of values that are 0: sparsity), dead (share of
        units — channels or features — that are 0 for every input of the batch), gradient norm."""
        lines = [f"{'layer':<28} {'type':<14} {'mean':>9} {'std':>9} {'zeros':>7} {'dead':>7} {'grad norm':>11}"]
        for name, entry in self.statistics().items():
            kind = type(self.modules[name]).__name__
            grad = entry.get("gradient_norm")
            lines.append(f"{name[:28]:<28} {kind[:14]:<14} {entry['activation_mean']:>9.4f} {entry['activation_std']:>9.4f} "
                         f"{100 * entry['activation_zero_fraction']:>6.1f}% {100 * entry['activation_dead_fraction']:>6.1f}% " + (f"{grad:>11.3e}" if grad is not None else f"{'—':>11}"))
        return "\n".join(lines)


def capture(model, names=None):
    """Context manager recording the outputs (and, after backward, their gradients) of the named
    layers — all leaf layers when ``names`` is None."""
    return Capture(model, names)


def gradient_flow(model):
    """Per-parameter gradient norms after ``backward()``, from the input side to the output side:
    in a deep plain network they shrink towards the input (vanishing gradients); residual
    connections keep them up.  Returns [(name, norm)] and prints nothing."""
    flow = []
    for name, param in model.named_parameters():
        if param.grad is not None and param.ndim > 1:  # weights only: biases and BN shifts add noise
            flow.append((name, _stats(param.grad)["norm"]))
    return flow
