"""Writing an assignment folder, and restoring its reference solutions.

    OUT/
      README.md        what to write, where, and how to test it
      minidl/          a full copy of minidl with the chosen functions stubbed out
      tests/           the tests of the chosen layers (unchanged copies of minidl's own tests)
      docs/            the tutorial pages the README points to (autograd.md, extending.md)
      conftest.py      makes the tests import OUT/minidl and marks each test with its task
      pytest.ini       registers one pytest mark per task
      .coursework.json which tasks were set (read by ``solve``)
"""
import json
import pathlib
import shutil

import minidl

from .stubs import hide_source, stub_source
from .tasks import TASKS

CONFTEST = '''"""Assignment harness: the tests import the minidl in this folder (not an installed one), with
its fast twins switched off (they would stand in for the code you write), and each test carries the
mark of the task it checks, so ``pytest -m conv2d`` runs the conv2d tests."""
import fnmatch
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["MINIDL_FAST"] = "0"
import minidl  # noqa: E402

minidl.use_fast_paths(False)

if pathlib.Path(minidl.__file__).resolve().parent != HERE / "minidl":
    raise ImportError(f"the tests must use the minidl in {{HERE}}, but Python imported {{minidl.__file__}}")

TASK_TESTS = {task_tests!r}  # a pattern starting with "!" leaves the tests it matches out


def _belongs(nodeid, patterns):
    wanted = [p for p in patterns if not p.startswith("!")]
    unwanted = [p[1:] for p in patterns if p.startswith("!")]
    return any(fnmatch.fnmatchcase(nodeid, p) for p in wanted) and \
        not any(fnmatch.fnmatchcase(nodeid, p) for p in unwanted)


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection looks at the marks
def pytest_collection_modifyitems(config, items):
    kept = []
    for item in items:
        tasks = [task for task, patterns in TASK_TESTS.items() if _belongs(item.nodeid, patterns)]
        for task in tasks:
            item.add_marker(task)
        if tasks:
            kept.append(item)
    deselected = [item for item in items if item not in kept]  # tests of layers not in this assignment
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept
'''


DOCS = ("autograd.md", "extending.md")  # the pages the README points to


def source_root():
    """The minidl checkout: the package folder's parent, which must also hold tests/."""
    root = pathlib.Path(minidl.__file__).resolve().parent.parent
    if not (root / "tests" / "conftest.py").is_file():
        raise FileNotFoundError(f"the coursework kit copies minidl's tests, but there is no tests/ folder next to the "
                                f"minidl package in {root}: install minidl from a source checkout (pip install -e .)")
    return root


def check_layers(layers):
    unknown = [layer for layer in layers if layer not in TASKS]
    if unknown or not layers:
        raise ValueError(f"--layers: unknown {', '.join(map(repr, unknown)) or 'empty list'}; "
                         f"choose from {', '.join(TASKS)}")


def make(layers, out):
    """Write the assignment for ``layers`` (task names from TASKS) into the folder ``out``."""
    check_layers(layers)
    out, root = pathlib.Path(out), source_root()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"OUT: {out} exists and is not empty; choose a new folder")
    shutil.copytree(root / "minidl", out / "minidl", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _fast_paths_off_by_default(out / "minidl" / "functions" / "dispatch.py")
    by_module = {}
    for layer in layers:
        for stub in TASKS[layer].stubs:
            by_module.setdefault(stub.path, []).append((layer, stub))
    stubbed = {(stub.path, stub.name) for layer in layers for stub in TASKS[layer].stubs}
    hidden = {}  # path → {layer: [names]}: bodies that would show an answer (not already a student's stub)
    for layer in layers:
        for module_path, name in TASKS[layer].hidden:
            if (module_path, name) not in stubbed:
                hidden.setdefault(module_path, {}).setdefault(layer, []).append(name)
    for module_path in dict.fromkeys(list(by_module) + list(hidden)):
        path = out / "minidl" / module_path
        source = path.read_text()
        entries = by_module.get(module_path, [])
        for layer in dict.fromkeys(layer for layer, _ in entries):
            stubs = [(stub.name, stub.hint) for task, stub in entries if task == layer]
            source = stub_source(source, stubs, layer, f"minidl/{module_path}")
        for layer, names in hidden.get(module_path, {}).items():
            source = hide_source(source, list(dict.fromkeys(names)), layer, f"minidl/{module_path}")
        path.write_text(source)
    (out / "docs").mkdir()
    for page in DOCS:
        shutil.copy2(root / "docs" / page, out / "docs" / page)

    test_files = {pattern.split("::")[0] for layer in layers for pattern in TASKS[layer].tests
                  if not pattern.startswith("!")}
    for relative in sorted(test_files) + ["tests/conftest.py"]:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
        for folder in pathlib.PurePosixPath(relative).parents:
            if str(folder).startswith("tests"):
                (out / folder / "__init__.py").touch()
    task_tests = {layer: list(TASKS[layer].tests) for layer in layers}
    (out / "conftest.py").write_text(CONFTEST.format(task_tests=task_tests))
    markers = "".join(f"    {layer}: {TASKS[layer].summary}\n" for layer in layers)
    (out / "pytest.ini").write_text(f"[pytest]\ntestpaths = tests\nmarkers =\n{markers}")
    (out / "README.md").write_text(_readme(layers))
    record = {"layers": list(layers), "minidl": minidl.__version__, "source": str(root)}
    (out / ".coursework.json").write_text(json.dumps(record, indent=1))
    return out


def _fast_paths_off_by_default(dispatch_path):
    """In the student's copy the fast twins start switched off, in the tests and in their own scripts
    alike: a twin would otherwise stand in for the code they write (and a check of an unwritten stub
    would pass).  ``MINIDL_FAST=1`` turns them on for the optional fast task."""
    source = dispatch_path.read_text()
    default = 'os.environ.get("MINIDL_FAST", "1")'
    if default not in source:
        raise RuntimeError(f"coursework: {dispatch_path} no longer reads MINIDL_FAST as expected; update make()")
    dispatch_path.write_text(source.replace(default, 'os.environ.get("MINIDL_FAST", "0")'))  # an assignment: off


def solve(out):
    """Put the reference bodies back into an assignment folder (for the teacher's check)."""
    out = pathlib.Path(out)
    record = json.loads((out / ".coursework.json").read_text())
    layers, root = record["layers"], pathlib.Path(record["source"])  # the checkout ``make`` copied from
    paths = {stub.path for layer in layers for stub in TASKS[layer].stubs}
    paths |= {module_path for layer in layers for module_path, _ in TASKS[layer].hidden}
    for module_path in paths:
        shutil.copy2(root / "minidl" / module_path, out / "minidl" / module_path)
    return layers


def _readme(layers):
    lines = ["# minidl assignment", "",
             "Write the functions below. Each stub keeps the original signature and docstring (shapes) and",
             "raises `NotImplementedError(\"TODO(task): ...\")` until you replace it. The hints ask the questions",
             "whose answers are the code: derive the backward passes on paper first. Run the tests of one task",
             "with `pytest -m TASK` in this folder (they import the `minidl/` here, not an installed one);",
             "`pytest` runs them all. Do not edit `tests/`. In this copy minidl's fast twins start switched off",
             "(in the tests and in your own scripts; `MINIDL_FAST=1` turns them on), so what runs is the reference",
             "code you write — a check of your own with `minidl.gradcheck` runs your code; the optional `fast_conv2d` task's",
             "tests call the twins directly and compare them with the reference. A few other functions say",
             "\"Hidden in this assignment\": their bodies would show an answer; leave them.", "",
             "What you need to know about minidl's Functions (docs/autograd.md and docs/extending.md, copied",
             "into this folder, walk through one):", "",
             "- `forward(self, x, ...)` receives raw **arrays** (NumPy, or CuPy on a GPU) and returns arrays: use",
             "  NumPy's names, `x.mean(axis=..., keepdims=True)`, and `xp = backend.get_array_module(x)` instead",
             "  of `np.` so the code also runs on CuPy.",
             "- `backward(self, gy)` receives **Tensors** and returns Tensors (one per input of forward), so that",
             "  the gradient can itself be differentiated: use PyTorch's names, `gy.sum(dim, keepdim=True)`",
             "  (`axis=` is accepted as an alias of `dim=`, `keepdims=` is not). The inputs of forward are",
             "  `self.inputs` (Tensors); a value forward stored on `self` is an array.",
             "- `self.needs_input_grad` is a tuple of bools, one per input of forward: return `None` for an input",
             "  whose entry is False (a constant, or an input nobody asked a gradient for) and skip its work.",
             "- `minidl.gradcheck(fn, inputs)` compares your backward with finite differences on float64 inputs",
             "  (`minidl.randn(2, 3, dtype=minidl.float64, requires_grad=True)`); the tests also compare with",
             "  PyTorch where it is installed.", ""]
    for layer in layers:
        task = TASKS[layer]
        lines += [f"## `{layer}`: {task.summary}", "", f"Tests: `pytest -m {layer}`", ""]
        lines += [f"- `minidl/{stub.path}`: `{stub.name}` — {stub.hint}" for stub in task.stubs]
        lines.append("")
    return "\n".join(lines)
