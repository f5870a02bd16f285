"""The tutorials as Jupyter notebooks, made from the same Markdown pages with jupytext.

    python docs/notebooks.py site/notebooks        # one .ipynb per page that has Python blocks

``mkdocs build`` writes them into <site>/notebooks/ (docs/hooks.py) and each page links its own,
so a student can download a page and run it cell by cell.  A ```python block becomes a code cell,
everything else stays Markdown — including ```bash blocks (commands to type in a shell, which
jupytext would otherwise turn into ``%%bash`` cells that run when the notebook runs).
tests/test_notebooks.py executes them with nbclient.
"""
import pathlib
import re
import sys

DOCS = pathlib.Path(__file__).resolve().parent
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def pages():
    """The pages of docs/ that have at least one Python block, in name order."""
    return [page for page in sorted(DOCS.glob("*.md")) if PYTHON_BLOCK.search(page.read_text())]


def to_notebook(markdown_text, figures="../figures/"):
    """One page's Markdown → an nbformat notebook with a Python 3 kernel.  Picture links are
    rewritten to ``figures`` (relative to where the notebook will be served)."""
    import jupytext
    import nbformat

    notebook = jupytext.reads(markdown_text.replace("](figures/", f"]({figures}"), fmt="md")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source.startswith("%%"):  # a shell block: keep it as text
            magic, _, body = cell.source.partition("\n")
            notebook.cells[index] = nbformat.v4.new_markdown_cell(f"```{magic[2:].strip()}\n{body}\n```")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not one paired with a text file
    return notebook


def write_notebooks(out_dir, figures="../figures/"):
    """Write <out_dir>/<page>.ipynb for every page of ``pages()``; returns the paths."""
    import nbformat

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages():
        path = out_dir / f"{page.stem}.ipynb"
        nbformat.write(to_notebook(page.read_text(), figures), str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_notebooks(sys.argv[1] if len(sys.argv) > 1 else "notebooks"):
        print(f"wrote {path}")
