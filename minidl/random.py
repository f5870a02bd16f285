"""Random numbers: one seeded generator per backend, shared by factories, init, dropout and data.

``minidl.manual_seed(s)`` reseeds NumPy's generator and, when CuPy is present, CuPy's, so a
seeded run draws the same numbers every time on the same device.
"""
import numpy as np

from . import backend

_FIRST_SEED = int(np.random.SeedSequence().entropy % 2**63)  # fresh per process, like PyTorch's default
_state = {"numpy": np.random.default_rng(_FIRST_SEED), "seed": _FIRST_SEED}


def manual_seed(seed):
    """Seed every backend's generator; returns the seed, as ``torch.manual_seed`` returns a generator."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: expected an integer seed, got {seed!r}")
    seed = int(seed)
    _state["numpy"] = np.random.default_rng(seed)
    _state["seed"] = seed
    cp = backend.cupy_or_none()
    if cp is not None and backend.cuda_is_available():
        cp.random.seed(seed)
    return seed


def initial_seed():
    """The seed in use: the last ``manual_seed``, or the one this process drew from the OS at start-up."""
    return _state["seed"]


def generator(xp=np):
    """The generator to draw from: a ``numpy.random.Generator``, or the ``cupy.random`` module."""
    if xp is np:
        return _state["numpy"]
    return xp.random


def get_rng_state():
    """The NumPy generator's state as a dict of plain values (checkpoint-friendly, no pickle)."""
    state = _state["numpy"].bit_generator.state
    return {
        "bit_generator": state["bit_generator"],
        "state": int(state["state"]["state"]),
        "inc": int(state["state"]["inc"]),
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
    }


def set_rng_state(state):
    """Restore a state returned by ``get_rng_state``."""
    rng = np.random.default_rng()
    if state["bit_generator"] != rng.bit_generator.state["bit_generator"]:
        raise ValueError(f"set_rng_state: expected a PCG64 state, got {state['bit_generator']!r}")
    rng.bit_generator.state = {
        "bit_generator": state["bit_generator"],
        "state": {"state": int(state["state"]), "inc": int(state["inc"])},
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
    }
    _state["numpy"] = rng
