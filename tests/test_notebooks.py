"""Each tutorial page is also a Jupyter notebook (docs/notebooks.py, jupytext): the code cells are
exactly the page's Python blocks, and the notebooks execute (nbclient) — one short page in the
default run, every page under -m slow."""
import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
pytest.importorskip("jupytext")
sys.path.insert(0, str(ROOT / "docs"))
import notebooks  # noqa: E402

sys.path.remove(str(ROOT / "docs"))


def test_every_page_converts_to_a_notebook_of_its_python_blocks():
    assert len(notebooks.pages()) >= 15
    for page in notebooks.pages():
        text = page.read_text()
        notebook = notebooks.to_notebook(text)
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        blocks = [block.rstrip("\n") for block in re.findall(r"```python\n(.*?)```", text, re.S)]
        assert code == blocks, f"{page.name}: the notebook's code cells are not the page's Python blocks"
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        markdown = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        assert "](figures/" not in markdown  # pictures point next to the served notebooks


def test_shell_blocks_stay_text():
    notebook = notebooks.to_notebook("# t\n\n```bash\npython train.py\n```\n\n```python\nx = 1\n```\n")
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "markdown", "code"]
    assert notebook.cells[1].source == "```bash\npython train.py\n```"


def _execute(page, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    text = page.read_text()
    has_mnist = (pathlib.Path(os.environ.get("MINIDL_DATA", "/nonexistent")) / "mnist").is_dir()
    if "```python\n# requires MNIST" in text and not has_mnist:
        pytest.skip(f"{page.name} has blocks that need MNIST (set MINIDL_DATA)")
    notebook = notebooks.to_notebook(text)
    env_path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"] = env_path  # the kernel imports this checkout's minidl
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(output.get("output_type") == "error" for cell in outputs for output in cell)
    return notebook


def test_a_short_tutorial_runs_as_a_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))  # restored after the test
    notebook = _execute(ROOT / "docs" / "im2col.md", tmp_path)
    counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # every cell ran, in order (its asserts included)


@pytest.mark.slow
@pytest.mark.parametrize("page", notebooks.pages(), ids=lambda p: p.stem)
def test_every_tutorial_runs_as_a_notebook(page, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    _execute(page, tmp_path)
