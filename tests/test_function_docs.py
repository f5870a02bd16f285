"""Every Function in minidl states its shapes (``Shapes:`` in its docstring), CS231n's habit: a
reader sees what goes in and what comes out before reading how."""
import importlib
import inspect
import pkgutil

import minidl
from minidl.autograd import Function


def _all_functions():
    found = {}
    for info in pkgutil.walk_packages(minidl.__path__, "minidl."):
        if info.name.startswith("minidl.coursework.__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Function) and obj is not Function and obj.__module__ == info.name:
                found[f"{info.name}.{obj.__name__}"] = obj
    return found


def test_every_function_states_its_shapes():
    functions = _all_functions()
    assert len(functions) > 60  # the walk found them all (68 when this test was written)
    missing = sorted(name for name, cls in functions.items() if "Shapes:" not in (cls.__doc__ or ""))
    assert not missing, f"Functions without 'Shapes:' in their docstring: {missing}"
