"""Mixed precision (opt-in): compute in float16, keep float32 master weights, scale the loss.

    scaler = minidl.amp.GradScaler()
    for images, labels in loader:
        optimizer.zero_grad()
        with minidl.amp.autocast():                   # convolutions and matmuls in float16
            loss = F.cross_entropy(model(images), labels)   # losses and softmax in float32
        scaler.scale(loss).backward()                 # the loss × S, so small gradients survive float16
        scaler.step(optimizer)                        # gradients ÷ S; the step is skipped on inf/NaN
        scaler.update()                               # S halves after an overflow, doubles after 2000 good steps

Why each piece (Micikevicius et al. 2018, "Mixed precision training"):
- float16 halves memory traffic and runs on GPU tensor cores, but has 11 bits of mantissa and
  overflows above 65504: accumulating many small updates into float16 weights loses them. So
  the parameters stay float32 ("master weights"); inside ``autocast`` the ops that dominate the
  cost (conv2d, conv_transpose2d, linear, matmul) cast their inputs to float16, and the cast's
  backward returns float32 gradients to the parameters.
- Reductions that need range or precision (softmax, log-softmax, the losses, batch norm) run in
  float32 inside ``autocast``.
- Gradients smaller than 6·10⁻⁸ are zero in float16. Multiplying the loss by S (2¹⁶ to start)
  multiplies every gradient by S; ``step`` divides them back in float32 before the update. If
  S was too large some gradient is inf: that step is skipped and S halved.

bfloat16 is not offered: neither NumPy nor CuPy has the dtype.  On the CPU float16 is *slower*
than float32 (NumPy has no float16 BLAS); mixed precision pays on a GPU.  PyTorch's semantics
(``torch.autocast``, ``torch.amp.GradScaler``) throughout.
"""
import contextlib

from . import backend, dtypes
from .autograd import no_grad

_state = {"dtype": None}


class autocast(contextlib.ContextDecorator):
    """Inside, conv2d / conv_transpose2d / linear / matmul compute in ``dtype`` (float16) and
    softmax / losses / batch norm in float32.  ``enabled=False`` makes it a no-op."""

    def __init__(self, dtype=dtypes.float16, enabled=True):
        dtype = dtypes.to_dtype(dtype)
        if dtype != dtypes.float16:
            raise ValueError(f"autocast: dtype must be minidl.float16 (bfloat16 exists in neither NumPy nor CuPy), got {dtype}")
        self.dtype, self.enabled = dtype, enabled

    def __enter__(self):
        self.previous = _state["dtype"]
        _state["dtype"] = self.dtype if self.enabled else None
        return self

    def __exit__(self, *exc_info):
        _state["dtype"] = self.previous
        return False


def is_autocast_enabled():
    return _state["dtype"] is not None


def _cast_floats(tensors, dtype):
    return tuple(t.to(dtype) if t is not None and hasattr(t, "dtype") and dtypes.is_floating(t.dtype)
                 and t.dtype != dtype else t for t in tensors)


def low_precision_inputs(*tensors):
    """For the compute-heavy ops: their floating-point inputs in the autocast dtype (unchanged outside autocast)."""
    return tensors if _state["dtype"] is None else _cast_floats(tensors, _state["dtype"])


def full_precision_inputs(*tensors):
    """For softmax, losses and normalisation: float16 inputs back in float32 inside autocast."""
    if _state["dtype"] is None:
        return tensors
    return tuple(t.to(dtypes.float32) if t is not None and getattr(t, "dtype", None) == dtypes.float16 else t
                 for t in tensors)


class GradScaler:
    """Dynamic loss scaling with ``torch.amp.GradScaler``'s rules and defaults.

    scale(loss) → loss·S.   step(optimizer): unscale the gradients (÷ S, unless ``unscale_`` did
    already); if any is inf or NaN skip ``optimizer.step()``, else take it.   update(): after a
    skipped step S ← S·backoff_factor and the count of good steps restarts; after
    ``growth_interval`` good steps in a row S ← S·growth_factor.
    """

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000, enabled=True):
        if growth_factor <= 1.0 or not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: need growth_factor > 1 and 0 < backoff_factor < 1, got {growth_factor}, {backoff_factor}")
        self.enabled = enabled
        self._scale, self._growth_factor, self._backoff_factor = float(init_scale), growth_factor, backoff_factor
        self._growth_interval, self._growth_tracker = int(growth_interval), 0
        self._unscaled, self._found_inf = set(), {}

    def get_scale(self):
        return self._scale if self.enabled else 1.0

    def scale(self, loss):
        return loss * self._scale if self.enabled else loss

    def unscale_(self, optimizer):
        """Divide the gradients of ``optimizer``'s parameters by S in place (e.g. before clipping)."""
        if not self.enabled:
            return
        if id(optimizer) in self._unscaled:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update()")
        found_inf = False
        inverse = 1.0 / self._scale
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    grad = param.grad.array
                    grad *= grad.dtype.type(inverse)
                    # One reduction per gradient; the flags are combined below with a single read.
                    found_inf = found_inf | ~backend.get_array_module(grad).isfinite(grad).all()
        self._found_inf[id(optimizer)] = bool(found_inf)  # the one device→host read per step
        self._unscaled.add(id(optimizer))

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if needed), then ``optimizer.step()`` unless a gradient is inf/NaN.  Returns what step returned, or None when skipped."""
        if not self.enabled:
            return optimizer.step(*args, **kwargs)
        if id(optimizer) not in self._unscaled:
            self.unscale_(optimizer)
        if self._found_inf[id(optimizer)]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        if not self.enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif any(self._found_inf.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        self._unscaled.clear()
        self._found_inf.clear()

    def state_dict(self):
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state):
        self._scale, self._growth_factor = float(state["scale"]), float(state["growth_factor"])
        self._backoff_factor, self._growth_interval = float(state["backoff_factor"]), int(state["growth_interval"])
        self._growth_tracker = int(state["_growth_tracker"])

