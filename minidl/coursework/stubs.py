"""Replacing the body of a function by a TODO stub, keeping its signature and docstring.

The source is edited as text, guided by the line numbers Python's own parser (``ast``) gives
for each function, so everything else in the file — comments, blank lines, other functions —
stays exactly as it was.
"""
import ast


def find_function(tree, qualified_name):
    """The FunctionDef for "name" (module level) or "Class.method" in a parsed module."""
    scope = tree.body
    *classes, name = qualified_name.split(".")
    for class_name in classes:
        matches = [node for node in scope if isinstance(node, ast.ClassDef) and node.name == class_name]
        if not matches:
            raise LookupError(f"no class {class_name!r} for {qualified_name!r}")
        scope = matches[0].body
    for node in scope:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    raise LookupError(f"no function {qualified_name!r}")


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def stub_source(source, stubs, task, module_path):
    """``source`` with the bodies of ``stubs`` (a list of (qualified name, hint)) replaced by

        # TODO(task): hint ...
        raise NotImplementedError("TODO(task): write name in module_path")

    after their docstrings.  Returns the new source text."""
    return _replace_bodies(source, [(name, f"TODO({task}): {hint}", f"TODO({task}): write {name} in {module_path}")
                                    for name, hint in stubs])


def hide_source(source, names, task, module_path):
    """``source`` with the bodies of ``names`` removed because they would show the answer to ``task``
    (a twin, an oracle, or the same formula in another function), replaced by a comment saying so
    and a NotImplementedError.  ``solve`` puts them back with the rest."""
    note = (f"Hidden in this assignment: this body would give away the answer to TODO({task}). "
            "`python -m minidl.coursework solve` restores it.")
    return _replace_bodies(source, [(name, note, f"{name} in {module_path} is hidden in this assignment (task {task}): it is a fast "
                                    "twin or an oracle of your code. Fast twins are off by default here; if you "
                                    "turned them on (MINIDL_FAST=1 or use_fast_paths(True)), turn them off")
                                    for name in names])


def _replace_bodies(source, replacements):
    """Each (qualified name, comment, error message): the body after the docstring becomes the
    comment (wrapped) and ``raise NotImplementedError(message)``."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for name, text, message in replacements:
        node = find_function(tree, name)
        body = node.body
        has_docstring = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str)
        first_line = body[0].lineno  # 1-based; the stub starts after the docstring, or replaces everything
        start = body[0].end_lineno if has_docstring else first_line - 1
        indent = " " * body[0].col_offset
        while not has_docstring and start > node.lineno and lines[start - 1].startswith(indent) \
                and lines[start - 1].strip().startswith("#"):
            start -= 1  # comments above the first statement belong to the body (they may hold the math)
        comment = _wrap(text, 96 - len(indent))
        stub = [f"{indent}# {comment[0]}\n"] + [f"{indent}#   {line}\n" for line in comment[1:]]
        stub.append(f"{indent}raise NotImplementedError({message!r})\n")
        edits.append((start, node.end_lineno, stub))
    for start, end, stub in sorted(edits, reverse=True):  # bottom-up keeps earlier line numbers valid
        lines[start:end] = stub
    return "".join(lines)


def reference_source(source, names):
    """The source text of each named function in ``source`` (for checking that a restore worked)."""
    tree = ast.parse(source)
    return {name: ast.get_source_segment(source, find_function(tree, name)) for name in names}
