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


def _hooks():
    """docs/hooks.py, the MkDocs hooks that generate the API pages (needs mkdocs)."""
    pytest.importorskip("mkdocs")
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks


def test_api_pages_name_every_public_class_and_function():
    """The API pages are generated at build time from the modules themselves, so they list every
    public class and function: here, that they do, and that mkdocstrings is asked to render each."""
    import importlib
    import inspect

    hooks = _hooks()
    for _, module_name in hooks.API_MODULES:
        module = importlib.import_module(module_name)
        page = hooks.api_page(module_name)
        assert page.startswith(f"# `{module_name}`") and f"::: {module_name}\n" in page
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            if inspect.isclass(getattr(module, name, None)) or inspect.isfunction(getattr(module, name, None)):
                assert f"        - {name}\n" in page, f"{module_name}.{name} is missing from its API page"
    assert "        - Conv2d\n" in hooks.api_page("minidl.nn")


def test_site_navigation_has_every_page():
    """mkdocs.yml's nav lists every page of docs/ and every generated API page; every picture a
    page shows is one that docs/make_figures.py draws."""
    hooks = _hooks()
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f": {page.name}\n" in nav, f"mkdocs.yml's nav does not list {page.name}"
    for page, _ in hooks.API_MODULES:
        assert f": api/{page}.md\n" in nav, f"mkdocs.yml's nav does not list api/{page}.md"
    figures = set(re.findall(r"\]\(figures/([^)]+)\)", "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))))
    assert figures and figures <= set(_make_figures().ALL_FIGURES)


def _make_figures():
    pytest.importorskip("matplotlib")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diagrams_are_drawn(tmp_path):
    make_figures = _make_figures()
    im2col = make_figures.im2col_figure(tmp_path / "im2col.png")
    assert im2col.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    make_figures.graph_figure(tmp_path / "graph.svg")  # Graphviz, or matplotlib where it is missing
    svg = (tmp_path / "graph.svg").read_text()
    assert "<svg" in svg and "Conv2dFunction" in svg and "LinearFunction" in svg
    make_figures.draw_dot_with_matplotlib(make_figures.minidl.inspect.to_dot(
        make_figures.nn.Linear(2, 3)(make_figures.minidl.randn(1, 2)).sum()), tmp_path / "fallback.svg")
    assert "LinearFunction" in (tmp_path / "fallback.svg").read_text()


@pytest.mark.slow
def test_make_figures_draws_every_picture(tmp_path):
    """The whole script (trains LeNet-5 for two short epochs when MINIDL_DATA has MNIST)."""
    written = _make_figures().main(["--out", str(tmp_path)])
    assert all(path.exists() and path.stat().st_size > 1000 for path in written)


def test_index_links_every_page():
    index = (ROOT / "docs" / "index.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"docs/index.md does not link {page.name}"
