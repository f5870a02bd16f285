"""The computational graph of a forward pass as Graphviz DOT text.

    dot = minidl.inspect.to_dot(loss)             # one ellipse per op, labelled with its output shape
    minidl.inspect.render_dot(dot, "graph.svg")   # needs the ``dot`` program (Graphviz)

The graph is the one backward() walks: each op's node remembers its inputs, so following
``tensor.creator`` and ``node.inputs`` from the output visits every op that produced it.
"""
import shutil
import subprocess


def to_dot(output, name="graph"):
    """The graph that produced ``output`` as Graphviz DOT text: an ellipse per op (with its output
    shape), a box per leaf tensor (parameters and inputs that require grad)."""
    # the name is quoted: the default, "graph", is a DOT keyword that Graphviz rejects bare
    lines = [f'digraph "{name}" {{', "  rankdir=BT;", '  node [fontname="Helvetica", fontsize=10];']
    ids = {}

    def node_id(obj):
        return ids.setdefault(id(obj), f"n{len(ids)}")

    out_id = node_id(output)
    lines.append(f'  {out_id} [label="output\\n{tuple(output.shape)}", shape=box, style=filled, fillcolor="#d0e8ff"];')
    if output.creator is not None:
        lines.append(f"  {node_id(output.creator)} -> {out_id};")
    seen, stack = set(), [output.creator] if output.creator is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._released:
            raise RuntimeError("to_dot: the graph was freed by backward(); call to_dot before backward (or retain_graph=True)")
        shapes = ", ".join(str(tuple(meta[0])) for meta in node.output_meta)
        lines.append(f'  {node_id(node)} [label="{node.name}\\n{shapes}"];')
        for tensor in node.inputs:
            if tensor.creator is not None:
                lines.append(f"  {node_id(tensor.creator)} -> {node_id(node)};")
                stack.append(tensor.creator)
            elif tensor.requires_grad:
                leaf = node_id(tensor)
                lines.append(f'  {leaf} [label="leaf\\n{tuple(tensor.shape)}", shape=box, style=filled, fillcolor="#f0f0f0"];')
                lines.append(f"  {leaf} -> {node_id(node)};")
    lines.append("}")
    return "\n".join(dict.fromkeys(lines))  # a leaf used twice is declared once


def render_dot(dot_text, path, fmt=None):
    """Render DOT to SVG/PNG with the ``dot`` program (Graphviz); returns False when it is not installed."""
    if shutil.which("dot") is None:
        return False
    fmt = fmt or str(path).rsplit(".", 1)[-1]
    subprocess.run(["dot", f"-T{fmt}", "-o", str(path)], input=dot_text.encode(), check=True)
    return True
