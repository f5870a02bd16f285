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
            assert (root / pattern.lstrip("!").split("::")[0]).is_file(), (name, pattern)
        for module_path, function in task.hidden:
            assert reference_source((root / "minidl" / module_path).read_text(), [function])[function], (name, function)


def test_hints_ask_and_docstrings_do_not_give_the_closed_forms(tmp_path):
    """The student's copy shows no closed-form backward: not in a hint, not in a docstring left on
    screen, not in a hidden body (Normalize's, the naive oracle's, the fast twins')."""
    for name, task in TASKS.items():
        assert all("?" in stub.hint for stub in task.stubs if len(stub.hint) > 40), name  # hints ask
    out = make(["batch_norm", "linear", "conv2d_backward", "max_pool2d", "cross_entropy"], tmp_path / "a")
    normalization = (out / "minidl/functions/normalization.py").read_text()
    for giveaway in ("dβ/M", "mean(dx̂ · x̂)", "x_hat * (g * x_hat)"):
        assert giveaway not in normalization, giveaway
    assert "Hidden in this assignment" in (out / "minidl/functions/naive.py").read_text()
    assert "d_var" not in (out / "minidl/functions/naive.py").read_text()  # the staged BN backward
    assert "dx_pad[n, window] +=" not in (out / "minidl/functions/naive.py").read_text()
    assert "dYᵀ" not in (out / "minidl/functions/linear.py").read_text()
    assert "gy * (argmax == position)" not in (out / "minidl/functions/fast/pooling.py").read_text()
    assert "softmax(x) · Σ" not in (out / "minidl/functions/softmax.py").read_text()
    readme = (out / "README.md").read_text()
    assert "needs_input_grad" in readme and "axis=" in readme and "dim=" in readme
    assert (out / "docs" / "extending.md").is_file() and (out / "docs" / "autograd.md").is_file()
    solve(out)  # the teacher's copy has everything back
    assert "x_hat * (g * x_hat)" in (out / "minidl/functions/normalization.py").read_text()


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


# One classic mistake per task, planted in the reference solution: the task's tests must catch it.
PLANTED_BUGS = {
    "conv2d": ("functions/im2col.py", "padded[(slice(None), slice(None)) + slices] += col[(slice(None),) + offset]",
               "padded[(slice(None), slice(None)) + slices] = col[(slice(None),) + offset]"),  # overlaps overwrite
    "conv2d_backward": ("functions/naive.py", "dx_pad[n, first:first + c_per_group, rows, cols] += dy[n, f, i, j] * w[f]",
                        "dx_pad[n, first:first + c_per_group, rows, cols] = dy[n, f, i, j] * w[f]"),
    "max_pool2d": ("functions/pooling.py", "dx[_N_C + tuple(slices)] += gy * (argmax == position)",
                   "dx[_N_C + tuple(slices)] = gy * (argmax == position)"),     # a pixel winning two windows
    "batch_norm": ("functions/normalization.py", "var = (x_hat * x_hat).mean(axis=axes, keepdims=True)  # biased: ÷ M",
                   "var = (x_hat * x_hat).sum(axis=axes, keepdims=True) / (x.size // x.shape[1] - 1)"),  # unbiased
    "fast_conv2d": ("functions/fast/conv.py", "s_h * dh, s_w * dw, s_c))", "s_h, s_w, s_c))"),  # dilation forgotten
    "local_response_norm": ("functions/normalization.py", "upper = xp.minimum(xp.arange(c) + self.after + 1, c)",
                            "upper = xp.minimum(xp.arange(c) + self.after, c)"),  # off by one
    "linear": ("functions/linear.py", "gb = rows.sum(0)", "gb = rows.mean(0)"),
    "dropout": ("functions/dropout.py", "(1.0 / (1.0 - p) if scale else 1.0)", "1.0"),  # not inverted
    "cross_entropy": ("functions/softmax.py", "return gy - y.exp() * gy.sum(self.dim, keepdim=True)",
                      "return gy - y.exp()"),                                   # assumes Σ gy = 1
}


def test_every_task_has_a_planted_bug():
    assert set(PLANTED_BUGS) == set(TASKS)


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(PLANTED_BUGS))
def test_task_tests_catch_a_planted_classic_bug(task, tmp_path):
    """Reference solution + one classic bug → the task's tests fail; without the bug they pass."""
    out = tmp_path / "assignment"
    make([task], out)
    solve(out)
    module_path, correct, buggy = PLANTED_BUGS[task]
    path = out / "minidl" / module_path
    source = path.read_text()
    assert source.count(correct) == 1, f"the planted bug of {task} no longer matches {module_path}"
    result = _pytest(out, "-m", task)
    assert result.returncode == 0, result.stdout[-2000:]
    path.write_text(source.replace(correct, buggy))
    result = _pytest(out, "-m", task)
    assert result.returncode == 1 and " failed" in result.stdout, result.stdout[-2000:]  # failed tests, not an error
