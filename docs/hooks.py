"""MkDocs hooks (listed in mkdocs.yml): the API pages and the pictures, made when the site is built.

- ``on_files``: one API page per module of ``API_MODULES``, generated in memory (nothing is written
  to docs/): a ``::: module`` block that mkdocstrings renders from the docstrings, listing the
  module's public classes and functions — found by importing the module, so a name added to the
  code appears in the reference at the next build, and the reference cannot go stale.
- ``on_pre_build``: docs/make_figures.py draws the tutorials' pictures into docs/figures/ when
  they are missing (delete the folder, or run the script, to draw them again).
"""
import importlib
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


def on_pre_build(config):
    sys.path.insert(0, str(DOCS))
    try:
        import make_figures
    finally:
        sys.path.remove(str(DOCS))
    make_figures.main(["--if-missing"])
