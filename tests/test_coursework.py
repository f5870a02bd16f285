"""The coursework kit: stubs keep signatures and docstrings; a generated assignment fails its
tests before it is filled in and passes them with the reference bodies restored."""
import json
import subprocess
import sys

import pytest

from minidl.coursework import TASKS, make, solve
from minidl.coursework.__main__ import main as cli
from minidl.coursework.stubs import reference_source, stub_source

SOURCE = '''import math


def area(radius):
    """radius: float → the area of a circle."""
    return math.pi * radius ** 2  # πr²


class Square:
    def area(self, side):
        return side * side


def untouched():
    return 1
'''


def test_stub_keeps_signature_docstring_and_the_rest_of_the_file():
    stubbed = stub_source(SOURCE, [("area", "multiply π by r²."), ("Square.area", "side times side.")], "geometry", "geo.py")
    namespace = {}
    exec(compile(stubbed, "geo.py", "exec"), namespace)
    assert namespace["untouched"]() == 1
    assert namespace["area"].__doc__ == "radius: float → the area of a circle."
    with pytest.raises(NotImplementedError, match=r"TODO\(geometry\): write area in geo.py"):
        namespace["area"](1.0)
    with pytest.raises(NotImplementedError, match=r"TODO\(geometry\): write Square.area in geo.py"):
        namespace["Square"]().area(2)
    assert "# TODO(geometry): multiply π by r²." in stubbed and "πr²" not in stubbed
    assert reference_source(stubbed, ["untouched"]) == reference_source(SOURCE, ["untouched"])


def test_every_task_names_real_functions_and_test_files():
    from minidl.coursework.assignment import source_root

    root = source_root()
    for name, task in TASKS.items():
        for stub in task.stubs:
            assert reference_source((root / "minidl" / stub.path).read_text(), [stub.name])[stub.name], (name, stub)
        for pattern in task.tests:
            assert (root / pattern.split("::")[0]).is_file(), (name, pattern)


def test_bad_requests_get_clear_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match="--layers: unknown 'conv3d'; choose from conv2d"):
        make(["conv3d"], tmp_path / "a")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("a student's work")
    with pytest.raises(FileExistsError, match="is not empty"):
        make(["linear"], tmp_path / "full")
    assert cli(["make", "--layers", "conv3d", str(tmp_path / "b")]) == 2
    assert "unknown 'conv3d'" in capsys.readouterr().err


def _pytest(folder, *args):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=folder,
                          capture_output=True, text=True, timeout=600)


def test_assignment_round_trip(tmp_path):
    out = tmp_path / "assignment"
    layers = ["conv2d", "batch_norm", "max_pool2d", "fast_conv2d"]
    assert cli(["make", "--layers", ",".join(layers), str(out)]) == 0
    assert "minidl.use_fast_paths(False)" in (out / "conftest.py").read_text()  # students' code, not the twins
    assert json.loads((out / ".coursework.json").read_text())["layers"] == layers
    assert "pytest -m conv2d" in (out / "README.md").read_text()
    for layer in layers:  # before: each task's tests fail, pointing at the TODO
        result = _pytest(out, "-x", "-m", layer)
        assert result.returncode == 1, result.stdout[-2000:]
        assert f"TODO({layer})" in result.stdout
    solve(out)
    result = _pytest(out)  # after: every selected test passes with the reference bodies
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "deselected" in result.stdout  # other layers' tests are left out
