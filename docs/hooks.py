"""MkDocs hooks (listed in mkdocs.yml): the API pages and the pictures, made when the site is built.

- ``on_files``: one API page per module of ``API_MODULES``, generated in memory (nothing is written
  to docs/): a ``::: module`` block that mkdocstrings renders from the docstrings, listing the
  module's public classes and functions — found by importing the module, so a name added to the
  code appears in the reference at the next build, and the reference cannot go stale.
- ``on_pre_build``: docs/make_figures.py draws the tutorials' pictures into docs/figures/ when
  they are missing (delete the folder, or run the script, to draw them again).
- ``on_page_markdown`` / ``on_post_build``: every page with Python blocks gets a link to itself
  as a Jupyter notebook, written to <site>/notebooks/ by docs/notebooks.py (needs jupytext;
  without it the links and notebooks are left out).
"""
import importlib
import importlib.util
import inspect
import pathlib
import sys

from mkdocs.structure.files import File

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent

# (page under api/, module): the modules whose public names make the API reference.
API_MODULES = [
    ("minidl", "minidl"), ("nn", "minidl.nn"), ("functional", "minidl.nn.functional"), ("init", "minidl.nn.init"),
    ("optim", "minidl.optim"), ("lr_scheduler", "minidl.optim.lr_scheduler"), ("data", "minidl.data"),
    ("transforms", "minidl.data.transforms"), ("models", "minidl.models"), ("inspect", "minidl.inspect"),
    ("utils", "minidl.utils"), ("tensorboard", "minidl.utils.tensorboard"), ("testing", "minidl.testing"),
    ("coursework", "minidl.coursework"), ("cuda", "minidl.cuda"),
    ("distributed", "minidl.distributed"), ("parallel", "minidl.nn.parallel"), ("classic", "minidl.classic"),
]


def public_members(module_name):
    """The module's public classes and functions, by name (``__all__`` when it has one)."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return sorted(n for n in names if inspect.isclass(getattr(module, n, None)) or inspect.isfunction(getattr(module, n, None)))


def api_page(module_name):
    """The Markdown of one API page: a title and the mkdocstrings block naming every member."""
    members = public_members(module_name)
    lines = [f"# `{module_name}`", "", f"::: {module_name}", "    options:", "      members:"]
    lines += [f"        - {name}" for name in members]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for page, module_name in API_MODULES:
        files.append(File.generated(config, f"api/{page}.md", content=api_page(module_name)))
    return files


def _docs_module(name):
    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DOCS))


def on_pre_build(config):
    _docs_module("make_figures").main(["--if-missing"])


def _has_jupytext():
    return importlib.util.find_spec("jupytext") is not None


def on_page_markdown(markdown, page, config, files):
    """A link to the page's notebook under its title (raw HTML: the notebook is not a docs file)."""
    if not (_has_jupytext() and page.file.src_uri.count("/") == 0 and "```python\n" in markdown):
        return markdown
    depth = page.url.count("/")  # use_directory_urls: "im2col/" is one folder below the site root
    href = "../" * depth + f"notebooks/{page.file.src_uri[:-3]}.ipynb"
    link = (f'<p class="notebook-link"><a href="{href}" download>Download this page as a Jupyter '
            f"notebook</a> (every Python block a cell; run it with minidl installed).</p>")
    title, newline, rest = markdown.partition("\n")
    return f"{title}{newline}\n{link}\n{rest}" if title.startswith("# ") else f"{link}\n\n{markdown}"


def on_post_build(config):
    if _has_jupytext():
        _docs_module("notebooks").write_notebooks(pathlib.Path(config["site_dir"]) / "notebooks")
