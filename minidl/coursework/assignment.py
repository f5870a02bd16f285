"""Writing an assignment folder, and restoring its reference solutions.

    OUT/
      README.md        what to write, where, and how to test it
      minidl/          a full copy of minidl with the chosen functions stubbed out
      tests/           the tests of the chosen layers (unchanged copies of minidl's own tests)
      conftest.py      makes the tests import OUT/minidl and marks each test with its task
      pytest.ini       registers one pytest mark per task
      .coursework.json which tasks were set (read by ``solve``)
"""
import json
import pathlib
import shutil

import minidl

from .stubs import stub_source
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

TASK_TESTS = {task_tests!r}


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection looks at the marks
def pytest_collection_modifyitems(config, items):
    kept = []
    for item in items:
        tasks = [task for task, patterns in TASK_TESTS.items()
                 if any(fnmatch.fnmatchcase(item.nodeid, pattern) for pattern in patterns)]
        for task in tasks:
            item.add_marker(task)
        if tasks:
            kept.append(item)
    deselected = [item for item in items if item not in kept]  # tests of layers not in this assignment
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept
'''


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
    by_module = {}
    for layer in layers:
        for stub in TASKS[layer].stubs:
            by_module.setdefault(stub.path, []).append((layer, stub))
    for module_path, entries in by_module.items():
        path = out / "minidl" / module_path
        source = path.read_text()
        for layer in dict.fromkeys(layer for layer, _ in entries):
            stubs = [(stub.name, stub.hint) for task, stub in entries if task == layer]
            source = stub_source(source, stubs, layer, f"minidl/{module_path}")
        path.write_text(source)

    test_files = {pattern.split("::")[0] for layer in layers for pattern in TASKS[layer].tests}
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


def solve(out):
    """Put the reference bodies back into an assignment folder (for the teacher's check)."""
    out = pathlib.Path(out)
    record = json.loads((out / ".coursework.json").read_text())
    layers, root = record["layers"], pathlib.Path(record["source"])  # the checkout ``make`` copied from
    for module_path in {stub.path for layer in layers for stub in TASKS[layer].stubs}:
        shutil.copy2(root / "minidl" / module_path, out / "minidl" / module_path)
    return layers


def _readme(layers):
    lines = ["# minidl assignment", "",
             "Write the functions below. Each stub keeps the original signature and docstring (shapes and math) and",
             "raises `NotImplementedError(\"TODO(task): ...\")` until you replace it. Run the tests of one task with",
             "`pytest -m TASK` in this folder (they import the `minidl/` here, not an installed one);",
             "`pytest` runs them all. Do not edit `tests/`. The tests run with minidl's fast twins switched off",
             "(`MINIDL_FAST=0`), so they check the reference code you write; the optional `fast_conv2d` task's",
             "tests call the twins directly and compare them with the reference.", "",
             "Useful: `minidl.gradcheck` compares your backward with finite differences, and the tests compare",
             "with PyTorch where it is installed. docs/extending.md in the minidl repository walks through a layer.", ""]
    for layer in layers:
        task = TASKS[layer]
        lines += [f"## `{layer}`: {task.summary}", "", f"Tests: `pytest -m {layer}`", ""]
        lines += [f"- `minidl/{stub.path}`: `{stub.name}` — {stub.hint}" for stub in task.stubs]
        lines.append("")
    return "\n".join(lines)
