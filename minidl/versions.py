"""Version counters: how often the memory under a tensor has been modified in place.

A node of the graph reads its inputs (and some nodes their outputs) again in backward.  If one of
them was changed in place in between — ``x.zero_()``, ``x[0] = 5``, ``w -= lr * w.grad``, an
optimizer step — backward would silently compute from the new values.  PyTorch guards against
that with a version counter per tensor, shared by views of the same memory; so does minidl:

- every in-place write bumps the counter of the memory it writes (``bump``);
- a node records the versions of what it saved when it is created (``version``);
- backward compares, and raises ``RuntimeError`` naming the tensor if one changed.

The counter belongs to the *memory*, not to the Tensor object: it is kept for the array that owns
the memory (the root of NumPy's / CuPy's ``.base`` chain), so a view (``x[0]``, ``x.T``,
``x.detach()``) shares the counter of its base, as in PyTorch.  Arrays that cannot be weakly
referenced are not tracked (their version stays 0).
"""
import weakref

_COUNTS = {}  # id(the array that owns the memory) → number of in-place writes so far


def _owner(array):
    """The array at the root of ``array``'s ``.base`` chain (itself if it owns its memory)."""
    kind = type(array)
    base = getattr(array, "base", None)
    while base is not None and isinstance(base, kind):
        array, base = base, getattr(base, "base", None)
    return array


def version(array):
    """How many in-place writes the memory under ``array`` has seen."""
    return _COUNTS.get(id(_owner(array)), 0)


def bump(array):
    """Record one in-place write into ``array``'s memory."""
    owner = _owner(array)
    key = id(owner)
    if key not in _COUNTS:
        try:
            weakref.finalize(owner, _COUNTS.pop, key, None)  # forget the count with the memory
        except TypeError:
            return
        _COUNTS[key] = 0
    _COUNTS[key] += 1


def check_unchanged(node):
    """Raise if an input or saved output of ``node`` was modified in place since it was recorded."""
    for position, (tensor, expected) in enumerate(zip(node.inputs, node.input_versions)):
        if expected is not None and version(tensor.array) != expected:
            raise RuntimeError(_message(node, f"input {position}", tensor.array, expected))
    for index, (array, expected) in enumerate(zip(getattr(node, "output_arrays", ()), getattr(node, "output_versions", ()))):
        if version(array) != expected:
            raise RuntimeError(_message(node, f"output {index}", array, expected))


def _message(node, which, array, expected):
    return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"{which} of {node.name} (a tensor of shape {tuple(array.shape)}, dtype {array.dtype}) is at version "
            f"{version(array)}; expected version {expected} instead. Change the in-place operation (x += y, "
            f"x.zero_(), x[...] = v, an optimizer step) into an out-of-place one (x = x + y), or run it after "
            f"backward")
