"""Every ```python block in README.md and docs/*.md runs (blocks of one page share a namespace).
A block that starts with ``# requires MNIST`` runs when MINIDL_DATA holds the MNIST files."""
import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_blocks_run(page, tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    has_mnist = (pathlib.Path(os.environ.get("MINIDL_DATA", "/nonexistent")) / "mnist").is_dir()
    for number, block in enumerate(blocks):
        if block.startswith("# requires MNIST") and not has_mnist:
            continue  # documented as needing the data files; run whenever MINIDL_DATA has them
        try:
            exec(compile(block, f"{page.name}[block {number}]", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"{page.name}, code block {number} failed: {error!r}") from error


def test_api_reference_is_up_to_date():
    """docs/api.md is generated from the docstrings: regenerate it with python docs/make_api.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    make_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_api)
    assert (ROOT / "docs" / "api.md").read_text() == make_api.render(), "run: python docs/make_api.py"


def test_index_links_every_page():
    index = (ROOT / "docs" / "index.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"docs/index.md does not link {page.name}"
