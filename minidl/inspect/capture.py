"""Capturing what flows through the layers: activations on the way forward, gradients on the way back.

    with minidl.inspect.capture(model, ["features.0", "features.3"]) as seen:
        loss = loss_fn(model(x), y)
        loss.backward()
    seen.activations["features.0"]      # the layer's output (a detached Tensor)
    seen.gradients["features.0"]        # dL/d(output)
    print(seen.report())                # mean, std, fraction of zeros (dead ReLUs), gradient norm

    print(minidl.inspect.gradient_flow(model))   # per-parameter gradient norms after backward()

Everything here is built on public hooks: forward hooks capture outputs, and a tensor hook on
each captured output receives its gradient during backward.
"""
import numpy as np

from .. import backend
from ..tensor import Tensor


def _stats(tensor):
    array = backend.to_device(tensor.array, "cpu").astype(np.float64)
    return dict(mean=float(array.mean()), std=float(array.std()), zero_fraction=float((array == 0).mean()),
                norm=float(np.sqrt((array * array).sum())))


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
        """{layer: {activation mean/std/zero_fraction, gradient norm}} for what was captured."""
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
        lines = [f"{'layer':<28} {'type':<14} {'mean':>9} {'std':>9} {'zeros':>7} {'grad norm':>11}"]
        for name, entry in self.statistics().items():
            kind = type(self.modules[name]).__name__
            grad = entry.get("gradient_norm")
            lines.append(f"{name[:28]:<28} {kind[:14]:<14} {entry['activation_mean']:>9.4f} {entry['activation_std']:>9.4f} "
                         f"{100 * entry['activation_zero_fraction']:>6.1f}% " + (f"{grad:>11.3e}" if grad is not None else f"{'—':>11}"))
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
