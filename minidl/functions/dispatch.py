"""The seam between the reference path and its fast twins.

The functions in this package are the reference: the readable text, and the test oracle.  A few
array-level reference functions carry the decorator ``@twinned``: a *fast twin* — another
implementation of the same contract (same arguments, same result), kept in
``minidl/functions/fast/`` — may run in their place.  A twin is registered for one array module
("numpy" for the CPU twins; CuPy kernels will register for "cupy"), and may decline a call by
returning ``NotImplemented``, in which case the reference runs.

One switch turns every twin off: ``minidl.use_fast_paths(False)`` (or, for one block,
``with minidl.use_fast_paths(False): ...``), or the environment variable ``MINIDL_FAST=0`` at
start-up.  With the switch off, minidl runs exactly the code you read in ``functions/``.
"""
import functools
import os

_SWITCH_VALUES = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}


def _from_environment(value):
    """MINIDL_FAST's value → on/off; anything else is an error (a typo must not silently leave them on)."""
    if value.strip().lower() not in _SWITCH_VALUES:
        raise ValueError(f"MINIDL_FAST: expected 0/1 (or false/true, off/on, no/yes), got {value!r}")
    return _SWITCH_VALUES[value.strip().lower()]


_STATE = {"enabled": _from_environment(os.environ.get("MINIDL_FAST", "1"))}
_TWINS = {}  # (reference's qualified name, array module name) → twin


def fast_paths_enabled():
    """Whether fast twins may run (True unless switched off)."""
    return _STATE["enabled"]


class use_fast_paths:
    """Turn the fast twins on or off: ``use_fast_paths(False)`` for the rest of the program, or
    ``with use_fast_paths(False): ...`` for one block (the previous setting comes back after it).

    Like ``torch.set_grad_enabled``, it acts when called, so both forms work.
    """

    def __init__(self, enabled=True):
        if not isinstance(enabled, bool):
            raise TypeError(f"use_fast_paths: enabled must be True or False, got {enabled!r}")
        self.previous = _STATE["enabled"]
        _STATE["enabled"] = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _STATE["enabled"] = self.previous


def _array_module_name(value):
    """'numpy' or 'cupy' for an array, or for the array inside a minidl Tensor."""
    kind = type(value).__module__.partition(".")[0]
    if kind == "minidl":
        kind = type(value.array).__module__.partition(".")[0]
    return kind


def twinned(reference):
    """Decorator for a reference function whose first argument is an array (or Tensor): calls go
    to the fast twin registered for that array's module when fast paths are on."""
    key = f"{reference.__module__}.{reference.__qualname__}"

    @functools.wraps(reference)
    def call(*args, **kwargs):
        if _STATE["enabled"]:
            twin = _TWINS.get((key, _array_module_name(args[0])))
            if twin is not None:
                result = twin(*args, **kwargs)
                if result is not NotImplemented:
                    return result
        return reference(*args, **kwargs)

    call.reference, call.key = reference, key
    return call


def for_spatial_dims(dispatcher, dims):
    """``dispatcher`` itself for 2-D calls (a twin may run), its reference for any other number of
    spatial dims: the twins are 2-D layout tricks, and 3-D runs the text of ``functions/``."""
    return dispatcher if dims == 2 else dispatcher.reference


def twin_of(dispatcher, array_module="numpy"):
    """Decorator that registers a fast twin for ``dispatcher`` (a ``@twinned`` function) on arrays
    of ``array_module``."""
    def register(twin):
        _TWINS[(dispatcher.key, array_module)] = twin
        twin.reference = dispatcher.reference
        return twin
    return register


def registered_twins():
    """{(reference name, array module): twin} — what can run in place of the reference."""
    return dict(_TWINS)
